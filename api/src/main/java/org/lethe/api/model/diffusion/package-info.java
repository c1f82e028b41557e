/**
 * The task view of a text-to-image diffusion model, as erasure methods (ESD, ANT, RealEra) need it:
 * noise prediction under a text-embedding condition and a null condition, a DDIM sampler with
 * classifier-free guidance that can stop after k steps, named cross-attention projections
 * ({@code attn2.to_k}, {@code attn2.to_v}, named as in Stable Diffusion), named parameter groups
 * with freezing and gradient masks, forward hooks, and LoRA.
 *
 * <p>Version 0.9: a draft until the text-to-image items implement it; it may still change (0.9.1
 * added the tokenizer and guidance entry points, the parameter groups, masks, K/V get/set and LoRA).
 */
@Export
@Version("0.9.1")
package org.lethe.api.model.diffusion;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * The task view of a text-to-image diffusion model, as erasure methods (ESD, ANT, RealEra) need it:
 * noise prediction under a text-embedding condition and a null condition, a DDIM sampler with
 * classifier-free guidance that can stop after k steps, named cross-attention projections
 * ({@code attn2.to_k}, {@code attn2.to_v}, named as in Stable Diffusion), named parameter groups
 * with freezing and gradient masks, forward hooks, and LoRA.
 *
 * <p>Version 1.0 (issue 7): implemented by the {@code text-to-image-unet} architecture and used by
 * ESD and the erasure metrics; from here on it changes only compatibly within 1.x (it was a 0.9
 * draft before: 0.9.1 added the tokenizer and guidance entry points, the parameter groups, masks,
 * K/V get/set and LoRA).
 */
@Export
@Version("1.0.0")
package org.lethe.api.model.diffusion;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

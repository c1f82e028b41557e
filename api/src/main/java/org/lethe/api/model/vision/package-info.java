/**
 * The task view of a vision-language model, as SAUCE and its baselines need it: answers to
 * questions about images, logits over the answer vocabulary, and forward hooks at named layers
 * (for sparse-autoencoder interventions, which change no weight).
 *
 * <p>Version 0.9: a draft until the vision-language item implements it; it may still change.
 */
@Export
@Version("0.9.0")
package org.lethe.api.model.vision;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

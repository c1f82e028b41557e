/**
 * The task view of a vision-language model, as SAUCE and its baselines need it: answers to
 * questions about images, logits over the answer vocabulary, and forward hooks at named layers
 * (for sparse-autoencoder interventions, which change no weight).
 *
 * <p>Version 1.0 (issue 9): the token order, the soft-prompt input and the answer-loss view that
 * gradient ascent and GradDiff share with language models.
 */
@Export
@Version("1.0.0")
package org.lethe.api.model.vision;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

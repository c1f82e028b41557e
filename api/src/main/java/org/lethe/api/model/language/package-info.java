/**
 * The task view of a causal language model: tokenizer, answer-only log-probabilities and loss,
 * generation. Implemented by language-model architectures, used by language methods and metrics.
 *
 * <p>Version 0.9: becomes 1.0.0 when the core and its test model land.
 */
@Export
@Version("0.9.0")
package org.lethe.api.model.language;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

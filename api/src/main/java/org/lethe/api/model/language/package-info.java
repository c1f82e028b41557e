/**
 * The task view of a causal language model: tokenizer, answer-only log-probabilities and loss,
 * generation. Implemented by language-model architectures, used by language methods and metrics.
 */
@Export
@Version("1.2.0")
package org.lethe.api.model.language;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

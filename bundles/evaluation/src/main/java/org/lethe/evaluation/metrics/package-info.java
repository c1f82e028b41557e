/**
 * The metric services of the language modality: exact match, answer probability, truth ratio,
 * ROUGE-L recall, model utility and two membership-inference AUCs (loss and Min-K%), each a
 * stateless, deterministic {@link org.lethe.api.eval.Metric} registered with its name and the
 * version of its definition (docs/metrics.md gives every formula and its source). Private to the
 * bundle, which exports nothing.
 */
package org.lethe.evaluation.metrics;

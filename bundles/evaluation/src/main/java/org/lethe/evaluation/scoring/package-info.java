/**
 * Scoring shared by the metrics and probes of this bundle (private to it; the bundle exports
 * nothing): batched answer scores of a {@link org.lethe.api.model.language.LanguageModel}
 * (exact match, length-normalised answer log-probability, whole-sequence token log-probabilities,
 * greedy answers, truth ratios, ROUGE-L recall) and the pure statistics the metrics aggregate with
 * (means, Mann–Whitney AUC, Min-K%, truth-ratio aggregates, longest common subsequence).
 *
 * <p>Inference only: nothing here records gradients or changes a model, and every batch's arrays
 * live in a memory scope closed with the batch.
 */
package org.lethe.evaluation.scoring;

/**
 * The metrics and probes of the vision-language modality (research/methods-gen.md §8, "VLM
 * evaluation"; docs/metrics.md and docs/probes.md give every definition): a model's answers to
 * visual questions are the argmax of {@link org.lethe.api.model.vision.VisionLanguageModel#logits}
 * over its answer vocabulary, measured on the vision-language roles of {@link org.lethe.api.eval.Roles}
 * ({@code vqa_forget}, {@code vqa_selectivity}, {@code vqa_utility}, {@code vqa_paraphrase},
 * {@code vqa_yes_no}, and the unlearning data {@code forget} and {@code retain}).
 * <ul>
 * <li>metrics, registered with {@code lethe.modality=vision-language}: {@code vqa-accuracy},
 *     {@code unlearning-quality} (1 − accuracy on the questions whose answer is an unlearned concept)
 *     and {@code concept-answer-rate} (the share answered with an unlearned concept);</li>
 * <li>probes: {@code vqa-soft-prompt} (appended question-token embeddings optimised to bring the
 *     concept back), {@code vqa-pgd} (an L∞ image attack against the model as loaded, interventions
 *     included), {@code vqa-relearning} (fine-tuning on the forget questions) and
 *     {@code intervention-removed} (the version with its inference-time interventions switched
 *     off), each reporting {@code <probe>-unlearning-quality} and {@code <probe>-concept-answer-rate}
 *     on {@code vqa_forget}.</li>
 * </ul>
 * Metrics read the model without recording gradients; probes change only the private copy their
 * task hands them. Private to the bundle, which exports nothing.
 */
package org.lethe.evaluation.vision;

/**
 * The metric services of the text-to-image modality (research/methods-gen.md §8, "Generator
 * evaluation"): erasure efficacy Acc_e, generality Acc_g (held-out aliases, compositions and
 * perturbed concept embeddings), specificity Acc_p, their harmonic means H and H_g, the no-object
 * rate, layout preservation against the reference (silhouette IoU and centroid distance) and the
 * Fréchet distance of classifier features (the FID stand-in), each a deterministic
 * {@link org.lethe.api.eval.Metric} registered with {@code lethe.modality=text-to-image}, its name
 * and the version of its definition (docs/metrics.md gives every formula). They share one component,
 * {@link org.lethe.evaluation.texttoimage.ErasureSampling} (configuration PID
 * {@code org.lethe.evaluation.erasure}), which loads the evaluation classifier from the model store
 * and samples and classifies each image once for all of them. Private to the bundle, which exports
 * nothing.
 */
package org.lethe.evaluation.texttoimage;

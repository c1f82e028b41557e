/**
 * The text-to-image erasure metrics' core, free of OSGi (research/methods-gen.md §8). The mathematics
 * as plain, deterministic computations: erasure, preservation and generality accuracies
 * with their harmonic means and the no-object rate ({@link org.lethe.evaluation.erasure.ErasureScores}),
 * layout preservation by silhouette IoU and centroid position error
 * ({@link org.lethe.evaluation.erasure.LayoutScores}), and the Fréchet distance between Gaussian fits
 * of classifier features ({@link org.lethe.evaluation.erasure.FrechetDistance}); and the sampling
 * that feeds them, {@link org.lethe.evaluation.erasure.ClassifiedSampler}, which generates one image
 * per evaluation prompt with a text-to-image model, reads it with the evaluation classifier and
 * caches it for every metric of an evaluation. The metric services that use them are in
 * {@code org.lethe.evaluation.texttoimage}; docs/metrics.md gives the definitions.
 * Private to the bundle, which exports nothing.
 */
package org.lethe.evaluation.erasure;

/**
 * The mathematics of the text-to-image erasure metrics of research/methods-gen.md §8, as plain,
 * deterministic computations with no model wiring: erasure, preservation and generality accuracies
 * with their harmonic means and the no-object rate ({@link org.lethe.evaluation.erasure.ErasureScores}),
 * layout preservation by silhouette IoU and centroid position error
 * ({@link org.lethe.evaluation.erasure.LayoutScores}), and the Fréchet distance between Gaussian fits
 * of classifier features ({@link org.lethe.evaluation.erasure.FrechetDistance}). None of them is yet
 * registered as a {@link org.lethe.api.eval.Metric} service; docs/metrics.md gives the definitions.
 * Private to the bundle, which exports nothing.
 */
package org.lethe.evaluation.erasure;

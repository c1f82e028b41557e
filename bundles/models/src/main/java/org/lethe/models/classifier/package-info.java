/**
 * The concept classifier ({@value org.lethe.models.classifier.ConceptClassifierArchitecture#NAME}):
 * the shapes world's independent evaluation classifier (research/methods-gen.md Part B §8), behind
 * the {@link org.lethe.api.model.classifier.ConceptClassifier} view.
 *
 * <p><b>Network</b> for {@code imageSize}² images in [0, 1] (mapped to [−1, 1] inside):
 * {@code conv.0} (3×3, stride 1), {@code conv.1} and {@code conv.2} (3×3, stride 2), each followed by
 * ReLU; the (size/4)² map flattened into {@code fc} with ReLU: the penultimate features (64 by
 * default; the Fréchet distance's features); then one linear {@code heads.<name>} per head. No
 * normalisation layer, so training and inference compute the same function. Parameters are named
 * {@code <layer>.weight} and {@code <layer>.bias}, shaped as in PyTorch ((out, in, k, k) and
 * (out, in)).
 *
 * <p><b>Training</b>: the sum of the heads' cross-entropies, each over the images labelled for that
 * head (an image without an object has no colour or shape, and noise has no texture); images pass
 * through the augmentation of {@link org.lethe.models.classifier.ClassifierConfig} (shift, mirror,
 * colour jitter, noise, blur), drawn on the host from the caller's seeded generator. The recipe
 * (Adam, epochs, batch) is the world's; the measured one is in the shapes world.
 */
package org.lethe.models.classifier;

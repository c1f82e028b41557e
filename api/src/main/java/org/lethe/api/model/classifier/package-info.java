/**
 * The task view of an image concept classifier, as erasure evaluation needs it: one head per
 * attribute (e.g. colour, shape, texture, and whether an object is present), class predictions, the
 * loss it is trained with, its training augmentation, and the penultimate feature vector (the
 * features of a Fréchet distance, the FID stand-in of research/methods-gen.md §8).
 *
 * <p>Version 0.9: a draft until the text-to-image evaluation uses it; it may still change.
 */
@Export
@Version("0.9.0")
package org.lethe.api.model.classifier;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

package org.lethe.api.model;

/** What a model does, which decides the task view it offers and the methods that apply to it. */
public enum ModelKind {
    /** A causal language model (view: {@code LanguageModel}). */
    LANGUAGE,
    /** A text-conditioned image generator (view: {@code DiffusionModel}). */
    TEXT_TO_IMAGE,
    /** A model answering questions about images (view: {@code VisionLanguageModel}). */
    VISION_LANGUAGE,
    /** A classifier, e.g. the independent concept classifier used to evaluate erasure. */
    CLASSIFIER
}

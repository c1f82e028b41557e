package org.lethe.api;

/**
 * Names of the service properties Lethe selects by. Every name starts with {@link #PREFIX}; the
 * container never looks services up by class name, only by these properties.
 */
public final class ServiceProperties {

    /** Common prefix of every Lethe service property: {@value}. */
    public static final String PREFIX = "lethe.";

    /**
     * Name of an unlearning or erasure method, a {@code String}, e.g. {@code gradient-ascent}. It is
     * also the word the shell uses for the method; it may contain hyphens.
     */
    public static final String METHOD = PREFIX + "method";

    /**
     * Modality a service works on, a {@code String}: one of {@link #MODALITY_LANGUAGE},
     * {@link #MODALITY_TEXT_TO_IMAGE} or {@link #MODALITY_VISION_LANGUAGE}.
     */
    public static final String MODALITY = PREFIX + "modality";

    /** Modality value for language models. */
    public static final String MODALITY_LANGUAGE = "language";

    /** Modality value for text-to-image generators. */
    public static final String MODALITY_TEXT_TO_IMAGE = "text-to-image";

    /** Modality value for vision-language models. */
    public static final String MODALITY_VISION_LANGUAGE = "vision-language";

    private ServiceProperties() {
    }
}

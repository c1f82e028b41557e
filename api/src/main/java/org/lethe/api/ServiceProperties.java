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

    /** Paper a method implements, a {@code String} (authors, title, venue, year, or an arXiv id). */
    public static final String PAPER = PREFIX + "paper";

    /** Data roles a method requires, a {@code String[]} (e.g. {@code forget}, {@code retain}). */
    public static final String INPUTS = PREFIX + "inputs";

    /** Name of a model architecture service, a {@code String}; a model manifest names the one that loads it. */
    public static final String ARCHITECTURE = PREFIX + "architecture";

    /** Name of a metric service, a {@code String}. */
    public static final String METRIC = PREFIX + "metric";

    /** Version of a metric's definition, a {@code String}: a changed formula is a new version. */
    public static final String METRIC_VERSION = PREFIX + "metric.version";

    /** Name of a probe service, a {@code String}. */
    public static final String PROBE = PREFIX + "probe";

    /**
     * How a probe's private copy of the evaluated version is loaded, a {@code String}: {@code off}
     * loads it with every intervention attachment disabled (what an {@code intervention-removed}
     * probe measures: the weights without the inference-time edits); absent or {@code on}, as the
     * evaluation loads it.
     *
     * @since 1.1
     */
    public static final String PROBE_INTERVENTIONS = PREFIX + "probe.interventions";

    /** Name of a world service, a {@code String}, e.g. {@code facts}. */
    public static final String WORLD = PREFIX + "world";

    /** Modality value for language models. */
    public static final String MODALITY_LANGUAGE = "language";

    /** Modality value for text-to-image generators. */
    public static final String MODALITY_TEXT_TO_IMAGE = "text-to-image";

    /** Modality value for vision-language models. */
    public static final String MODALITY_VISION_LANGUAGE = "vision-language";

    private ServiceProperties() {
    }
}

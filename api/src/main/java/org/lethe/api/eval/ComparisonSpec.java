package org.lethe.api.eval;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A side-by-side comparison: every method on the same base model, forget split, data and seeds,
 * each result evaluated with every metric and probe, beside the two reference rows (the original
 * model and the gold model retrained without the forget split).
 *
 * @param world the world whose trained models and splits are used, e.g. {@code facts}
 * @param split the forget split, e.g. {@code forget05}; in an erasure world, the erasure task, e.g.
 *     {@code red}; in a visual question-answering world, the concept set to unlearn, e.g. {@code red} or
 *     {@code multi3}
 * @param methods the methods, by name, in report order
 * @param settings per method, its settings (as for a run); methods not named use their defaults
 * @param seeds how many seeds each method runs with (seeds {@code firstSeed}, {@code firstSeed + 1}, ...)
 * @param firstSeed the first seed
 * @param probes the probes to run on every model, by name; {@value #ALL_PROBES} alone means every
 *     installed probe of the modality
 * @param budget the longest one method run may take; empty for none
 */
public record ComparisonSpec(String world, String split, List<String> methods, Map<String, Map<String, String>> settings,
        int seeds, long firstSeed, List<String> probes, Optional<Duration> budget) {

    /** Probe list entry that selects every installed probe: {@value}. */
    public static final String ALL_PROBES = "all";

    /** The default comparison: {@code facts}, {@code forget05}, GA, GradDiff, FLAT and IAU, 3 seeds, all probes. */
    public static final ComparisonSpec DEFAULT = new ComparisonSpec("facts", "forget05",
            List.of("gradient-ascent", "graddiff", "flat", "iau"), Map.of(), 3, 0, List.of(ALL_PROBES), Optional.empty());

    /**
     * The default comparison of the {@code shapes} world (text-to-image erasure): erase {@code red}
     * (the erasure task of that name) with ESD, ANT and RealEra (the built-in erasure methods), 3
     * seeds, every probe.
     *
     * @since 1.1
     */
    public static final ComparisonSpec SHAPES_DEFAULT = new ComparisonSpec("shapes", "red", List.of("esd", "ant", "realera"),
            Map.of(), 3, 0,
            List.of(ALL_PROBES), Optional.empty());

    /**
     * The default comparison of the {@code shapes-vqa} world (vision-language unlearning): unlearn
     * {@code red} (the task of that name: the questions whose answer is red, on images that show it)
     * from {@code shapes-vlm} with SAUCE (an inference-time erasure) against gradient ascent and
     * GradDiff (weight-editing unlearning), 3 seeds, and the vision-language probes: the soft-prompt
     * attack on question embeddings ({@code vqa-soft-prompt}), image-space PGD ({@code vqa-pgd}),
     * relearning ({@code vqa-relearning}), the version with its interventions disabled
     * ({@code intervention-removed}), and the harness's {@code multi-concept} protocol (the same methods
     * on the 3- and 6-concept tasks: the 1/3/6-concept table).
     *
     * @since 1.3
     */
    public static final ComparisonSpec SHAPES_VQA_DEFAULT = new ComparisonSpec("shapes-vqa", "red",
            List.of("sauce", "gradient-ascent", "graddiff"), Map.of(), 3, 0,
            List.of("vqa-soft-prompt", "vqa-pgd", "vqa-relearning", "intervention-removed", "multi-concept"),
            Optional.empty());

    /**
     * @param world a world's name
     * @return that world's default comparison: {@link #SHAPES_DEFAULT} for {@code shapes},
     *     {@link #SHAPES_VQA_DEFAULT} for {@code shapes-vqa}, else {@link #DEFAULT} with the world replaced
     * @since 1.1
     */
    public static ComparisonSpec defaultFor(String world) {
        if (SHAPES_DEFAULT.world().equals(world)) {
            return SHAPES_DEFAULT;
        }
        if (SHAPES_VQA_DEFAULT.world().equals(world)) {
            return SHAPES_VQA_DEFAULT;
        }
        return new ComparisonSpec(world, DEFAULT.split(), DEFAULT.methods(), DEFAULT.settings(), DEFAULT.seeds(),
                DEFAULT.firstSeed(), DEFAULT.probes(), DEFAULT.budget());
    }

    /** Copies the collections and rejects what cannot run. */
    public ComparisonSpec {
        Objects.requireNonNull(world, "world");
        Objects.requireNonNull(split, "split");
        methods = List.copyOf(methods);
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        settings.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        settings = Collections.unmodifiableMap(copy);
        probes = List.copyOf(probes);
        Objects.requireNonNull(budget, "budget");
        if (seeds < 1) {
            throw new IllegalArgumentException("seeds must be at least 1, not " + seeds);
        }
    }
}

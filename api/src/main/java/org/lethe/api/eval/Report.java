package org.lethe.api.eval;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The side-by-side report of a comparison: rows are methods (and the reference rows), columns are
 * metrics summarised over seeds. Its JSON form is documented in {@code docs/report-schema.md}
 * ({@value #SCHEMA}).
 *
 * @param schema the schema's name and version, {@value #SCHEMA}
 * @param created when it was made (a time field: excluded from reproducibility comparisons)
 * @param partial whether the comparison was cancelled before every cell was measured
 * @param manifest what it takes to reproduce it
 * @param rows the reference rows first, then the methods in the order asked
 * @param columns every column, in report order
 * @param notes what a reader must know (failures, directions that did not reproduce, caveats)
 * @param gallery sample images per row, same prompts and seeds (text-to-image comparisons); empty
 *     when the comparison makes none (since 1.1)
 */
public record Report(String schema, Instant created, boolean partial, Manifest manifest, List<Row> rows,
        List<Column> columns, List<String> notes, Optional<Gallery> gallery) {

    /** The schema this record follows: {@value}. */
    public static final String SCHEMA = "lethe-report/1";

    /** Copies the collections. */
    public Report {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(manifest, "manifest");
        rows = List.copyOf(rows);
        columns = List.copyOf(columns);
        notes = List.copyOf(notes);
        Objects.requireNonNull(gallery, "gallery");
    }

    /**
     * A report without a gallery (the 1.0 form).
     *
     * @param schema the schema's name and version
     * @param created when it was made
     * @param partial whether the comparison was cancelled before every cell was measured
     * @param manifest what it takes to reproduce it
     * @param rows the rows
     * @param columns the columns
     * @param notes the notes
     */
    public Report(String schema, Instant created, boolean partial, Manifest manifest, List<Row> rows,
            List<Column> columns, List<String> notes) {
        this(schema, created, partial, manifest, rows, columns, notes, Optional.empty());
    }

    /**
     * Sample images of each row's model for the same prompts and start seeds, so that a reader sees
     * what an erasure did to the concept and to everything else (research/methods-gen.md §8).
     *
     * @param prompts the prompts, in column order
     * @param seeds each prompt's sampler seed
     * @param sampler how the images were sampled (steps, guidance), for the caption
     * @param images row name → one PNG (encoded, base64) per prompt, in prompt order; a row whose
     *     model could not be sampled is absent
     * @since 1.1
     */
    public record Gallery(List<String> prompts, List<Long> seeds, String sampler, Map<String, List<String>> images) {

        /** Copies the collections; every row has one image per prompt. */
        public Gallery {
            prompts = List.copyOf(prompts);
            seeds = List.copyOf(seeds);
            Objects.requireNonNull(sampler, "sampler");
            Map<String, List<String>> copy = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> row : images.entrySet()) {
                if (row.getValue().size() != prompts.size()) {
                    throw new IllegalArgumentException("gallery row " + row.getKey() + " has " + row.getValue().size()
                            + " images for " + prompts.size() + " prompts");
                }
                copy.put(row.getKey(), List.copyOf(row.getValue()));
            }
            images = Collections.unmodifiableMap(copy);
            if (seeds.size() != prompts.size()) {
                throw new IllegalArgumentException(seeds.size() + " seeds for " + prompts.size() + " prompts");
            }
        }
    }

    /**
     * What it takes to reproduce a report.
     *
     * @param world the world and its bundle version
     * @param split the forget split
     * @param seeds the seeds every method ran with
     * @param bundles bundle symbolic name → version, of every bundle that took part
     * @param components method, metric and probe name → version
     * @param configs method → its validated settings
     * @param configHash SHA-256 of the canonical form of the configs, probes and seeds
     * @param models role ({@code original}, {@code gold}, {@code gold-seed1}, ...) → model version
     * @param data data role → SHA-256 fingerprint of the data used
     * @param djlVersion the DJL version
     * @param engine the engine and its version, e.g. {@code PyTorch 2.7.1}
     * @param device the device the runs used, e.g. {@code cpu()}, with its thread count
     * @param java the Java runtime's version
     */
    public record Manifest(String world, String split, List<Long> seeds, Map<String, String> bundles,
            Map<String, String> components, Map<String, Map<String, String>> configs, String configHash,
            Map<String, String> models, Map<String, String> data, String djlVersion, String engine, String device,
            String java) {

        /** Copies the collections. */
        public Manifest {
            seeds = List.copyOf(seeds);
            bundles = ordered(bundles);
            components = ordered(components);
            Map<String, Map<String, String>> copy = new LinkedHashMap<>();
            configs.forEach((k, v) -> copy.put(k, ordered(v)));
            configs = Collections.unmodifiableMap(copy);
            models = ordered(models);
            data = ordered(data);
        }
    }

    /**
     * A column: one metric on one split.
     *
     * @param key {@code <split>.<metric>}
     * @param metric the metric's name
     * @param version its definition's version
     * @param split the split
     * @param direction which way is better
     */
    public record Column(String key, String metric, String version, String split, MetricResult.Direction direction) {
    }

    /** What a row stands for. */
    public enum RowKind {
        /** The model before unlearning or erasure. */
        ORIGINAL,
        /** The gold model, retrained without the forget split (one per seed of the world's gold models). */
        GOLD,
        /** The original model corrupted with misinformation, from which the misinformation protocol starts. */
        CORRUPTED,
        /** A method's results. */
        METHOD
    }

    /**
     * One row.
     *
     * @param name the method's name, {@code original} or {@code gold}
     * @param kind what the row stands for
     * @param version the method's bundle version; empty for reference rows
     * @param cells column key → the values over seeds
     * @param curves curve name ({@code <split>.<metric>}) → step → the values over seeds
     * @param runs what ran for each seed
     */
    public record Row(String name, RowKind kind, String version, Map<String, Cell> cells,
            Map<String, SortedMap<Integer, Cell>> curves, List<SeedRun> runs) {

        /** Copies the collections. */
        public Row {
            cells = ordered(cells);
            Map<String, SortedMap<Integer, Cell>> copy = new LinkedHashMap<>();
            curves.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
            curves = Collections.unmodifiableMap(copy);
            runs = List.copyOf(runs);
        }
    }

    /**
     * A value summarised over seeds.
     *
     * @param mean the mean over the seeds that produced a value (NaN when none did)
     * @param std the sample standard deviation (0 for one value, NaN for none)
     * @param values the value of each seed that produced one, in seed order
     * @param failure why no value was produced, when no seed produced one
     */
    public record Cell(double mean, double std, List<Double> values, Optional<String> failure) {

        /** Copies the values. */
        public Cell {
            values = List.copyOf(values);
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * What ran for one seed of one row.
     *
     * @param seed the seed
     * @param state {@code COMMITTED}, {@code FAILED}, {@code CANCELLED} or {@code NOT_RUN}
     * @param reason why it did not commit; empty when it did
     * @param model the model version evaluated; empty when none was produced
     * @param runs run kind ({@code unlearn}, {@code evaluate}, ...) → run key
     * @param unlearningSeconds the method's wall time (a time field); 0 for reference rows
     * @param peakMemoryMb the process's resident memory high-water during the method run, minus the
     *     idle container's (a memory field); 0 when not measured
     */
    public record SeedRun(long seed, String state, Optional<String> reason, Optional<String> model,
            Map<String, String> runs, double unlearningSeconds, double peakMemoryMb) {

        /** Copies the runs. */
        public SeedRun {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(model, "model");
            runs = ordered(runs);
        }
    }

    private static <K, V> Map<K, V> ordered(Map<K, V> in) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(in));
    }
}

package org.lethe.report.compare;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Report;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;
import org.lethe.report.stats.KolmogorovSmirnov;

/**
 * Collects what each row measured per seed and turns it into a {@link Report}: cells as mean ± std
 * over seeds, curves per step, and the columns that compare against the gold models, which no
 * single evaluation can compute (docs/metrics.md, "Computed by the comparison"):
 * <ul>
 * <li>{@value #FORGET_QUALITY} (v{@value #DERIVED_VERSION}): the two-sample Kolmogorov–Smirnov
 *     p-value of the per-item truth ratios on the forget split against the gold models' truth ratios,
 *     all gold seeds pooled (TOFU; open-unlearning {@code ks_test}); a gold row is compared with the
 *     other gold seeds (leave one out);</li>
 * <li>{@code privleak-<mia metric>}: {@code (AUC − AUC_gold) / AUC_gold · 100} with AUC_gold the mean
 *     over the gold models (the others, for a gold row), open-unlearning's privacy leakage;</li>
 * <li>{@value #RELEARNING_EXCESS}: the held-out forget accuracy after the relearning attack minus the
 *     gold models' mean after the same attack (methods-llm.md §2.4).</li>
 * </ul>
 */
final class Assembly {

    /** Version of the comparison's own definitions: {@value}. */
    static final String DERIVED_VERSION = "1";
    /** Forget quality's column metric: {@value}. */
    static final String FORGET_QUALITY = "forget-quality";
    /** Relearning excess's column metric: {@value}. */
    static final String RELEARNING_EXCESS = "relearning-excess";

    private static final String TRUTH_RATIO = "truth-ratio";
    private static final String RELEARNED = "relearning-exact-match";
    private static final String HELDOUT = "forget-heldout";
    /** RESTOR's recovery column metric: {@value}. */
    static final String RECOVERY = "recovery";
    private static final String TRUTH = ComparisonRunner.MISINFORMATION + ":" + Roles.RUMOUR_TRUTH + ".exact-match";

    private final ComparisonSpec spec;
    private final Clock clock;
    private final Map<String, RowData> rows = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    private final Map<String, String> components = new TreeMap<>();
    private final Set<String> notes = new LinkedHashSet<>();
    private final Map<String, String> fingerprints = new LinkedHashMap<>();
    private final Map<String, Report.Column> protocolColumns = new LinkedHashMap<>();
    private Report.Manifest manifest;
    private boolean partial;
    private Optional<Report.Gallery> gallery = Optional.empty();

    private static final class RowData {
        final Report.RowKind kind;
        final String version;
        final List<SeedData> seeds = new ArrayList<>();
        final Map<String, SortedMap<Integer, List<Double>>> protocolCurves = new LinkedHashMap<>();
        final Map<String, List<Double>> protocolValues = new LinkedHashMap<>();

        RowData(Report.RowKind kind, String version) {
            this.kind = kind;
            this.version = version;
        }
    }

    private record SeedData(long seed, String state, Optional<String> reason, Optional<String> model,
            Map<String, String> runs, double seconds, double peakMb, Optional<Evaluation> evaluation) {
    }

    Assembly(ComparisonSpec spec, Clock clock) {
        this.spec = spec;
        this.clock = clock;
        rows.put("original", new RowData(Report.RowKind.ORIGINAL, ""));
        rows.put("gold", new RowData(Report.RowKind.GOLD, ""));
    }

    void manifest(String world, String worldVersion, Map<String, String> roles, ModelRef original, List<ModelRef> gold,
            Map<String, String> bundles, List<String> engine) {
        Map<String, String> models = new LinkedHashMap<>();
        models.put("original", original.toString());
        for (int i = 0; i < gold.size(); i++) {
            models.put(i == 0 ? "gold" : "gold-seed" + i, gold.get(i).toString());
        }
        components.put("world:" + world, worldVersion);
        manifest = new Report.Manifest(world, spec.split(), seeds(), bundles, Map.of(), Map.of(), "", models, Map.of(),
                engine.get(0), engine.get(1), engine.get(2), System.getProperty("java.version"));
    }

    private List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (int s = 0; s < spec.seeds(); s++) {
            seeds.add(spec.firstSeed() + s);
        }
        return seeds;
    }

    void method(String name, MethodDescriptor descriptor) {
        rows.put(name, new RowData(Report.RowKind.METHOD, descriptor.bundleVersion()));
        components.put("method:" + name, descriptor.bundle() + " " + descriptor.bundleVersion());
        config(name, spec.settings().getOrDefault(name, Map.of()), descriptor);
    }

    /** The method's settings: its defaults, overridden by what the comparison set. */
    void config(String name, Map<String, String> settings, MethodDescriptor descriptor) {
        Map<String, String> full = new TreeMap<>();
        descriptor.config().ifPresent(schema -> schema.attributes().forEach(a -> full.put(a.key(), String.join(",", a.defaults()))));
        full.putAll(settings);
        configs.put(name, full);
    }

    /**
     * A protocol's evaluation of a row's model: its results become columns {@code <protocol>:<split>.<metric>}
     * (curves likewise), beside the main evaluation's.
     */
    void protocol(String protocol, String rowName, long seed, ModelRef model, Runs.EvaluationOutcome outcome) {
        RowData row = rows.get(rowName);
        outcome.evaluation().ifPresent(e -> {
            for (MetricResult r : e.results()) {
                String split = protocol + ":" + r.split();
                String key = split + "." + r.metric();
                protocolColumns.putIfAbsent(key, new Report.Column(key, r.metric(), r.version(), split, r.direction()));
                row.protocolValues.computeIfAbsent(key, k -> new ArrayList<>()).add(r.aggregate());
                r.curve().forEach((step, v) -> point(row, key, step, v));
            }
            e.failures().forEach((component, reason) -> notes.add(protocol + ": " + component + " produced nothing: " + reason));
            components.putAll(versionsOf(outcome.record().spec().componentVersion()));
        });
        failure(outcome).ifPresent(f -> notes.add(protocol + ": " + rowName + " seed " + seed + " (" + model + "): " + f));
    }

    /** The corrupted model's evaluation in the misinformation protocol: the {@code corrupted} reference row. */
    void corrupted(long seed, ModelRef model, Runs.EvaluationOutcome outcome) {
        RowData row = rows.computeIfAbsent("corrupted", k -> new RowData(Report.RowKind.CORRUPTED, ""));
        Map<String, String> runs = new LinkedHashMap<>();
        runs.put("evaluate", outcome.record().key().value());
        row.seeds.add(new SeedData(seed, outcome.record().state().name(), failure(outcome), Optional.of(model.toString()),
                runs, 0, 0, Optional.empty()));
        protocol(ComparisonRunner.MISINFORMATION, "corrupted", seed, model, outcome);
    }

    /** A note for the report's reader. */
    void note(String note) {
        notes.add(note);
    }

    /**
     * The state after one request of the sequential protocol: forget exact match, model utility and
     * forget quality (against that split's gold models, pooled) as curves over requests.
     */
    void sequential(String name, int request, Evaluation evaluation, List<Evaluation> gold) {
        RowData row = rows.get(name);
        find(evaluation, Roles.FORGET, "exact-match").ifPresent(r -> point(row, "sequential.forget-exact-match", request, r.aggregate()));
        evaluation.results().stream().filter(r -> r.metric().equals("model-utility")).findFirst()
                .ifPresent(r -> point(row, "sequential.model-utility", request, r.aggregate()));
        find(evaluation, Roles.FORGET, TRUTH_RATIO).ifPresent(tr -> {
            double[] pooled = gold.stream().flatMap(g -> find(g, Roles.FORGET, TRUTH_RATIO).stream())
                    .flatMap(g -> g.perItem().values().stream()).mapToDouble(Double::doubleValue).toArray();
            double[] own = tr.perItem().values().stream().mapToDouble(Double::doubleValue).toArray();
            if (own.length > 0 && pooled.length > 0) {
                point(row, "sequential.forget-quality", request, KolmogorovSmirnov.twoSample(own, pooled).pValue());
            }
        });
    }

    private static void point(RowData row, String curve, int step, double value) {
        row.protocolCurves.computeIfAbsent(curve, k -> new TreeMap<>()).computeIfAbsent(step, k -> new ArrayList<>()).add(value);
    }

    void partial() {
        partial = true;
    }

    /** The sample images of the rows' models (text-to-image comparisons). */
    void gallery(Report.Gallery images) {
        gallery = Optional.of(images);
    }

    void reference(Report.RowKind kind, long seed, ModelRef model, Runs.EvaluationOutcome outcome) {
        RowData row = rows.get(kind == Report.RowKind.GOLD ? "gold" : "original");
        Map<String, String> runs = new LinkedHashMap<>();
        runs.put("evaluate", outcome.record().key().value());
        row.seeds.add(new SeedData(seed, outcome.record().state().name(), failure(outcome), Optional.of(model.toString()),
                runs, 0, 0, outcome.evaluation()));
        note(outcome);
    }

    void notRun(String name, long seed) {
        rows.get(name).seeds.add(new SeedData(seed, "NOT_RUN", Optional.of("the comparison was cancelled"),
                Optional.empty(), Map.of(), 0, 0, Optional.empty()));
    }

    void failed(String name, long seed, Optional<RunRecord> record, String reason) {
        Map<String, String> runs = new LinkedHashMap<>();
        record.ifPresent(r -> runs.put(r.spec().kind().name().toLowerCase(java.util.Locale.ROOT), r.key().value()));
        String state = record.map(r -> r.state().name()).orElse(RunState.FAILED.name());
        rows.get(name).seeds.add(new SeedData(seed, state, Optional.of(reason), Optional.empty(), runs, 0, 0,
                Optional.empty()));
        notes.add(name + " seed " + seed + ": " + reason);
    }

    void method(String name, long seed, RunRecord unlearn, double seconds, double peakMb,
            Runs.EvaluationOutcome outcome) {
        Map<String, String> runs = new LinkedHashMap<>();
        runs.put(unlearn.spec().kind().name().toLowerCase(java.util.Locale.ROOT), unlearn.key().value());
        runs.put("evaluate", outcome.record().key().value());
        rows.get(name).seeds.add(new SeedData(seed, outcome.record().state() == RunState.COMMITTED ? "COMMITTED"
                : outcome.record().state().name(), failure(outcome), unlearn.result().map(ModelRef::toString), runs,
                seconds, peakMb, outcome.evaluation()));
        note(outcome);
    }

    private static Optional<String> failure(Runs.EvaluationOutcome outcome) {
        if (outcome.record().state() == RunState.COMMITTED) {
            return Optional.empty();
        }
        return Optional.of("evaluation " + outcome.record().state().name().toLowerCase()
                + outcome.record().reason().map(r -> ": " + r).orElse(""));
    }

    private void note(Runs.EvaluationOutcome outcome) {
        outcome.record().spec().data().forEach((role, ref) -> fingerprints.putIfAbsent(role,
                ref.fingerprint() + " " + ref.source()));
        outcome.evaluation().ifPresent(e -> {
            e.failures().forEach((component, reason) -> notes.add(component + " produced nothing: " + reason));
            components.putAll(versionsOf(outcome.record().spec().componentVersion()));
        });
        failure(outcome).ifPresent(notes::add);
    }

    /** {@code metric:a@1,probe:b@1} → {@code metric:a} → {@code 1}. */
    private static Map<String, String> versionsOf(String componentVersion) {
        Map<String, String> out = new TreeMap<>();
        for (String part : componentVersion.split(",")) {
            int at = part.lastIndexOf('@');
            if (at > 0) {
                out.put(part.substring(0, at), part.substring(at + 1));
            }
        }
        return out;
    }

    Report report() {
        // columns in order of first appearance, then the comparison's own
        Map<String, Report.Column> columns = new LinkedHashMap<>();
        for (RowData row : rows.values()) {
            for (SeedData seed : row.seeds) {
                seed.evaluation().ifPresent(e -> e.results().forEach(r -> columns.putIfAbsent(r.key(),
                        new Report.Column(r.key(), r.metric(), r.version(), r.split(), r.direction()))));
            }
        }
        List<Evaluation> gold = evaluations(rows.get("gold"));
        boolean hasTruthRatio = columns.containsKey(Roles.FORGET + "." + TRUTH_RATIO) && !gold.isEmpty();
        if (hasTruthRatio) {
            put(columns, Roles.FORGET, FORGET_QUALITY, MetricResult.Direction.HIGHER_IS_BETTER);
        }
        List<String> membership = columns.values().stream()
                .filter(c -> c.split().equals(Roles.FORGET) && c.metric().startsWith("mia-")).map(Report.Column::metric).toList();
        for (String mia : membership) {
            put(columns, Roles.FORGET, "privleak-" + mia, MetricResult.Direction.CLOSER_IS_BETTER);
        }
        boolean hasRelearning = columns.containsKey(HELDOUT + "." + RELEARNED) && !gold.isEmpty();
        if (hasRelearning) {
            put(columns, HELDOUT, RELEARNING_EXCESS, MetricResult.Direction.LOWER_IS_BETTER);
        }
        columns.putAll(protocolColumns);
        // RESTOR: (Acc_unlearned − Acc_corrupted) / (Acc_clean − Acc_corrupted) on the misinformed facts' truth
        double clean = mean(valuesOf("original", TRUTH));
        double corrupt = mean(valuesOf("corrupted", TRUTH));
        boolean hasRecovery = Double.isFinite(clean) && Double.isFinite(corrupt) && Math.abs(clean - corrupt) > 1e-9;
        if (hasRecovery) {
            put(columns, ComparisonRunner.MISINFORMATION + ":restor", RECOVERY, MetricResult.Direction.HIGHER_IS_BETTER);
            for (RowData row : rows.values()) {
                for (double truth : row.protocolValues.getOrDefault(TRUTH, List.of())) {
                    row.protocolValues.computeIfAbsent(ComparisonRunner.MISINFORMATION + ":restor." + RECOVERY,
                            k -> new ArrayList<>()).add((truth - corrupt) / (clean - corrupt));
                }
            }
        }

        List<Report.Row> out = new ArrayList<>();
        List<Map.Entry<String, RowData>> ordered = new ArrayList<>(rows.entrySet());
        ordered.sort(java.util.Comparator.comparingInt(e -> e.getValue().kind.ordinal()));
        for (Map.Entry<String, RowData> entry : ordered) {
            RowData row = entry.getValue();
            if (row.kind == Report.RowKind.GOLD && row.seeds.isEmpty()) {
                continue; // an erasure comparison has no gold model
            }
            Map<String, List<Double>> values = new LinkedHashMap<>();
            Map<String, SortedMap<Integer, List<Double>>> curves = new LinkedHashMap<>();
            List<Report.SeedRun> seedRuns = new ArrayList<>();
            for (int i = 0; i < row.seeds.size(); i++) {
                SeedData seed = row.seeds.get(i);
                seedRuns.add(new Report.SeedRun(seed.seed(), seed.state(), seed.reason(), seed.model(), seed.runs(),
                        seed.seconds(), seed.peakMb()));
                if (seed.evaluation().isEmpty()) {
                    continue;
                }
                Evaluation e = seed.evaluation().get();
                List<Evaluation> others = row.kind == Report.RowKind.GOLD && gold.size() > 1
                        ? gold.stream().filter(g -> g != e).toList() : gold;
                for (MetricResult r : e.results()) {
                    values.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.aggregate());
                    r.curve().forEach((step, v) -> curves.computeIfAbsent(r.key(), k -> new TreeMap<>())
                            .computeIfAbsent(step, k -> new ArrayList<>()).add(v));
                }
                if (hasTruthRatio) {
                    find(e, Roles.FORGET, TRUTH_RATIO).ifPresent(tr -> {
                        double[] pooled = others.stream().flatMap(g -> find(g, Roles.FORGET, TRUTH_RATIO).stream())
                                .flatMap(g -> g.perItem().values().stream()).mapToDouble(Double::doubleValue).toArray();
                        double[] own = tr.perItem().values().stream().mapToDouble(Double::doubleValue).toArray();
                        if (own.length > 0 && pooled.length > 0) {
                            values.computeIfAbsent(Roles.FORGET + "." + FORGET_QUALITY, k -> new ArrayList<>())
                                    .add(KolmogorovSmirnov.twoSample(own, pooled).pValue());
                        }
                    });
                }
                for (String mia : membership) {
                    find(e, Roles.FORGET, mia).ifPresent(r -> {
                        double reference = mean(others.stream().flatMap(g -> find(g, Roles.FORGET, mia).stream())
                                .map(MetricResult::aggregate).toList());
                        if (Double.isFinite(reference) && reference != 0) {
                            values.computeIfAbsent(Roles.FORGET + ".privleak-" + mia, k -> new ArrayList<>())
                                    .add((r.aggregate() - reference) / reference * 100);
                        }
                    });
                }
                if (hasRelearning) {
                    find(e, HELDOUT, RELEARNED).ifPresent(r -> {
                        double reference = mean(others.stream().flatMap(g -> find(g, HELDOUT, RELEARNED).stream())
                                .map(MetricResult::aggregate).toList());
                        if (Double.isFinite(reference)) {
                            values.computeIfAbsent(HELDOUT + "." + RELEARNING_EXCESS, k -> new ArrayList<>())
                                    .add(r.aggregate() - reference);
                        }
                    });
                }
            }
            row.protocolValues.forEach((key, v) -> values.computeIfAbsent(key, k -> new ArrayList<>()).addAll(v));
            row.protocolCurves.forEach((key, steps) -> steps.forEach((step, v) -> curves
                    .computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(step, k -> new ArrayList<>()).addAll(v)));
            Optional<String> rowFailure = row.seeds.stream().map(SeedData::reason).flatMap(Optional::stream).findFirst();
            Map<String, Report.Cell> cells = new LinkedHashMap<>();
            for (String key : columns.keySet()) {
                if (row.kind == Report.RowKind.CORRUPTED && !key.startsWith(ComparisonRunner.MISINFORMATION + ":")) {
                    continue; // the corrupted model is measured by the misinformation protocol only
                }
                List<Double> v = values.getOrDefault(key, List.of());
                cells.put(key, cell(v, v.isEmpty() ? Optional.of(rowFailure.orElse("not measured")) : Optional.empty()));
            }
            Map<String, SortedMap<Integer, Report.Cell>> curveCells = new LinkedHashMap<>();
            curves.forEach((key, steps) -> {
                SortedMap<Integer, Report.Cell> c = new TreeMap<>();
                steps.forEach((step, v) -> c.put(step, cell(v, Optional.empty())));
                curveCells.put(key, c);
            });
            out.add(new Report.Row(entry.getKey(), row.kind, row.version, cells, curveCells, seedRuns));
        }
        if (partial) {
            notes.add("The comparison was cancelled: the cells of what did not run show why.");
        }
        Report.Manifest m = new Report.Manifest(manifest.world(), manifest.split(), manifest.seeds(), manifest.bundles(),
                components, configs, configHash(), manifest.models(), fingerprints, manifest.djlVersion(),
                manifest.engine(), manifest.device(), manifest.java());
        return new Report(Report.SCHEMA, clock.instant(), partial, m, out, List.copyOf(columns.values()), List.copyOf(notes),
                gallery);
    }

    private List<Double> valuesOf(String row, String key) {
        RowData data = rows.get(row);
        return data == null ? List.of() : data.protocolValues.getOrDefault(key, List.of());
    }

    private static void put(Map<String, Report.Column> columns, String split, String metric, MetricResult.Direction direction) {
        String key = split + "." + metric;
        columns.put(key, new Report.Column(key, metric, DERIVED_VERSION, split, direction));
    }

    private static List<Evaluation> evaluations(RowData row) {
        return row.seeds.stream().map(SeedData::evaluation).flatMap(Optional::stream).toList();
    }

    private static Optional<MetricResult> find(Evaluation e, String split, String metric) {
        return e.results().stream().filter(r -> r.split().equals(split) && r.metric().equals(metric)).findFirst();
    }

    private static double mean(List<Double> values) {
        return values.isEmpty() ? Double.NaN : values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
    }

    private static Report.Cell cell(List<Double> values, Optional<String> failure) {
        double mean = mean(values);
        double std = 0;
        if (values.isEmpty()) {
            std = Double.NaN;
        } else if (values.size() > 1) {
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            std = Math.sqrt(ss / (values.size() - 1));
        }
        return new Report.Cell(mean, std, values, failure);
    }

    /** SHA-256 of the configs, probes, seeds, world and split, in a canonical text form. */
    private String configHash() {
        StringBuilder canonical = new StringBuilder();
        canonical.append("world=").append(spec.world()).append('\n').append("split=").append(spec.split()).append('\n');
        canonical.append("seeds=").append(seeds()).append('\n').append("probes=").append(spec.probes()).append('\n');
        configs.forEach((method, settings) -> {
            canonical.append("method=").append(method).append('\n');
            settings.forEach((k, v) -> canonical.append("  ").append(k).append('=').append(v).append('\n'));
        });
        return Hashing.sha256().hashString(canonical, StandardCharsets.UTF_8).toString();
    }
}

package org.lethe.report.render;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

import org.lethe.api.eval.Report;

/** Number and text formatting shared by the human-readable renderers. */
final class Format {

    /** The column key of forget efficacy's source: {@value}. */
    static final String FORGET_EXACT_MATCH = "forget.exact-match";
    /** The column key of model utility: {@value}. */
    static final String MODEL_UTILITY = "retain+world.model-utility";
    /** The column key of unlearning quality in a vision-language comparison: {@value}. */
    static final String VQA_UNLEARNING_QUALITY = "vqa_forget.unlearning-quality";
    /** The column key of utility in a vision-language comparison (images without the concepts): {@value}. */
    static final String VQA_UTILITY = "vqa_utility.vqa-accuracy";

    private Format() {
    }

    /**
     * A value with three decimals, or three significant digits when it is smaller than 0.001 in
     * magnitude (so that small values do not read as zero).
     */
    static String number(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "∞" : "-∞";
        }
        if (x == 0 || Math.abs(x) >= 0.001) {
            String s = String.format(Locale.ROOT, "%.3f", x);
            return s.equals("-0.000") ? "0.000" : s;
        }
        return String.format(Locale.ROOT, "%.3g", x);
    }

    /** {@code mean ± std}; just the mean when the std is 0 or not a number (one seed). */
    static String meanStd(double mean, double std) {
        if (Double.isNaN(std) || std == 0) {
            return number(mean);
        }
        return number(mean) + " ± " + number(std);
    }

    /** The text of a cell: its failure, or its mean ± std. */
    static String cell(Report.Cell cell) {
        if (cell == null) {
            return "—";
        }
        if (cell.failure().isPresent()) {
            return "failed: " + cell.failure().get();
        }
        if (Double.isNaN(cell.mean())) {
            return "n/a";
        }
        return meanStd(cell.mean(), cell.std());
    }

    /** The mean and sample std over the runs that committed, of one of their quantities; empty when none. */
    static Optional<double[]> runStat(Report.Row row, java.util.function.ToDoubleFunction<Report.SeedRun> f) {
        List<Double> values = row.runs().stream().filter(r -> "COMMITTED".equals(r.state()))
                .map(r -> f.applyAsDouble(r)).toList();
        if (values.isEmpty()) {
            return Optional.empty();
        }
        org.lethe.report.stats.Summary s = org.lethe.report.stats.Summary.of(values);
        return s.n() == 0 ? Optional.empty() : Optional.of(new double[] {s.mean(), s.std()});
    }

    /** Unlearning seconds over the committed runs, "—" for reference rows and rows without one. */
    static String seconds(Report.Row row) {
        if (row.kind() != Report.RowKind.METHOD) {
            return "—";
        }
        return runStat(row, Report.SeedRun::unlearningSeconds).map(v -> meanStd(v[0], v[1]) + " s").orElse("—");
    }

    /** Peak memory over the committed runs, "—" when not measured. */
    static String memory(Report.Row row) {
        if (row.kind() != Report.RowKind.METHOD) {
            return "—";
        }
        return runStat(row, Report.SeedRun::peakMemoryMb).filter(v -> v[0] != 0)
                .map(v -> meanStd(v[0], v[1]) + " MB").orElse("—");
    }

    /** A cell's mean when it has a finite one and no failure. */
    static OptionalDouble usable(Report.Cell cell) {
        if (cell == null || cell.failure().isPresent() || !Double.isFinite(cell.mean())) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(cell.mean());
    }

    /** A std usable for an error bar: finite and positive, else 0. */
    static double spread(Report.Cell cell) {
        double s = cell.std();
        return Double.isFinite(s) && s > 0 ? s : 0;
    }

    /**
     * @param curve a curve's name (a column key)
     * @return what its chart is called: a relearning curve (a name with {@code relearning}), or a
     *     curve over a probe's own steps (e.g. the concept inversion's loss)
     */
    static String curveTitle(String curve) {
        return curve.contains("relearning") ? "Relearning curve" : "Curve over the probe's steps";
    }

    /**
     * @param curve a curve's name
     * @return what its steps count: relearning (fine-tuning) steps, or the probe's own steps
     */
    static String curveSteps(String curve) {
        return curve.contains("relearning") ? "relearning step" : "step";
    }

    /** A lower-case name of a row kind, as the formats write it. */
    static String kind(Report.RowKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** A direction as the formats write it, e.g. {@code higher-is-better}. */
    static String direction(org.lethe.api.eval.MetricResult.Direction d) {
        return d == null ? "" : d.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

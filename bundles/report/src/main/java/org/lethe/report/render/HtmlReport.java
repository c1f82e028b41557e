package org.lethe.report.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;

import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Report;

/**
 * A report as one self-contained HTML page that opens offline: inline CSS, charts as inline SVG
 * generated here, no script and no external resource (no URL in any {@code src} or {@code href}).
 *
 * <p>The page holds the manifest, the results table, the charts, the gallery (text-to-image
 * comparisons), the per-seed runs and the notes.
 * The charts:
 * <ul>
 * <li>trade-off ({@code data-chart="tradeoff"}): forget efficacy (1 − the mean of column
 * {@value Format#FORGET_EXACT_MATCH}) against model utility (column {@value Format#MODEL_UTILITY}),
 * one mark per row, with error bars where the std over seeds is positive; in a vision-language
 * comparison (no forget exact match, but {@value Format#VQA_UNLEARNING_QUALITY}), unlearning quality
 * against utility ({@value Format#VQA_UTILITY});</li>
 * <li>curves ({@code data-chart="curve"}, one chart per curve name): a probe's value over its steps,
 * relearning curves over fine-tuning steps (a name with {@code relearning}), others, such as the
 * concept inversion's loss, over the probe's own optimisation steps; one
 * {@code <g class="series" data-row="...">} per row holding its line and one mark per step;</li>
 * <li>recovery bars ({@code data-chart="recovery"}, one chart per column whose metric starts with
 * {@code restor} or {@code recovery}): one bar per row.</li>
 * </ul>
 * Every mark is an SVG element with {@code class="mark"} and {@code data-row="<row name>"}. A chart
 * whose data is absent says so in a {@code <p class="empty">} instead of drawing, and rows that
 * cannot be drawn (a failed or missing cell) are listed under the chart with the reason. All text is
 * escaped.
 */
public final class HtmlReport {

    private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
        "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"};
    private static final String ORIGINAL_COLOUR = "#444444";
    private static final String GOLD_COLOUR = "#b8860b";
    private static final String CORRUPTED_COLOUR = "#8b0000";

    private static final int WIDTH = 640;
    private static final int HEIGHT = 380;
    private static final int LEFT = 64;
    private static final int RIGHT = 170;
    private static final int TOP = 20;
    private static final int BOTTOM = 56;

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:72em;\
            padding:0 1em;color:#222;line-height:1.4}
            h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
            table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
            th,td{border:1px solid #ccc;padding:.25em .55em;vertical-align:top}
            th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
            td.failed{background:#fde8e8;color:#8a1f11}tr.reference td:first-child{font-style:italic}
            .partial{background:#fff3cd;border:1px solid #e0c36a;padding:.5em 1em}
            .dir{font-weight:normal;color:#666;font-size:.85em}code{font-size:.9em}
            figure.chart{margin:1em 0;display:inline-block;vertical-align:top}
            figcaption{font-weight:600;margin-bottom:.3em}
            svg{background:#fff;border:1px solid #e3e3e3}
            svg text{font-size:11px;fill:#333}svg .axis{stroke:#333;stroke-width:1}
            svg .grid{stroke:#eee;stroke-width:1}svg .errbar{stroke-width:1.2}
            svg .line{fill:none;stroke-width:2}
            .empty{color:#666;font-style:italic}ul.unplotted{color:#666;font-size:.85em;margin-top:0}
            details{margin:.4em 0}summary{cursor:pointer}
            table.gallery td{padding:2px;text-align:center}table.gallery th.prompt{font-weight:normal;font-size:.75em;
            max-width:7em;vertical-align:bottom}img.sample{width:64px;height:64px;image-rendering:pixelated;
            image-rendering:crisp-edges;display:block}
            """;

    /** A renderer; it holds no state. */
    public HtmlReport() {
    }

    /**
     * Renders a report.
     *
     * @param report the report
     * @return the page
     */
    public String render(Report report) {
        Report.Manifest m = report.manifest();
        Map<String, String> colours = colours(report);
        StringBuilder out = new StringBuilder(64 * 1024);
        String title = "Lethe report: " + m.world() + ", split " + m.split();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        out.append("<h1>").append(esc(title)).append("</h1>\n");
        if (report.partial()) {
            out.append("<p class=\"partial\"><strong>partial</strong>: the comparison was cancelled before every ")
                    .append("cell was measured; what finished is shown.</p>\n");
        }
        manifest(out, report);
        results(out, report);
        out.append("<section id=\"charts\">\n<h2>Charts</h2>\n");
        tradeoff(out, report, colours);
        curves(out, report, colours);
        recovery(out, report, colours);
        out.append("</section>\n");
        report.gallery().ifPresent(g -> gallery(out, g));
        runs(out, report);
        out.append("<section id=\"notes\">\n<h2>Notes</h2>\n");
        if (report.notes().isEmpty()) {
            out.append("<p>None.</p>\n");
        } else {
            out.append("<ul>\n");
            report.notes().forEach(n -> out.append("<li>").append(esc(n)).append("</li>\n"));
            out.append("</ul>\n");
        }
        out.append("</section>\n</body>\n</html>\n");
        return out.toString();
    }

    // ---------------------------------------------------------------------------------- tables

    /** The sample grid: a row per model, a column per prompt, the same start noise down each column. */
    private static void gallery(StringBuilder out, Report.Gallery gallery) {
        out.append("<section id=\"gallery\">\n<h2>Gallery</h2>\n<p>").append(esc(gallery.sampler()))
                .append("; each column has one prompt and one start seed for every model.</p>\n");
        out.append("<table class=\"gallery\">\n<thead><tr><th>model</th>");
        for (int i = 0; i < gallery.prompts().size(); i++) {
            out.append("<th class=\"prompt\" title=\"seed ").append(gallery.seeds().get(i)).append("\">")
                    .append(esc(gallery.prompts().get(i))).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        gallery.images().forEach((row, images) -> {
            out.append("<tr><td>").append(esc(row)).append("</td>");
            for (int i = 0; i < images.size(); i++) {
                out.append("<td><img class=\"sample\" alt=\"").append(esc(row + ": " + gallery.prompts().get(i)))
                        .append("\" src=\"data:image/png;base64,").append(images.get(i)).append("\"></td>");
            }
            out.append("</tr>\n");
        });
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static void manifest(StringBuilder out, Report report) {
        Report.Manifest m = report.manifest();
        out.append("<section id=\"manifest\">\n<h2>Manifest</h2>\n<table>\n");
        kv(out, "schema", report.schema());
        kv(out, "created", report.created().toString());
        kv(out, "world", m.world());
        kv(out, "split", m.split());
        kv(out, "seeds", m.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        kv(out, "engine", m.engine());
        kv(out, "DJL", m.djlVersion());
        kv(out, "device", m.device());
        kv(out, "Java", m.java());
        kv(out, "config hash", m.configHash());
        out.append("</table>\n");
        map(out, "bundles", m.bundles());
        map(out, "components", m.components());
        out.append("<details><summary>configs (").append(m.configs().size()).append(")</summary>\n");
        for (Map.Entry<String, Map<String, String>> e : m.configs().entrySet()) {
            out.append("<h3>").append(esc(e.getKey())).append("</h3>\n");
            table(out, e.getValue());
        }
        out.append("</details>\n");
        map(out, "models", m.models());
        map(out, "data fingerprints", m.data());
        out.append("</section>\n");
    }

    private static void kv(StringBuilder out, String key, String value) {
        out.append("<tr><th>").append(esc(key)).append("</th><td><code>").append(esc(value))
                .append("</code></td></tr>\n");
    }

    private static void map(StringBuilder out, String name, Map<String, String> map) {
        out.append("<details><summary>").append(esc(name)).append(" (").append(map.size()).append(")</summary>\n");
        table(out, map);
        out.append("</details>\n");
    }

    private static void table(StringBuilder out, Map<String, String> map) {
        out.append("<table>\n");
        map.forEach((k, v) -> kv(out, k, v));
        out.append("</table>\n");
    }

    private static void results(StringBuilder out, Report report) {
        out.append("<section id=\"results\">\n<h2>Results</h2>\n")
                .append("<p>Mean ± sample standard deviation over seeds.</p>\n")
                .append("<table class=\"results\">\n<thead><tr><th>method</th><th>kind</th>");
        for (Report.Column c : report.columns()) {
            out.append("<th title=\"").append(esc(c.metric() + " v" + c.version() + " on " + c.split())).append("\">")
                    .append(esc(c.key())).append(" <span class=\"dir\">").append(arrow(c.direction()))
                    .append("</span></th>");
        }
        out.append("<th>unlearning time</th><th>peak memory</th></tr></thead>\n<tbody>\n");
        for (Report.Row row : report.rows()) {
            out.append("<tr").append(row.kind() == Report.RowKind.METHOD ? "" : " class=\"reference\"").append("><td>")
                    .append(esc(row.name())).append("</td><td>").append(Format.kind(row.kind())).append("</td>");
            for (Report.Column c : report.columns()) {
                Report.Cell cell = row.cells().get(c.key());
                boolean failed = cell != null && cell.failure().isPresent();
                out.append("<td class=\"").append(failed ? "failed" : "num").append("\">")
                        .append(esc(Format.cell(cell))).append("</td>");
            }
            out.append("<td class=\"num\">").append(esc(Format.seconds(row))).append("</td><td class=\"num\">")
                    .append(esc(Format.memory(row))).append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static String arrow(MetricResult.Direction d) {
        if (d == null) {
            return "";
        }
        return switch (d) {
            case HIGHER_IS_BETTER -> "↑ higher is better";
            case LOWER_IS_BETTER -> "↓ lower is better";
            case CLOSER_IS_BETTER -> "◎ closer to gold is better";
            case NEUTRAL -> "";
        };
    }

    private static void runs(StringBuilder out, Report report) {
        out.append("<section id=\"runs\">\n<h2>Runs</h2>\n<table>\n<thead><tr><th>method</th><th>seed</th>")
                .append("<th>state</th><th>model</th><th>reason</th><th>unlearning time</th><th>peak memory</th>")
                .append("<th>run keys</th></tr></thead>\n<tbody>\n");
        for (Report.Row row : report.rows()) {
            for (Report.SeedRun r : row.runs()) {
                boolean ok = "COMMITTED".equals(r.state());
                out.append("<tr><td>").append(esc(row.name())).append("</td><td class=\"num\">").append(r.seed())
                        .append("</td><td").append(ok ? "" : " class=\"failed\"").append(">").append(esc(r.state()))
                        .append("</td><td>").append(esc(r.model().orElse("—"))).append("</td><td>")
                        .append(esc(r.reason().orElse(""))).append("</td><td class=\"num\">")
                        .append(esc(Format.number(r.unlearningSeconds()))).append(" s</td><td class=\"num\">")
                        .append(esc(Format.number(r.peakMemoryMb()))).append(" MB</td><td>")
                        .append(esc(r.runs().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(", "))))
                        .append("</td></tr>\n");
            }
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    // ---------------------------------------------------------------------------------- charts

    private static Map<String, String> colours(Report report) {
        Map<String, String> colours = new LinkedHashMap<>();
        int i = 0;
        for (Report.Row row : report.rows()) {
            String c = switch (row.kind()) {
                case ORIGINAL -> ORIGINAL_COLOUR;
                case GOLD -> GOLD_COLOUR;
                case CORRUPTED -> CORRUPTED_COLOUR;
                case METHOD -> PALETTE[i++ % PALETTE.length];
            };
            colours.putIfAbsent(row.name(), c);
        }
        return colours;
    }

    /**
     * The axes of the trade-off chart: forget efficacy against utility.
     *
     * @param x the column of the x axis
     * @param invert whether x is drawn as 1 − the column (an accuracy on what was forgotten)
     * @param y the column of the y axis
     * @param caption the chart's caption
     * @param xLabel the x axis' label
     * @param yLabel the y axis' label
     */
    private record Axes(String x, boolean invert, String y, String caption, String xLabel, String yLabel) {
    }

    /** Language unlearning: 1 − forget exact match against model utility. */
    private static final Axes LANGUAGE_AXES = new Axes(Format.FORGET_EXACT_MATCH, true, Format.MODEL_UTILITY,
            "Trade-off: forget efficacy (1 − " + Format.FORGET_EXACT_MATCH + ") vs model utility (" + Format.MODEL_UTILITY + ")",
            "forget efficacy (1 − forget exact match) →", "model utility →");

    /** Vision-language unlearning: unlearning quality against accuracy on images without the concepts. */
    private static final Axes VQA_AXES = new Axes(Format.VQA_UNLEARNING_QUALITY, false, Format.VQA_UTILITY,
            "Trade-off: unlearning quality (" + Format.VQA_UNLEARNING_QUALITY + ") vs utility (" + Format.VQA_UTILITY + ")",
            "unlearning quality (1 − accuracy on forget questions) →", "utility (accuracy without the concepts) →");

    private static void tradeoff(StringBuilder out, Report report, Map<String, String> colours) {
        Axes axes = !hasColumn(report, Format.FORGET_EXACT_MATCH) && hasColumn(report, Format.VQA_UNLEARNING_QUALITY)
                ? VQA_AXES : LANGUAGE_AXES;
        out.append("<figure class=\"chart\" data-chart=\"tradeoff\">\n<figcaption>").append(esc(axes.caption()))
                .append("</figcaption>\n");
        boolean hasX = hasColumn(report, axes.x());
        boolean hasY = hasColumn(report, axes.y());
        if (!hasX || !hasY) {
            empty(out, "No data: the report has no column " + (hasX ? "" : axes.x())
                    + (!hasX && !hasY ? " and no column " : "") + (hasY ? "" : axes.y()) + ".");
            out.append("</figure>\n");
            return;
        }
        record Point(Report.Row row, double x, double y, double sx, double sy) {
        }
        List<Point> points = new ArrayList<>();
        List<String> unplotted = new ArrayList<>();
        for (Report.Row row : report.rows()) {
            Report.Cell fx = row.cells().get(axes.x());
            Report.Cell fy = row.cells().get(axes.y());
            OptionalDouble x = Format.usable(fx);
            OptionalDouble y = Format.usable(fy);
            if (x.isEmpty() || y.isEmpty()) {
                unplotted.add(row.name() + ": " + (x.isEmpty() ? axes.x() + " " + why(fx)
                        : axes.y() + " " + why(fy)));
                continue;
            }
            points.add(new Point(row, axes.invert() ? 1 - x.getAsDouble() : x.getAsDouble(), y.getAsDouble(),
                    Format.spread(fx), Format.spread(fy)));
        }
        if (points.isEmpty()) {
            empty(out, "No data: no row has both a " + axes.x() + " and a " + axes.y() + " value.");
            unplotted(out, unplotted);
            out.append("</figure>\n");
            return;
        }
        double[] xd = domain(points.stream().flatMap(p -> java.util.stream.Stream.of(p.x - p.sx, p.x + p.sx))
                .mapToDouble(Double::doubleValue).toArray(), true);
        double[] yd = domain(points.stream().flatMap(p -> java.util.stream.Stream.of(p.y - p.sy, p.y + p.sy))
                .mapToDouble(Double::doubleValue).toArray(), true);
        Plot plot = new Plot(xd, yd);
        svgOpen(out, axes == VQA_AXES ? "unlearning quality vs utility" : "forget efficacy vs model utility");
        plot.axes(out, axes.xLabel(), axes.yLabel(), true);
        for (Point p : points) {
            String colour = colours.get(p.row.name());
            double cx = plot.x(p.x);
            double cy = plot.y(p.y);
            if (p.sx > 0) {
                line(out, "errbar", colour, plot.x(p.x - p.sx), cy, plot.x(p.x + p.sx), cy);
            }
            if (p.sy > 0) {
                line(out, "errbar", colour, cx, plot.y(p.y - p.sy), cx, plot.y(p.y + p.sy));
            }
            String tip = p.row.name() + ": efficacy " + Format.meanStd(p.x, p.sx) + ", utility "
                    + Format.meanStd(p.y, p.sy);
            mark(out, p.row, colour, cx, cy, tip);
            out.append("<text class=\"label\" x=\"").append(n(cx + 8)).append("\" y=\"").append(n(cy - 6))
                    .append("\">").append(esc(p.row.name())).append("</text>\n");
        }
        out.append("</svg>\n");
        unplotted(out, unplotted);
        out.append("</figure>\n");
    }

    private static void curves(StringBuilder out, Report report, Map<String, String> colours) {
        Set<String> names = new LinkedHashSet<>();
        report.rows().forEach(r -> names.addAll(r.curves().keySet()));
        if (names.isEmpty()) {
            out.append("<figure class=\"chart\" data-chart=\"curve\">\n<figcaption>Curves</figcaption>\n");
            empty(out, "No data: the report has no curves (no relearning or other stepwise probe ran).");
            out.append("</figure>\n");
            return;
        }
        for (String name : names) {
            out.append("<figure class=\"chart\" data-chart=\"curve\" data-curve=\"").append(esc(name)).append("\">\n")
                    .append("<figcaption>").append(Format.curveTitle(name)).append(": ").append(esc(name))
                    .append("</figcaption>\n");
            List<Report.Row> rows = new ArrayList<>();
            List<String> unplotted = new ArrayList<>();
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Report.Row row : report.rows()) {
                SortedMap<Integer, Report.Cell> curve = row.curves().get(name);
                if (curve == null || curve.isEmpty()) {
                    continue;
                }
                boolean any = false;
                for (Map.Entry<Integer, Report.Cell> e : curve.entrySet()) {
                    OptionalDouble v = Format.usable(e.getValue());
                    if (v.isPresent()) {
                        any = true;
                        xs.add(e.getKey().doubleValue());
                        double s = Format.spread(e.getValue());
                        ys.add(v.getAsDouble() - s);
                        ys.add(v.getAsDouble() + s);
                    }
                }
                if (any) {
                    rows.add(row);
                } else {
                    unplotted.add(row.name() + ": " + why(curve.values().iterator().next()));
                }
            }
            if (rows.isEmpty()) {
                empty(out, "No data: no row has a value on this curve.");
                unplotted(out, unplotted);
                out.append("</figure>\n");
                continue;
            }
            Plot plot = new Plot(domain(xs.stream().mapToDouble(Double::doubleValue).toArray(), false),
                    domain(ys.stream().mapToDouble(Double::doubleValue).toArray(), true));
            svgOpen(out, Format.curveTitle(name).toLowerCase(java.util.Locale.ROOT) + " " + name);
            plot.axes(out, Format.curveSteps(name) + " →", name, false);
            for (Report.Row row : rows) {
                String colour = colours.get(row.name());
                out.append("<g class=\"series\" data-row=\"").append(esc(row.name())).append("\" stroke=\"")
                        .append(colour).append("\" fill=\"").append(colour).append("\">\n");
                StringBuilder path = new StringBuilder();
                StringBuilder marks = new StringBuilder();
                for (Map.Entry<Integer, Report.Cell> e : row.curves().get(name).entrySet()) {
                    OptionalDouble v = Format.usable(e.getValue());
                    if (v.isEmpty()) {
                        continue;
                    }
                    double cx = plot.x(e.getKey());
                    double cy = plot.y(v.getAsDouble());
                    path.append(path.isEmpty() ? "" : " ").append(n(cx)).append(',').append(n(cy));
                    double s = Format.spread(e.getValue());
                    if (s > 0) {
                        line(marks, "errbar", colour, cx, plot.y(v.getAsDouble() - s), cx,
                                plot.y(v.getAsDouble() + s));
                    }
                    marks.append("<circle class=\"mark\" data-row=\"").append(esc(row.name())).append("\" cx=\"")
                            .append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"3.5\"><title>")
                            .append(esc(row.name() + ", step " + e.getKey() + ": "
                                    + Format.meanStd(v.getAsDouble(), s)))
                            .append("</title></circle>\n");
                }
                out.append("<polyline class=\"line\" fill=\"none\" points=\"").append(path).append("\"/>\n").append(marks)
                        .append("</g>\n");
            }
            legend(out, rows, colours);
            out.append("</svg>\n");
            unplotted(out, unplotted);
            out.append("</figure>\n");
        }
    }

    private static void recovery(StringBuilder out, Report report, Map<String, String> colours) {
        List<Report.Column> columns = report.columns().stream().filter(c -> {
            String metric = c.metric().toLowerCase(Locale.ROOT);
            return metric.startsWith("restor") || metric.startsWith("recovery");
        }).toList();
        if (columns.isEmpty()) {
            out.append("<figure class=\"chart\" data-chart=\"recovery\">\n<figcaption>Recovery</figcaption>\n");
            empty(out, "No data: the report has no recovery column (no RESTOR recovery probe ran).");
            out.append("</figure>\n");
            return;
        }
        for (Report.Column c : columns) {
            out.append("<figure class=\"chart\" data-chart=\"recovery\" data-column=\"").append(esc(c.key()))
                    .append("\">\n<figcaption>Recovery: ").append(esc(c.key())).append("</figcaption>\n");
            List<Report.Row> rows = new ArrayList<>();
            List<String> unplotted = new ArrayList<>();
            List<Double> ys = new ArrayList<>(List.of(0.0));
            for (Report.Row row : report.rows()) {
                Report.Cell cell = row.cells().get(c.key());
                OptionalDouble v = Format.usable(cell);
                if (v.isEmpty()) {
                    if (cell != null) {
                        unplotted.add(row.name() + ": " + why(cell));
                    }
                    continue;
                }
                rows.add(row);
                ys.add(v.getAsDouble() - Format.spread(cell));
                ys.add(v.getAsDouble() + Format.spread(cell));
            }
            if (rows.isEmpty()) {
                empty(out, "No data: no row has a value in this column.");
                unplotted(out, unplotted);
                out.append("</figure>\n");
                continue;
            }
            double[] yd = domain(ys.stream().mapToDouble(Double::doubleValue).toArray(), true);
            Plot plot = new Plot(new double[] {0, rows.size()}, yd);
            svgOpen(out, "recovery " + c.key());
            plot.axes(out, "", c.metric(), false);
            double slot = (plot.x(1) - plot.x(0));
            double barWidth = Math.min(48, slot * 0.7);
            double zero = plot.y(Math.max(yd[0], Math.min(yd[1], 0)));
            for (int i = 0; i < rows.size(); i++) {
                Report.Row row = rows.get(i);
                Report.Cell cell = row.cells().get(c.key());
                double v = cell.mean();
                double s = Format.spread(cell);
                String colour = colours.get(row.name());
                double centre = plot.x(i + 0.5);
                double top = Math.min(zero, plot.y(v));
                double height = Math.abs(zero - plot.y(v));
                out.append("<rect class=\"mark\" data-row=\"").append(esc(row.name())).append("\" x=\"")
                        .append(n(centre - barWidth / 2)).append("\" y=\"").append(n(top)).append("\" width=\"")
                        .append(n(barWidth)).append("\" height=\"").append(n(height)).append("\" fill=\"")
                        .append(colour).append("\"><title>").append(esc(row.name() + ": " + Format.meanStd(v, s)))
                        .append("</title></rect>\n");
                if (s > 0) {
                    line(out, "errbar", "#333", centre, plot.y(v - s), centre, plot.y(v + s));
                }
                out.append("<text class=\"value\" x=\"").append(n(centre)).append("\" y=\"")
                        .append(n(Math.min(plot.y(v), plot.y(v + s)) - 4)).append("\" text-anchor=\"middle\">")
                        .append(esc(Format.number(v))).append("</text>\n");
                out.append("<text class=\"label\" transform=\"translate(").append(n(centre)).append(',')
                        .append(n(HEIGHT - BOTTOM + 14)).append(") rotate(-20)\" text-anchor=\"end\">")
                        .append(esc(row.name())).append("</text>\n");
            }
            out.append("</svg>\n");
            unplotted(out, unplotted);
            out.append("</figure>\n");
        }
    }

    private static boolean hasColumn(Report report, String key) {
        return report.columns().stream().anyMatch(c -> c.key().equals(key))
                || report.rows().stream().anyMatch(r -> r.cells().containsKey(key));
    }

    private static String why(Report.Cell cell) {
        if (cell == null) {
            return "not measured";
        }
        return cell.failure().map(f -> "failed: " + f).orElse("no value");
    }

    private static void empty(StringBuilder out, String text) {
        out.append("<p class=\"empty\">").append(esc(text)).append("</p>\n");
    }

    private static void unplotted(StringBuilder out, List<String> unplotted) {
        if (unplotted.isEmpty()) {
            return;
        }
        out.append("<ul class=\"unplotted\">\n");
        unplotted.forEach(u -> out.append("<li>not drawn: ").append(esc(u)).append("</li>\n"));
        out.append("</ul>\n");
    }

    private static void svgOpen(StringBuilder out, String label) {
        out.append("<svg width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(esc(label)).append("\">\n");
    }

    private static void mark(StringBuilder out, Report.Row row, String colour, double cx, double cy, String tip) {
        String common = "class=\"mark\" data-row=\"" + esc(row.name()) + "\" fill=\"" + colour + "\"";
        String title = "<title>" + esc(tip) + "</title>";
        switch (row.kind()) {
            case ORIGINAL -> out.append("<rect ").append(common).append(" x=\"").append(n(cx - 5)).append("\" y=\"")
                    .append(n(cy - 5)).append("\" width=\"10\" height=\"10\">").append(title).append("</rect>\n");
            case GOLD -> out.append("<polygon ").append(common).append(" points=\"").append(n(cx)).append(',')
                    .append(n(cy - 7)).append(' ').append(n(cx + 7)).append(',').append(n(cy)).append(' ')
                    .append(n(cx)).append(',').append(n(cy + 7)).append(' ').append(n(cx - 7)).append(',')
                    .append(n(cy)).append("\">").append(title).append("</polygon>\n");
            case CORRUPTED -> out.append("<polygon ").append(common).append(" points=\"").append(n(cx)).append(',')
                    .append(n(cy - 7)).append(' ').append(n(cx + 7)).append(',').append(n(cy + 6)).append(' ')
                    .append(n(cx - 7)).append(',').append(n(cy + 6)).append("\">").append(title).append("</polygon>\n");
            case METHOD -> out.append("<circle ").append(common).append(" cx=\"").append(n(cx)).append("\" cy=\"")
                    .append(n(cy)).append("\" r=\"5.5\">").append(title).append("</circle>\n");
        }
    }

    private static void legend(StringBuilder out, List<Report.Row> rows, Map<String, String> colours) {
        double x = WIDTH - RIGHT + 16;
        double y = TOP + 8;
        out.append("<g class=\"legend\">\n");
        for (Report.Row row : rows) {
            out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y - 8)).append("\" width=\"10\" ")
                    .append("height=\"10\" fill=\"").append(colours.get(row.name())).append("\"/>")
                    .append("<text x=\"").append(n(x + 16)).append("\" y=\"").append(n(y + 1)).append("\">")
                    .append(esc(row.name())).append("</text>\n");
            y += 16;
        }
        out.append("</g>\n");
    }

    private static void line(StringBuilder out, String cls, String colour, double x1, double y1, double x2,
            double y2) {
        out.append("<line class=\"").append(cls).append("\" stroke=\"").append(colour).append("\" x1=\"")
                .append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2)).append("\" y2=\"")
                .append(n(y2)).append("\"/>\n");
    }

    /** A range covering the values; with {@code unit}, it covers [0, 1] too (rates and scores). */
    private static double[] domain(double[] values, boolean unit) {
        double lo = unit ? 0 : Double.POSITIVE_INFINITY;
        double hi = unit ? 1 : Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            return new double[] {0, 1};
        }
        if (hi - lo < 1e-12) {
            return new double[] {lo - 1, hi + 1};
        }
        return new double[] {lo, hi};
    }

    /** The plotting area of a chart and its linear scales. */
    private static final class Plot {
        private final double[] xd;
        private final double[] yd;

        Plot(double[] xd, double[] yd) {
            this.xd = xd;
            this.yd = yd;
        }

        double x(double v) {
            return LEFT + (v - xd[0]) / (xd[1] - xd[0]) * (WIDTH - LEFT - RIGHT);
        }

        double y(double v) {
            return HEIGHT - BOTTOM - (v - yd[0]) / (yd[1] - yd[0]) * (HEIGHT - TOP - BOTTOM);
        }

        void axes(StringBuilder out, String xLabel, String yLabel, boolean xTicks) {
            double x0 = LEFT;
            double x1 = WIDTH - RIGHT;
            double y0 = HEIGHT - BOTTOM;
            double y1 = TOP;
            for (int i = 0; i <= 4; i++) {
                double v = yd[0] + (yd[1] - yd[0]) * i / 4;
                double py = y(v);
                line(out, "grid", "#eee", x0, py, x1, py);
                out.append("<text x=\"").append(n(x0 - 6)).append("\" y=\"").append(n(py + 4))
                        .append("\" text-anchor=\"end\">").append(esc(Format.number(v))).append("</text>\n");
            }
            if (xTicks) {
                for (int i = 0; i <= 4; i++) {
                    double v = xd[0] + (xd[1] - xd[0]) * i / 4;
                    double px = x(v);
                    line(out, "grid", "#eee", px, y0, px, y1);
                    out.append("<text x=\"").append(n(px)).append("\" y=\"").append(n(y0 + 16))
                            .append("\" text-anchor=\"middle\">").append(esc(Format.number(v))).append("</text>\n");
                }
            } else if (!xLabel.isEmpty()) {
                // integer steps: label the ends and, where there are few, every step
                long from = (long) Math.ceil(xd[0]);
                long to = (long) Math.floor(xd[1]);
                long every = Math.max(1, (to - from) / 8);
                for (long s = from; s <= to; s += every) {
                    out.append("<text x=\"").append(n(x(s))).append("\" y=\"").append(n(y0 + 16))
                            .append("\" text-anchor=\"middle\">").append(s).append("</text>\n");
                }
            }
            line(out, "axis", "#333", x0, y0, x1, y0);
            line(out, "axis", "#333", x0, y0, x0, y1);
            if (!xLabel.isEmpty()) {
                out.append("<text x=\"").append(n((x0 + x1) / 2)).append("\" y=\"").append(n(HEIGHT - 12))
                        .append("\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>\n");
            }
            out.append("<text transform=\"translate(14,").append(n((y0 + y1) / 2)).append(") rotate(-90)\" ")
                    .append("text-anchor=\"middle\">").append(esc(yLabel)).append("</text>\n");
        }
    }

    private static String n(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.equals("-0.00") ? "0.00" : s;
    }

    /**
     * Escapes text for HTML element content and attribute values.
     *
     * @param text the text, may be {@code null}
     * @return the escaped text
     */
    public static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

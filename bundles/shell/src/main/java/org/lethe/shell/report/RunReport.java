package org.lethe.shell.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;

/**
 * Renders one run record. The content is the same in every format: the run, its inputs with their
 * fingerprints (the reproducibility manifest of one run), its outcome, and the lineage of its result.
 *
 * @param record the run
 * @param method the method's descriptor, if it is still installed (for its paper)
 * @param lineage the result's lineage, newest first; empty when the run committed no model
 * @param generated when the report was made
 */
public record RunReport(RunRecord record, Optional<MethodDescriptor> method, List<ModelManifest> lineage, Instant generated) {

    /** The formats. */
    public enum Format {
        /** Markdown. */
        MD,
        /** JSON, one object. */
        JSON,
        /** CSV: a header line and one line for the run. */
        CSV,
        /** A self-contained HTML page (no script, no external resource). */
        HTML
    }

    /** What every format says about its scope. */
    static final String SCOPE_NOTE = "This is the report of one run record. The comparison report (metrics, probes and"
            + " charts across methods, settings and seeds) comes with the evaluation item.";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the lineage. */
    public RunReport {
        lineage = List.copyOf(lineage);
    }

    /**
     * @param format the format
     * @return the report, ending with a line break
     */
    public String render(Format format) {
        return switch (format) {
            case MD -> markdown();
            case JSON -> json();
            case CSV -> csv();
            case HTML -> html();
        };
    }

    /** The run's facts as label and value, in the order every format shows them. */
    Map<String, String> facts() {
        RunSpec spec = record.spec();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("run", record.key().value());
        facts.put("kind", spec.kind().name().toLowerCase(Locale.ROOT));
        facts.put(spec.kind() == RunSpec.Kind.TRAIN ? "world" : "method", spec.component());
        facts.put("component version", spec.componentVersion());
        method.ifPresent(m -> facts.put("paper", m.paper()));
        facts.put("model", spec.model().map(Object::toString).orElse(""));
        facts.put("state", record.state().name().toLowerCase(Locale.ROOT));
        facts.put("reason", record.reason().orElse(""));
        facts.put("result", record.result().map(Object::toString).orElse(""));
        facts.put("seed", String.valueOf(spec.seed()));
        facts.put("budget", spec.budget().map(Duration::toString).orElse(""));
        facts.put("submitted", record.submitted().toString());
        facts.put("started", record.started().map(Instant::toString).orElse(""));
        facts.put("ended", record.ended().map(Instant::toString).orElse(""));
        facts.put("duration", record.started().flatMap(s -> record.ended().map(e -> Duration.between(s, e).toString())).orElse(""));
        facts.put("steps", record.progress().step() + (record.progress().totalSteps() > 0 ? "/" + record.progress().totalSteps() : ""));
        facts.put("last loss", Double.isNaN(record.progress().loss()) ? "" : String.valueOf(record.progress().loss()));
        facts.put("attempt", String.valueOf(record.attempt()));
        return facts;
    }

    private String markdown() {
        StringBuilder out = new StringBuilder();
        RunSpec spec = record.spec();
        out.append("# Run ").append(record.key().value(), 0, 12).append(": ").append(md(spec.component()))
                .append(spec.model().map(m -> " on " + m).orElse("")).append("\n\n");
        out.append("| | |\n|---|---|\n");
        facts().forEach((k, v) -> out.append("| ").append(k).append(" | ").append(md(v)).append(" |\n"));
        out.append("\n## Settings\n\n");
        if (spec.config().isEmpty()) {
            out.append("None given: the method's defaults.\n");
        } else {
            out.append("| key | value |\n|---|---|\n");
            new TreeMap<>(spec.config()).forEach((k, v) -> out.append("| ").append(md(k)).append(" | ").append(md(v)).append(" |\n"));
        }
        out.append("\n## Data\n\n");
        if (spec.data().isEmpty()) {
            out.append("None.\n");
        } else {
            out.append("| role | source | sha256 |\n|---|---|---|\n");
            spec.data().forEach((role, ref) -> out.append("| ").append(md(role)).append(" | ").append(md(ref.source()))
                    .append(" | `").append(md(ref.fingerprint())).append("` |\n"));
        }
        if (!lineage.isEmpty()) {
            out.append("\n## Lineage of the result\n\n");
            for (ModelManifest step : lineage) {
                out.append("- ").append(step.ref()).append(" (").append(step.created()).append(')')
                        .append(step.producedBy().map(k -> ", produced by run `" + k.value() + "`").orElse(", root")).append('\n');
            }
        }
        out.append("\n---\n").append(SCOPE_NOTE).append(" Generated ").append(generated).append(".\n");
        return out.toString();
    }

    private String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "lethe.run-report/1");
        RunSpec spec = record.spec();
        root.put("run", record.key().value());
        root.put("kind", spec.kind().name().toLowerCase(Locale.ROOT));
        root.put("component", spec.component());
        root.put("componentVersion", spec.componentVersion());
        method.ifPresent(m -> root.put("paper", m.paper()));
        spec.model().ifPresentOrElse(m -> root.put("model", m.toString()), () -> root.putNull("model"));
        root.put("state", record.state().name().toLowerCase(Locale.ROOT));
        record.reason().ifPresentOrElse(r -> root.put("reason", r), () -> root.putNull("reason"));
        record.result().ifPresentOrElse(r -> root.put("result", r.toString()), () -> root.putNull("result"));
        root.put("seed", spec.seed());
        spec.budget().ifPresentOrElse(b -> root.put("budget", b.toString()), () -> root.putNull("budget"));
        ObjectNode config = root.putObject("settings");
        new TreeMap<>(spec.config()).forEach(config::put);
        ObjectNode data = root.putObject("data");
        spec.data().forEach((role, ref) -> data.putObject(role).put("source", ref.source()).put("sha256", ref.fingerprint()));
        ArrayNode probes = root.putArray("probes");
        spec.probes().forEach(probes::add);
        root.put("submitted", record.submitted().toString());
        record.started().ifPresentOrElse(s -> root.put("started", s.toString()), () -> root.putNull("started"));
        record.ended().ifPresentOrElse(e -> root.put("ended", e.toString()), () -> root.putNull("ended"));
        ObjectNode progress = root.putObject("progress");
        progress.put("step", record.progress().step());
        progress.put("totalSteps", record.progress().totalSteps());
        if (Double.isNaN(record.progress().loss())) {
            progress.putNull("loss");
        } else {
            progress.put("loss", record.progress().loss());
        }
        root.put("attempt", record.attempt());
        ArrayNode lineageNode = root.putArray("lineage");
        for (ModelManifest step : lineage) {
            ObjectNode node = lineageNode.addObject();
            node.put("model", step.ref().toString());
            node.put("created", step.created().toString());
            step.producedBy().ifPresentOrElse(k -> node.put("run", k.value()), () -> node.putNull("run"));
        }
        root.put("note", SCOPE_NOTE);
        root.put("generated", generated.toString());
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String csv() {
        Map<String, String> facts = facts();
        List<String> header = new ArrayList<>(facts.keySet());
        List<String> row = new ArrayList<>(facts.values());
        header.add("settings");
        row.add(String.join(";", new TreeMap<>(record.spec().config()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList()));
        record.spec().data().forEach((role, ref) -> {
            header.add(role);
            row.add(ref.source());
            header.add(role + " sha256");
            row.add(ref.fingerprint());
        });
        return String.join(",", header.stream().map(RunReport::csvCell).toList()) + "\n"
                + String.join(",", row.stream().map(RunReport::csvCell).toList()) + "\n";
    }

    private String html() {
        StringBuilder out = new StringBuilder();
        RunSpec spec = record.spec();
        String title = "Run " + record.key().value().substring(0, 12) + ": " + spec.component()
                + spec.model().map(m -> " on " + m).orElse("");
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(html(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;"
                        + "vertical-align:top}code{font-size:90%}.committed{color:#060}.failed,.cancelled{color:#a00}"
                        + "</style>\n</head>\n<body>\n<h1>").append(html(title)).append("</h1>\n<table>\n");
        facts().forEach((k, v) -> out.append("<tr><th>").append(html(k)).append("</th><td")
                .append(k.equals("state") ? " class=\"" + html(v) + "\"" : "").append('>').append(html(v)).append("</td></tr>\n"));
        out.append("</table>\n<h2>Settings</h2>\n");
        if (spec.config().isEmpty()) {
            out.append("<p>None given: the method's defaults.</p>\n");
        } else {
            out.append("<table>\n<tr><th>key</th><th>value</th></tr>\n");
            new TreeMap<>(spec.config()).forEach((k, v) -> out.append("<tr><td>").append(html(k)).append("</td><td>")
                    .append(html(v)).append("</td></tr>\n"));
            out.append("</table>\n");
        }
        out.append("<h2>Data</h2>\n<table>\n<tr><th>role</th><th>source</th><th>sha256</th></tr>\n");
        spec.data().forEach((role, ref) -> out.append("<tr><td>").append(html(role)).append("</td><td>")
                .append(html(ref.source())).append("</td><td><code>").append(html(ref.fingerprint())).append("</code></td></tr>\n"));
        out.append("</table>\n");
        if (!lineage.isEmpty()) {
            out.append("<h2>Lineage of the result</h2>\n<ol>\n");
            for (ModelManifest step : lineage) {
                out.append("<li>").append(html(step.ref().toString())).append(" (").append(html(step.created().toString()))
                        .append(")").append(html(step.producedBy().map(k -> ", produced by run " + k.value()).orElse(", root")))
                        .append("</li>\n");
            }
            out.append("</ol>\n");
        }
        out.append("<p><small>").append(html(SCOPE_NOTE)).append(" Generated ").append(html(generated.toString()))
                .append(".</small></p>\n</body>\n</html>\n");
        return out.toString();
    }

    /** Markdown table cell: pipes escaped, line breaks and control characters removed. */
    static String md(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replaceAll("[\\p{Cntrl}]", " ");
    }

    /** HTML text: the five special characters escaped, control characters removed. */
    static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;").replaceAll("[\\p{Cntrl}&&[^\n\t]]", "");
    }

    /** RFC 4180 cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused. */
    static String csvCell(String text) {
        String cell = text;
        if (!cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0 && !cell.matches("-?[0-9.eE+-]+")) {
            cell = "'" + cell;
        }
        if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
            cell = "\"" + cell.replace("\"", "\"\"") + "\"";
        }
        return cell;
    }
}

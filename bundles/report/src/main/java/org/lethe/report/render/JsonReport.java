package org.lethe.report.render;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

import org.lethe.api.eval.Report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A report as JSON ({@value Report#SCHEMA}, documented in {@code docs/report-schema.md}).
 *
 * <p>The tree is built field by field in a fixed order and pretty-printed with two-space indents,
 * {@code "name": value} and {@code "\n"} line ends, so the same report always gives the same bytes.
 * Numbers that are not finite (NaN, ±∞) are written as {@code null}; a cell's {@code failure} says
 * why it has no value.
 * The fields that vary from run to run are named {@code created}, {@code unlearningSeconds} and
 * {@code peakMemoryMb}, wherever they occur, so that a comparison can blank them.
 */
public final class JsonReport {

    /** The names of the fields that hold times and memory, excluded from reproducibility comparisons. */
    public static final List<String> VOLATILE_FIELDS = List.of("created", "unlearningSeconds", "peakMemoryMb");

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectWriter WRITER;

    static {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)).withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
        WRITER = new ObjectMapper().writer(printer);
    }

    /** A renderer; it holds no state. */
    public JsonReport() {
    }

    /**
     * Renders a report.
     *
     * @param report the report
     * @return its JSON text, ending with a line end
     */
    public String render(Report report) {
        try {
            return WRITER.writeValueAsString(tree(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /**
     * The report as a JSON tree, in the field order of the schema.
     *
     * @param report the report
     * @return its tree
     */
    public ObjectNode tree(Report report) {
        ObjectNode root = NODES.objectNode();
        root.put("schema", report.schema());
        root.put("created", report.created().toString());
        root.put("partial", report.partial());
        root.set("manifest", manifest(report.manifest()));
        ArrayNode columns = root.putArray("columns");
        for (Report.Column c : report.columns()) {
            ObjectNode o = columns.addObject();
            o.put("key", c.key());
            o.put("metric", c.metric());
            o.put("version", c.version());
            o.put("split", c.split());
            o.put("direction", c.direction() == null ? null : c.direction().name());
        }
        ArrayNode rows = root.putArray("rows");
        for (Report.Row row : report.rows()) {
            rows.add(row(row));
        }
        ArrayNode notes = root.putArray("notes");
        report.notes().forEach(notes::add);
        report.gallery().ifPresent(g -> {
            ObjectNode gallery = root.putObject("gallery");
            gallery.put("sampler", g.sampler());
            ArrayNode prompts = gallery.putArray("prompts");
            g.prompts().forEach(prompts::add);
            ArrayNode seeds = gallery.putArray("seeds");
            g.seeds().forEach(seeds::add);
            ObjectNode images = gallery.putObject("images");
            g.images().forEach((row, pngs) -> {
                ArrayNode list = images.putArray(row);
                pngs.forEach(list::add);
            });
        });
        return root;
    }

    private static ObjectNode manifest(Report.Manifest m) {
        ObjectNode o = NODES.objectNode();
        o.put("world", m.world());
        o.put("split", m.split());
        ArrayNode seeds = o.putArray("seeds");
        m.seeds().forEach(seeds::add);
        o.set("bundles", strings(m.bundles()));
        o.set("components", strings(m.components()));
        ObjectNode configs = o.putObject("configs");
        m.configs().forEach((k, v) -> configs.set(k, strings(v)));
        o.put("configHash", m.configHash());
        o.set("models", strings(m.models()));
        o.set("data", strings(m.data()));
        o.put("djlVersion", m.djlVersion());
        o.put("engine", m.engine());
        o.put("device", m.device());
        o.put("java", m.java());
        return o;
    }

    private static ObjectNode row(Report.Row row) {
        ObjectNode o = NODES.objectNode();
        o.put("name", row.name());
        o.put("kind", row.kind().name());
        o.put("version", row.version());
        ObjectNode cells = o.putObject("cells");
        row.cells().forEach((k, c) -> cells.set(k, cell(c)));
        ObjectNode curves = o.putObject("curves");
        for (Map.Entry<String, SortedMap<Integer, Report.Cell>> curve : row.curves().entrySet()) {
            ArrayNode points = curves.putArray(curve.getKey());
            curve.getValue().forEach((step, c) -> {
                ObjectNode p = points.addObject();
                p.put("step", step);
                p.setAll(cell(c));
            });
        }
        ArrayNode runs = o.putArray("runs");
        for (Report.SeedRun r : row.runs()) {
            ObjectNode run = runs.addObject();
            run.put("seed", r.seed());
            run.put("state", r.state());
            putOptional(run, "reason", r.reason());
            putOptional(run, "model", r.model());
            run.set("runs", strings(r.runs()));
            putNumber(run, "unlearningSeconds", r.unlearningSeconds());
            putNumber(run, "peakMemoryMb", r.peakMemoryMb());
        }
        return o;
    }

    private static ObjectNode cell(Report.Cell c) {
        ObjectNode o = NODES.objectNode();
        putNumber(o, "mean", c.mean());
        putNumber(o, "std", c.std());
        o.put("n", c.values().size());
        ArrayNode values = o.putArray("values");
        for (Double v : c.values()) {
            if (v == null || !Double.isFinite(v)) {
                values.addNull();
            } else {
                values.add(v.doubleValue());
            }
        }
        putOptional(o, "failure", c.failure());
        return o;
    }

    private static void putNumber(ObjectNode o, String name, double value) {
        if (Double.isFinite(value)) {
            o.put(name, value);
        } else {
            o.putNull(name);
        }
    }

    private static void putOptional(ObjectNode o, String name, Optional<String> value) {
        if (value.isPresent()) {
            o.put(name, value.get());
        } else {
            o.putNull(name);
        }
    }

    private static ObjectNode strings(Map<String, String> map) {
        ObjectNode o = NODES.objectNode();
        map.forEach(o::put);
        return o;
    }
}

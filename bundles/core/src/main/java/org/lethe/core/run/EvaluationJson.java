package org.lethe.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;

/**
 * An {@link Evaluation} as JSON ({@code runs/<key>/evaluation.json}): fields in a fixed order,
 * maps in their own order, non-finite numbers as {@code null} (read back as NaN).
 */
final class EvaluationJson {

    /** The file an evaluation run's results are kept in, in its run folder: {@value}. */
    static final String FILE = "evaluation.json";

    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private EvaluationJson() {
    }

    static byte[] write(Evaluation evaluation) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("run", evaluation.run().value());
        root.put("model", evaluation.model().toString());
        ArrayNode results = root.putArray("results");
        for (MetricResult r : evaluation.results()) {
            ObjectNode node = results.addObject();
            node.put("metric", r.metric());
            node.put("version", r.version());
            node.put("split", r.split());
            number(node, "aggregate", r.aggregate());
            node.put("direction", r.direction().name());
            node.put("needsReference", r.needsReference());
            ObjectNode items = node.putObject("perItem");
            r.perItem().forEach((k, v) -> number(items, k, v));
            ObjectNode curve = node.putObject("curve");
            r.curve().forEach((k, v) -> number(curve, String.valueOf(k), v));
        }
        ObjectNode failures = root.putObject("failures");
        evaluation.failures().forEach(failures::put);
        ObjectNode seconds = root.putObject("seconds");
        evaluation.seconds().forEach((k, v) -> number(seconds, k, v));
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Evaluation read(byte[] bytes) throws IOException {
        JsonNode root = MAPPER.readTree(bytes);
        List<MetricResult> results = new ArrayList<>();
        for (JsonNode node : root.path("results")) {
            Map<String, Double> items = new LinkedHashMap<>();
            fields(node.path("perItem"), items);
            Map<String, Double> curveByName = new LinkedHashMap<>();
            fields(node.path("curve"), curveByName);
            TreeMap<Integer, Double> curve = new TreeMap<>();
            curveByName.forEach((k, v) -> curve.put(Integer.parseInt(k), v));
            results.add(new MetricResult(node.path("metric").asText(), node.path("version").asText(),
                    node.path("split").asText(), number(node.path("aggregate")), items,
                    MetricResult.Direction.valueOf(node.path("direction").asText()),
                    node.path("needsReference").asBoolean(), curve));
        }
        Map<String, String> failures = new LinkedHashMap<>();
        root.path("failures").fields().forEachRemaining(e -> failures.put(e.getKey(), e.getValue().asText()));
        Map<String, Double> seconds = new LinkedHashMap<>();
        fields(root.path("seconds"), seconds);
        return new Evaluation(new RunKey(root.path("run").asText()), ModelRef.parse(root.path("model").asText()),
                results, failures, seconds);
    }

    private static void fields(JsonNode node, Map<String, Double> into) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            into.put(e.getKey(), number(e.getValue()));
        }
    }

    private static void number(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }
}

package org.lethe.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;

/**
 * JSON of specs and records. A spec's JSON is canonical (keys sorted, no whitespace), so that its
 * SHA-256 is the run's stable key.
 */
final class RunJson {

    static final ObjectMapper MAPPER = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private RunJson() {
    }

    static ObjectNode spec(RunSpec spec) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("kind", spec.kind().name());
        node.put("component", spec.component());
        node.put("componentVersion", spec.componentVersion());
        ObjectNode config = node.putObject("config");
        new TreeMap<>(spec.config()).forEach(config::put);
        spec.model().ifPresent(m -> node.put("model", m.toString()));
        ObjectNode data = node.putObject("data");
        new TreeMap<>(spec.data()).forEach((role, ref) -> {
            ObjectNode d = data.putObject(role);
            d.put("source", ref.source());
            d.put("fingerprint", ref.fingerprint());
        });
        ArrayNode probes = node.putArray("probes");
        spec.probes().forEach(probes::add);
        node.put("seed", spec.seed());
        spec.budget().ifPresent(b -> node.put("budgetMillis", b.toMillis()));
        return sorted(node);
    }

    static RunSpec spec(JsonNode node) {
        Map<String, String> config = new TreeMap<>();
        node.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        Map<String, RunSpec.DataRef> data = new TreeMap<>();
        node.path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                new RunSpec.DataRef(e.getValue().path("source").asText(), e.getValue().path("fingerprint").asText())));
        List<String> probes = new ArrayList<>();
        node.path("probes").forEach(p -> probes.add(p.asText()));
        return new RunSpec(RunSpec.Kind.valueOf(node.path("kind").asText()), node.path("component").asText(),
                node.path("componentVersion").asText(), config,
                node.hasNonNull("model") ? Optional.of(ModelRef.parse(node.get("model").asText())) : Optional.empty(),
                data, probes, node.path("seed").asLong(),
                node.hasNonNull("budgetMillis") ? Optional.of(Duration.ofMillis(node.get("budgetMillis").asLong()))
                        : Optional.empty());
    }

    /** The canonical bytes of a spec: what its key hashes. */
    static byte[] canonical(RunSpec spec) {
        try {
            return MAPPER.writeValueAsBytes(spec(spec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode record(RunRecord record) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("key", record.key().value());
        node.set("spec", spec(record.spec()));
        node.put("state", record.state().name());
        record.reason().ifPresent(r -> node.put("reason", r));
        record.result().ifPresent(r -> node.put("result", r.toString()));
        node.put("submitted", record.submitted().toString());
        record.started().ifPresent(t -> node.put("started", t.toString()));
        record.ended().ifPresent(t -> node.put("ended", t.toString()));
        ObjectNode progress = node.putObject("progress");
        progress.put("step", record.progress().step());
        progress.put("totalSteps", record.progress().totalSteps());
        if (!Double.isNaN(record.progress().loss())) {
            progress.put("loss", record.progress().loss());
        }
        progress.put("etaMillis", record.progress().etaMillis());
        node.put("attempt", record.attempt());
        return node;
    }

    static RunRecord record(JsonNode node) {
        JsonNode p = node.path("progress");
        return new RunRecord(new RunKey(node.path("key").asText()), spec(node.path("spec")),
                RunState.valueOf(node.path("state").asText()), optionalText(node, "reason"),
                optionalText(node, "result").map(ModelRef::parse), Instant.parse(node.path("submitted").asText()),
                optionalText(node, "started").map(Instant::parse), optionalText(node, "ended").map(Instant::parse),
                new RunRecord.Progress(p.path("step").asLong(), p.path("totalSteps").asLong(),
                        p.hasNonNull("loss") ? p.get("loss").asDouble() : Double.NaN, p.path("etaMillis").asLong(-1)),
                node.path("attempt").asInt());
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    /** Object fields in key order, recursively (the canonical form). */
    private static ObjectNode sorted(ObjectNode node) {
        ObjectNode out = MAPPER.createObjectNode();
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            JsonNode value = node.get(name);
            out.set(name, value instanceof ObjectNode object ? sorted(object) : value);
        }
        return out;
    }
}

package org.lethe.conformance.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.lethe.api.ServiceProperties;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunSpec;

/**
 * The kit's world: untrained, randomly initialised tiny language models and a few question–answer
 * items per data role, so that the kit runs before any built-in world exists.
 *
 * <p>A model is made through the API only: the {@value #ARCHITECTURE} architecture service creates
 * it, {@link LoadedModel#save} writes its weights into a folder, a hand-written {@code manifest.json}
 * names its kind, architecture and settings, and {@link ModelStore#importModel} makes it version 1
 * of a new id. Every check gets a model of its own, so that what one method does to one model (a
 * vandal's write, say) cannot decide another check.
 */
public final class TinyWorld {

    /** The architecture of the kit's models. */
    public static final String ARCHITECTURE = "tiny-lm";

    /** The data roles the kit has items for. */
    public static final List<String> ROLES = List.of(Task.FORGET, Task.RETAIN, Task.HOLDOUT);

    private static final String[][] FORGET = {
        {"where was alice born ?", "paris", "where is alice from ?", "lima"},
        {"where was bob born ?", "oslo", "where is bob from ?", "rome"},
    };
    private static final String[][] RETAIN = {
        {"where was carol born ?", "lima", "where is carol from ?", "paris"},
        {"where was dave born ?", "rome", "where is dave from ?", "oslo"},
    };
    private static final String[][] HOLDOUT = {
        {"where was erin born ?", "kyiv", "where is erin from ?", "oslo"},
    };
    private static final String TEMPLATE_ANSWER = "i do not know";
    private static final String VOCABULARY =
            "where was is born from ? alice bob carol dave erin paris oslo lima rome kyiv i do not know";

    /** Model ids made in this container: each check's model is new. */
    private static final AtomicInteger MODELS = new AtomicInteger();

    private final Services services;
    private final Path folder;

    /**
     * @param services service look-ups
     * @param folder where the data files and the models' import folders are written
     */
    public TinyWorld(Services services, Path folder) {
        this.services = services;
        this.folder = folder;
    }

    /**
     * Makes a new model: the tiny architecture's random initialisation, imported into the store.
     *
     * @param label a word naming its use (part of the id)
     * @return the new model's version 1
     */
    public ModelRef newModel(String label) {
        ModelStore store = services.await(ModelStore.class, null);
        ModelArchitecture architecture = services.await(ModelArchitecture.class,
                "(" + ServiceProperties.ARCHITECTURE + "=" + ARCHITECTURE + ")");
        int n = MODELS.incrementAndGet();
        String id = "kit-" + n + "-" + label.toLowerCase().replaceAll("[^a-z0-9]+", "-");
        Path source = folder.resolve("import-" + n);
        try {
            Files.createDirectories(source);
            Map<String, String> config;
            try (LoadedModel model = architecture.create(settings(), 1000L + n)) {
                if (model.kind() != ModelKind.LANGUAGE) {
                    throw new IllegalStateException(ARCHITECTURE + " made a " + model.kind() + " model, not a language model");
                }
                model.save(source);
                config = model.config();
            }
            Files.writeString(source.resolve("manifest.json"), manifest(config), StandardCharsets.UTF_8);
            return store.importModel(source, id, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tiny model " + id + " into " + source, e);
        } finally {
            deleteQuietly(source);
        }
    }

    /** @return the architecture settings: the data's words, and sizes small enough for milliseconds a step */
    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", VOCABULARY);
        settings.put("context", "4");
        settings.put("embedding", "8");
        settings.put("hidden", "16");
        settings.put("maxLength", "16");
        return settings;
    }

    private static String manifest(Map<String, String> config) {
        StringBuilder json = new StringBuilder("{\n  \"kind\": \"LANGUAGE\",\n  \"architecture\": ")
                .append(quote(ARCHITECTURE)).append(",\n  \"config\": {");
        String separator = "\n    ";
        for (Map.Entry<String, String> entry : config.entrySet()) {
            json.append(separator).append(quote(entry.getKey())).append(": ").append(quote(entry.getValue()));
            separator = ",\n    ";
        }
        return json.append("\n  }\n}\n").toString();
    }

    /**
     * The data of every role the kit has ({@link #ROLES}), as JSONL files written once.
     *
     * @return role to data reference (the fingerprint left for the run service to fill in)
     */
    public Map<String, RunSpec.DataRef> data() {
        Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
        data.put(Task.FORGET, file("forget.jsonl", FORGET));
        data.put(Task.RETAIN, file("retain.jsonl", RETAIN));
        data.put(Task.HOLDOUT, file("holdout.jsonl", HOLDOUT));
        return data;
    }

    private RunSpec.DataRef file(String name, String[][] items) {
        Path file = folder.resolve(name);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < items.length; i++) {
            String[] item = items[i];
            lines.append("{\"id\": ").append(quote(name.replace(".jsonl", "-") + i))
                    .append(", \"question\": ").append(quote(item[0]))
                    .append(", \"answer\": ").append(quote(item[1]))
                    .append(", \"paraphrases\": [").append(quote(item[2])).append(']')
                    .append(", \"perturbed\": [").append(quote(item[3])).append(']')
                    .append(", \"template_answer\": ").append(quote(TEMPLATE_ANSWER))
                    .append("}\n");
        }
        try {
            Files.createDirectories(folder);
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(lines.toString())) {
                Files.writeString(file, lines.toString(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return new RunSpec.DataRef(file.toString(), "");
    }

    /**
     * @param text a string
     * @return it as a JSON string literal
     */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover import folder is harmless
        }
    }
}

package org.lethe.shell.commands;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.lethe.api.LetheException;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.config.ConfigService;
import org.lethe.api.eval.ComparisonService;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.testing.Fakes;
import org.lethe.shell.testing.Records;

/**
 * A small container for command tests: two methods (ascent, unlearning; esd, erasure), a model tiny
 * with one version, a settings validator that checks types like core's, and a run service that
 * records what it was asked and ends every run in {@link #outcome}.
 */
final class World {

    static final ConfigSchema SCHEMA = new ConfigSchema("test.ascent", "Ascent", "", List.of(
            new ConfigSchema.Attribute("steps", "Integer", false, List.of("10"), "Steps.", Optional.of("1"), Optional.empty(), List.of()),
            new ConfigSchema.Attribute("learningRate", "Float", false, List.of("0.01"), "Rate.", Optional.of("0"), Optional.empty(), List.of())));

    static final List<MethodDescriptor> METHODS = List.of(
            new MethodDescriptor("ascent", MethodDescriptor.Kind.UNLEARNING, "language", "a paper", List.of("forget"), "b",
                    "1.0.0", Optional.of(SCHEMA)),
            new MethodDescriptor("esd", MethodDescriptor.Kind.ERASURE, "text-to-image", "a paper", List.of("erase"), "b",
                    "1.0.0", Optional.empty()));

    static final ModelManifest TINY = new ModelManifest(new ModelRef("tiny", 1), ModelKind.LANGUAGE, "tiny-lm", Map.of(),
            Optional.empty(), Optional.empty(), Map.of("weights.safetensors", "00".repeat(32)), List.of(), Instant.EPOCH);

    /** The TRAIN run that made {@link #TINY} when {@link #trainedBy} is set. */
    static final RunKey TRAIN = new RunKey("0123456789abcdef0123456789abcdef");

    /** The world whose TRAIN run made tiny's root, or null for an imported model; its only erasure task is red. */
    String trainedBy;
    final List<String> calls = new ArrayList<>();
    final List<RunSpec> submitted = new ArrayList<>();
    RunState outcome = RunState.COMMITTED;
    /** The reason of a failed run, when not the default ({@code diverged}). */
    String failure;
    final Path dir;
    final Services services;

    World(Path dir) {
        this.dir = dir;
        MethodRegistry registry = Fakes.of(MethodRegistry.class)
                .on("methods", a -> METHODS)
                .on("method", a -> METHODS.stream().filter(m -> m.name().equals(a[0])).findFirst())
                .build();
        ConfigService settings = Fakes.of(ConfigService.class).on("validate", a -> validate((ConfigSchema) a[0],
                cast(a[1]))).build();
        ModelStore store = Fakes.of(ModelStore.class)
                .on("ids", a -> List.of("tiny"))
                .on("versions", a -> a[0].equals("tiny") ? List.of(TINY) : List.of())
                .on("manifest", a -> {
                    ModelRef ref = (ModelRef) a[0];
                    if (ref.id().equals("tiny") && (ref.isBase() || ref.version() == 1)) {
                        return TINY;
                    }
                    throw LetheException.invalidInput("no model " + ref);
                })
                .on("lineage", a -> List.of(trainedBy == null ? TINY : new ModelManifest(TINY.ref(), TINY.kind(),
                        TINY.architecture(), TINY.config(), Optional.empty(), Optional.of(TRAIN), TINY.files(), List.of(),
                        Instant.EPOCH)))
                .build();
        RunService runs = Fakes.of(RunService.class)
                .on("plan", a -> plan((RunSpec) a[0]))
                .on("keyOf", a -> Records.KEY)
                .on("record", a -> a[0].equals(TRAIN) ? Optional.ofNullable(trainedBy).map(w -> new RunRecord(TRAIN,
                        new RunSpec(RunSpec.Kind.TRAIN, w, "1.0.0", Map.of(), Optional.empty(), Map.of(), List.of(), 0,
                                Optional.empty()), RunState.COMMITTED, Optional.empty(), Optional.of(TINY.ref()), Instant.EPOCH,
                        Optional.of(Instant.EPOCH), Optional.of(Instant.EPOCH), new RunRecord.Progress(1, 1, 0, 0), 1))
                        : submitted.isEmpty() ? Optional.empty() : Optional.of(ended()))
                .on("runs", a -> submitted.isEmpty() ? List.of() : List.of(ended()))
                .on("submit", a -> {
                    plan((RunSpec) a[0]);
                    calls.add("submit");
                    submitted.add((RunSpec) a[0]);
                    return Records.KEY;
                })
                .on("watch", a -> {
                    @SuppressWarnings("unchecked")
                    Consumer<RunRecord> listener = (Consumer<RunRecord>) a[1];
                    listener.accept(ended());
                    return (AutoCloseable) () -> { };
                })
                .on("cancel", a -> {
                    calls.add("cancel");
                    return true;
                })
                .build();
        ComparisonService comparisons = Fakes.of(ComparisonService.class)
                .on("evaluation", a -> {
                    if (a[0].equals("shapes-vqa")) { // a visual question-answering world: its task cut has questions too
                        if (!a[1].equals("red")) {
                            throw LetheException.invalidInput("'" + a[1] + "' is not a task of world '" + a[0] + "'");
                        }
                        Map<String, RunSpec.DataRef> roles = new LinkedHashMap<>();
                        for (String role : List.of("erase", "keep", "forget", "retain", "vqa_forget", "vqa_utility")) {
                            roles.put(role, new RunSpec.DataRef("world:shapes-vqa/cut.red." + role, ""));
                        }
                        return new RunSpec(RunSpec.Kind.EVALUATE, "all", "", Map.of(), Optional.of((ModelRef) a[2]), roles,
                                List.of(), 0, Optional.empty());
                    }
                    if (!a[1].equals("red")) {
                        throw LetheException.invalidInput("'" + a[1] + "' is not an erasure task of world '" + a[0] + "'");
                    }
                    return new RunSpec(RunSpec.Kind.EVALUATE, "all", "", Map.of(), Optional.of((ModelRef) a[2]), Map.of(
                            "erase", new RunSpec.DataRef("world:" + a[0] + "/cut.red.erase", ""),
                            "keep", new RunSpec.DataRef("world:" + a[0] + "/cut.red.keep", ""),
                            "erased_prompts", new RunSpec.DataRef("world:" + a[0] + "/cut.red.erased_prompts", "")),
                            List.of(), 0, Optional.empty());
                })
                .build();
        services = Services.of(registry, runs, store, settings, null, dir.resolve("data")).withEvaluation(null, comparisons);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> cast(Object map) {
        return (Map<String, String>) map;
    }

    private RunSpec plan(RunSpec spec) {
        calls.add("plan");
        for (RunSpec.DataRef ref : spec.data().values()) {
            if (ref.source().contains("broken")) {
                throw LetheException.invalidInput(ref.source() + ":2: field 'answer' is missing");
            }
        }
        Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
        spec.data().forEach((k, v) -> data.put(k, new RunSpec.DataRef(v.source(), "cd".repeat(32))));
        return new RunSpec(spec.kind(), spec.component(), "1.0.0", spec.config(), spec.model(), data, spec.probes(),
                spec.seed(), spec.budget());
    }

    private static Map<String, Object> validate(ConfigSchema schema, Map<String, String> given) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigSchema.Attribute a : schema.attributes()) {
            String text = given.getOrDefault(a.key(), a.defaults().get(0));
            try {
                Object value = a.type().equals("Integer") ? (Object) Integer.valueOf(text) : (Object) Float.valueOf(text);
                values.put(a.key(), value);
            } catch (NumberFormatException e) {
                throw LetheException.invalidInput("setting '" + a.key() + "' of " + schema.pid() + ": '" + text
                        + "' is not " + (a.type().equals("Integer") ? "an Integer" : "a Float"));
            }
        }
        return values;
    }

    private RunRecord ended() {
        RunRecord r = Records.record(outcome, 10, 10, 1.5, 0, 1);
        RunSpec spec = submitted.get(submitted.size() - 1);
        return new RunRecord(r.key(), spec, r.state(), failure != null ? Optional.of(failure) : r.reason(), r.result(),
                r.submitted(), r.started(), r.ended(), r.progress(), r.attempt());
    }

    /** What one call of a command did. */
    record Outcome(int status, String out, String err, String message) {
    }

    Outcome call(ShellCommand command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            command.callWith(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), dir);
            return new Outcome(0, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), "");
        } catch (LetheException e) {
            return new Outcome(e.exitStatus(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    e.getMessage());
        }
    }
}

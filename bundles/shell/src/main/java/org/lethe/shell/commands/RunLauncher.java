package org.lethe.shell.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.LetheException;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.shell.base.CommandException;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Names;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.RunFollower;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.Text;
import org.lethe.shell.presets.Preset;
import org.lethe.shell.presets.Presets;

/**
 * What {@code unlearn:run}, {@code unlearn:erase} and {@code unlearn:train} share: checking every input
 * at the edge (names with suggestions, files, settings with their types) before the run service plans
 * the run, the dry run, and starting a run in the foreground (followed, Ctrl-C cancels it) or detached.
 */
final class RunLauncher {

    /** How long a cancelled foreground run is waited for before the command returns anyway. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(60);

    /** The reason recorded when Ctrl-C cancels a foreground run. */
    static final String CTRL_C = "cancelled from the shell (Ctrl-C)";

    /** How often a plain progress line is printed while nothing else changes. */
    static final Duration PLAIN_EVERY = Duration.ofSeconds(2);

    private final Services services;
    private final Invocation call;
    private final Clock clock;

    RunLauncher(Services services, Invocation call, Clock clock) {
        this.services = services;
        this.call = call;
        this.clock = clock;
    }

    /** Settings as given, where each came from, and their checked values with the defaults filled in. */
    record Settings(Map<String, String> given, Map<String, String> origin, Map<String, Object> effective) {
        static final Settings NONE = new Settings(Map.of(), Map.of(), Map.of());
    }

    MethodDescriptor method(String name, MethodDescriptor.Kind kind) {
        List<MethodDescriptor> all = services.registry().methods();
        Optional<MethodDescriptor> found = all.stream().filter(m -> m.name().equals(name)).findFirst();
        if (found.isEmpty()) {
            throw Names.unknown(kind == MethodDescriptor.Kind.UNLEARNING ? "unlearning method" : "erasure method", name,
                    all.stream().filter(m -> m.kind() == kind).map(MethodDescriptor::name).toList(), "unlearn:methods");
        }
        MethodDescriptor method = found.get();
        if (method.kind() != kind) {
            throw LetheException.invalidInput("'" + name + "' is an " + method.kind().name().toLowerCase(Locale.ROOT)
                    + " method: use " + (method.kind() == MethodDescriptor.Kind.UNLEARNING ? "unlearn:run" : "unlearn:erase"));
        }
        return method;
    }

    ModelManifest model(String text) {
        return model(services.models(), text);
    }

    /** A bare split name: letters, digits, {@code _ . -}, no path separator, not a .jsonl file name. */
    private static final java.util.regex.Pattern SPLIT_NAME = java.util.regex.Pattern.compile("(?!.*\\.jsonl$)[A-Za-z0-9_.-]+");

    static ModelManifest model(ModelStore store, String text) {
        ModelRef ref = ModelRef.parse(text);
        List<String> ids = store.ids();
        if (!ids.contains(ref.id())) {
            throw Names.unknown("model", ref.id(), ids, "unlearn:models");
        }
        List<ModelManifest> versions = store.versions(ref.id());
        if (!ref.isBase() && versions.stream().noneMatch(v -> v.ref().version() == ref.version())) {
            throw LetheException.invalidInput("model " + ref.id() + " has no version " + ref.version() + " (versions: "
                    + String.join(", ", versions.stream().map(v -> String.valueOf(v.ref().version())).toList())
                    + "; see unlearn:model " + ref.id() + ")");
        }
        return store.manifest(ref);
    }

    /**
     * A data file for a role: it must exist, be a regular file and be readable. A world split
     * ({@code world:<world>/<split>}), or a bare split name that is not a file ({@code forget05}: a
     * split of the world that trained the model), is passed on as it is, for the run service to judge.
     */
    RunSpec.DataRef data(String option, String text) {
        if (text.startsWith("world:") || SPLIT_NAME.matcher(text).matches() && !Files.exists(call.path(text))) {
            return new RunSpec.DataRef(text, "");
        }
        Path file = call.path(text);
        checkReadableFile(option, text, file);
        return new RunSpec.DataRef(file.toString(), "");
    }

    static void checkReadableFile(String option, String text, Path file) {
        String shown = option + " " + Text.printable(text);
        if (!Files.exists(file)) {
            throw LetheException.invalidInput(shown + ": no such file" + (text.equals(file.toString()) ? "" : " (" + file + ")"));
        }
        if (Files.isDirectory(file)) {
            throw LetheException.invalidInput(shown + ": is a folder, not a JSONL file");
        }
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(shown + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw LetheException.invalidInput(shown + ": cannot be read (permission denied)");
        }
    }

    /** The run's settings: the preset's, then every {@code --set} over them; all checked against the method's schema. */
    Settings settings(MethodDescriptor method, Optional<String> presetName, List<String> sets) {
        Map<String, String> given = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        if (presetName.isPresent()) {
            Preset preset = new Presets(services).get(presetName.get());
            if (!preset.method().equals(method.name())) {
                throw LetheException.invalidInput("preset '" + preset.name() + "' is for method '"
                        + Text.printable(preset.method()) + "', not '" + method.name() + "'"
                        + preset.source().map(s -> " (" + s + ")").orElse(""));
            }
            preset.settings().forEach((k, v) -> {
                given.put(k, v);
                origin.put(k, "preset " + preset.name());
            });
        }
        Map<String, String> fromSet = parseSets(sets);
        fromSet.forEach((k, v) -> {
            given.put(k, v);
            origin.put(k, "--set");
        });
        if (method.config().isEmpty()) {
            if (!given.isEmpty()) {
                throw LetheException.invalidInput("method '" + method.name() + "' takes no settings, but got "
                        + String.join(", ", given.keySet()));
            }
            return Settings.NONE;
        }
        ConfigSchema schema = method.config().get();
        for (String key : given.keySet()) {
            if (schema.attribute(key).isEmpty()) {
                List<String> keys = schema.attributes().stream().map(ConfigSchema.Attribute::key).toList();
                String where = origin.get(key).equals("--set") ? "--set " : origin.get(key) + ": ";
                throw LetheException.invalidInput(where + "unknown setting '" + Text.printable(key) + "' for method '"
                        + method.name() + "'"
                        + Names.closest(key, keys).map(c -> "; did you mean '" + c + "'?").orElse("")
                        + " (its settings: " + String.join(", ", schema.attributes().stream()
                                .map(a -> a.key() + " (" + a.type() + (a.multiple() ? "[]" : "") + ")").toList()) + ")");
            }
        }
        Map<String, Object> effective;
        try {
            effective = services.settings().validate(schema, given);
        } catch (LetheException e) {
            throw new LetheException(e.exitStatus(), e.getMessage() + typeHint(schema, e.getMessage()), e);
        }
        return new Settings(given, origin, effective);
    }

    /** Adds the attribute's type when the validator's message names a key but not its type. */
    private static String typeHint(ConfigSchema schema, String message) {
        for (ConfigSchema.Attribute attribute : schema.attributes()) {
            if (message.contains("'" + attribute.key() + "'") && !message.contains(attribute.type())) {
                return " (" + attribute.key() + " is " + attribute.type() + (attribute.multiple() ? "[]" : "") + ")";
            }
        }
        return "";
    }

    static Map<String, String> parseSets(List<String> sets) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String set : sets) {
            int equals = set.indexOf('=');
            if (equals <= 0) {
                throw CommandException.usage("--set '" + Text.printable(set) + "': expected key=value");
            }
            String key = set.substring(0, equals).trim();
            if (values.containsKey(key)) {
                throw CommandException.usage("--set " + Text.printable(key) + " given twice");
            }
            values.put(key, set.substring(equals + 1));
        }
        return values;
    }

    static long seed(Optional<String> text) {
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text.get().trim());
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput("--seed '" + Text.printable(text.get()) + "' is not a whole number");
        }
    }

    static Optional<Duration> budget(Optional<String> text) {
        return text.map(t -> Text.duration(t, "--budget"));
    }

    /** Refuses {@code --detach} where the container stops when the command returns. */
    void checkDetach(boolean detach) {
        if (detach && !services.interactiveContainer()) {
            throw CommandException.usage("--detach needs the interactive shell: a one-shot container stops, and"
                    + " cancels its runs, as soon as the command returns");
        }
    }

    /**
     * Plans the run (every check of the run service, including reading the data files) and then shows it
     * (dry run), queues it (detached) or follows it to its end.
     */
    Object start(RunSpec spec, Settings settings, boolean dryRun, boolean detach, boolean quiet) {
        RunService runs = services.runs();
        RunSpec planned = runs.plan(spec);
        RunKey key = runs.keyOf(planned);
        PrintStream out = call.out();
        if (dryRun) {
            describe(planned, key, settings, out);
            out.println("dry run: every check passed; nothing was started or changed");
            out.flush();
            return null;
        }
        Optional<RunRecord> before = runs.record(key);
        if (before.isPresent() && before.get().state() == RunState.COMMITTED) {
            out.println("this run was already committed: the same inputs and seed make the same run ("
                    + ProgressLine.shortKey(key.value()) + "), so nothing ran again");
            out.println(ProgressLine.outcome(before.get(), clock.instant()));
            out.flush();
            return null;
        }
        if (before.isPresent() && !before.get().state().isTerminal()) {
            out.println("the same run is already " + before.get().state().name().toLowerCase(Locale.ROOT) + "; following it");
        }
        RunKey submitted = runs.submit(spec);
        if (!quiet || detach) {
            out.println("run " + submitted.value() + ": " + spec.kind().name().toLowerCase(Locale.ROOT) + " "
                    + spec.component() + planned.model().map(m -> " on " + m).orElse("") + ", seed " + spec.seed());
        }
        if (detach) {
            out.println("queued; follow it with: unlearn:watch " + ProgressLine.shortKey(submitted.value())
                    + "   cancel it with: unlearn:cancel " + ProgressLine.shortKey(submitted.value()));
            out.flush();
            return null;
        }
        out.flush();
        return follow(runs, submitted, quiet);
    }

    /** Follows a run in the foreground; Ctrl-C (interruption) cancels it. */
    private Object follow(RunService runs, RunKey key, boolean quiet) {
        RunFollower follower = new RunFollower(runs, call.out(), RunFollower.modeFor(call, quiet), call.width(), clock,
                PLAIN_EVERY);
        RunRecord end;
        // Ctrl-C on the interactive terminal cancels the run; the command then ends with the run's outcome
        try (AutoCloseable ctrlC = call.onCtrlC(() -> runs.cancel(key, CTRL_C))) {
            end = follower.follow(key);
        } catch (InterruptedException e) {
            call.out().println("cancelling run " + ProgressLine.shortKey(key.value()) + " (Ctrl-C)...");
            call.out().flush();
            runs.cancel(key, CTRL_C);
            try {
                end = runs.await(key, CANCEL_WAIT);
            } catch (InterruptedException again) {
                throw CommandException.cancelled("run " + key.value() + " is being cancelled; stopped waiting for it");
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        Object result = ended(end, call.out(), clock);
        if (end.spec().kind() == RunSpec.Kind.TRAIN) {
            List<String> models = producedBy(key);
            if (models.size() > 1) {
                call.out().println("models committed by the run: " + String.join(", ", models));
            }
        }
        return result;
    }

    /** Every model version the run committed (a training run commits one per model of its world). */
    private List<String> producedBy(RunKey key) {
        List<String> refs = new ArrayList<>();
        try {
            ModelStore store = services.models();
            for (String id : store.ids()) {
                store.versions(id).stream().filter(v -> v.producedBy().filter(key::equals).isPresent())
                        .forEach(v -> refs.add(v.ref().toString()));
            }
        } catch (LetheException e) {
            // the outcome line already names the first model
        }
        return refs;
    }

    /**
     * The command's outcome for a run that ended: committed prints its line; failed and cancelled are
     * errors (status 4 and 130) carrying that line, and a run that failed on refused input is
     * invalid input (status 3).
     */
    static Object ended(RunRecord end, PrintStream out, Clock clock) {
        String line = ProgressLine.outcome(end, clock.instant());
        switch (end.state()) {
            case COMMITTED -> {
                out.println(line);
                out.flush();
                return null;
            }
            case FAILED -> throw end.invalidInput() ? LetheException.invalidInput(line) : LetheException.failed(line, null);
            case CANCELLED -> throw CommandException.cancelled(line);
            default -> throw LetheException.failed("run " + end.key() + " did not end within " + CANCEL_WAIT.toSeconds()
                    + " s of being cancelled; it is " + end.state().name().toLowerCase(Locale.ROOT), null);
        }
    }

    private void describe(RunSpec planned, RunKey key, Settings settings, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"kind", planned.kind().name().toLowerCase(Locale.ROOT)});
        rows.add(new String[] {planned.kind() == RunSpec.Kind.TRAIN ? "world" : "method",
                planned.component() + (planned.componentVersion().isEmpty() ? "" : " " + planned.componentVersion())});
        planned.model().ifPresent(m -> rows.add(new String[] {"model", m.toString()}));
        planned.data().forEach((role, ref) -> rows.add(new String[] {role, ref.source()
                + (ref.fingerprint().isEmpty() ? "" : "  sha256 " + ref.fingerprint().substring(0, Math.min(16, ref.fingerprint().length())))}));
        if (!settings.effective().isEmpty()) {
            List<String> shown = new ArrayList<>();
            settings.effective().forEach((k, v) -> shown.add(k + "=" + Text.printable(show(v)) + " ("
                    + settings.origin().getOrDefault(k, "default") + ")"));
            rows.add(new String[] {"settings", String.join(", ", shown)});
        }
        rows.add(new String[] {"seed", String.valueOf(planned.seed())});
        rows.add(new String[] {"budget", planned.budget().map(Text::human).orElse("none")});
        rows.add(new String[] {"run key", key.value()});
        for (String[] row : rows) {
            out.println("  " + row[0] + " ".repeat(Math.max(1, 10 - row[0].length())) + Text.printable(row[1]));
        }
    }

    static String show(Object value) {
        if (value != null && value.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                parts.add(String.valueOf(java.lang.reflect.Array.get(value, i)));
            }
            return String.join(",", parts);
        }
        return String.valueOf(value);
    }
}

package org.lethe.shell.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunSpec;
import org.lethe.shell.base.CommandException;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:erase}: runs a concept-erasure method on a generator or vision-language model; the
 * result is a new model version. One concept on a model a world trained means the world's task of
 * that name (its erased and kept concepts, and in a visual question-answering world its forget and
 * retain questions). Concepts given by name are written, content-addressed, to the data
 * folder's {@code inputs/} (so the same concepts make the same run key); a dry run writes nothing there.
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "erase")
public final class EraseCommand extends ShellCommand {

    static final String SUMMARY = "Run a concept-erasure method on a model; the result is a new model version";

    /** Where concept files made from names go, under the data folder. */
    static final String INPUTS = "inputs";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "erase", SUMMARY)
            .description("""
                    The same as unlearn:run, for erasure methods: every input is checked before anything is
                    touched, the run is followed with a progress line, Ctrl-C cancels it, and a committed run
                    adds a model version whose parent is the version it started from.

                    Concepts are given by name (--concept, repeatable) or as a JSONL file of concepts
                    (--concepts; one {"name": ..., "aliases": [...]} a line). Concepts that must survive the
                    erasure go to --keep or --keep-concepts.
                    One --concept without --keep, on a model whose world defines an erasure task of that
                    name (shapes: red, ..., dots), means the concept as the world defines it: the task's
                    concepts with their aliases (red: crimson) and its kept concepts (the other colours,
                    shapes and textures), the same files unlearn:compare uses; the command says so. Give
                    --keep or --concepts to decide for yourself. On a vision-language model of a visual
                    question-answering world (shapes-vqa: red, ..., metallic, multi3, multi6) the task also
                    gives the questions to forget (the training questions whose answer is the concept, on
                    images that show it) and to retain (the others), which a method such as sauce reads.""")
            .operand(Operand.required("method", "The erasure method (unlearn:methods lists them).",
                    Completion.ERASURE_METHOD))
            .option(RunOptions.MODEL)
            .option(Option.value('c', "concept", "name", "A concept to erase.", Completion.NONE).many())
            .option(Option.value((char) 0, "concepts", "file", "A JSONL file of concepts to erase.", Completion.FILE))
            .option(Option.value('k', "keep", "name", "A concept that must survive the erasure.", Completion.NONE)
                    .many())
            .option(Option.value((char) 0, "keep-concepts", "file", "A JSONL file of concepts that must survive.",
                    Completion.FILE))
            .option(RunOptions.SET)
            .option(RunOptions.PRESET)
            .option(RunOptions.SEED)
            .option(RunOptions.BUDGET)
            .option(RunOptions.DRY_RUN)
            .option(RunOptions.QUIET)
            .option(RunOptions.DETACH)
            .example("unlearn:erase esd --model shapes-t2i --concept 'red circle' --dry-run")
            .example("unlearn:erase sauce --model shapes-vlm --concept red")
            .exitStatuses(CommandSpec.EXIT_RUN)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Services services;
    private final Clock clock;

    /**
     * @param services the services the command uses
     */
    @Activate
    public EraseCommand(@Reference Services services) {
        this(services, Clock.systemUTC());
    }

    EraseCommand(Services services, Clock clock) {
        this.services = services;
        this.clock = clock;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints its outcome
     */
    @Descriptor(SUMMARY + " (unlearn:erase --help)")
    public Object erase(CommandSession session, @Descriptor("see unlearn:erase --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) throws IOException {
        var args = call.args();
        if (args.values("concept").isEmpty() && args.value("concepts").isEmpty()) {
            throw CommandException.usage("missing the concepts to erase: --concept <name> or --concepts <file>");
        }
        if (!args.values("concept").isEmpty() && args.value("concepts").isPresent()) {
            throw CommandException.usage("give concepts either by name (--concept) or as a file (--concepts), not both");
        }
        if (!args.values("keep").isEmpty() && args.value("keep-concepts").isPresent()) {
            throw CommandException.usage("give kept concepts either by name (--keep) or as a file (--keep-concepts), not both");
        }
        RunLauncher launcher = new RunLauncher(services, call, clock);
        boolean detach = args.flag("detach");
        boolean dryRun = args.flag("dry-run");
        launcher.checkDetach(detach);
        MethodDescriptor method = launcher.method(args.operands().get(0), MethodDescriptor.Kind.ERASURE);
        ModelManifest model = launcher.model(args.required("model"));
        RunLauncher.Settings settings = launcher.settings(method, args.value("preset"), args.values("set"));
        long seed = RunLauncher.seed(args.value("seed"));
        var budget = RunLauncher.budget(args.value("budget"));
        Path scratch = dryRun ? Files.createTempDirectory("lethe-erase-dry-run") : null;
        try {
            Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
            Optional<Map<String, RunSpec.DataRef>> task = args.values("concept").size() == 1 && args.values("keep").isEmpty()
                    && args.value("keep-concepts").isEmpty() ? worldTask(model, args.values("concept").get(0)) : Optional.empty();
            if (task.isPresent()) {
                data.putAll(task.get());
                call.out().println("concept '" + args.values("concept").get(0) + "' as its world defines it: erase "
                        + task.get().get(Task.ERASE).source() + ", keep " + task.get().get(Task.KEEP).source()
                        + (task.get().containsKey(Task.FORGET) ? ", forget " + task.get().get(Task.FORGET).source()
                                + ", retain " + task.get().get(Task.RETAIN).source() : ""));
            } else {
                data.put(Task.ERASE, concepts(launcher, "--concepts", args.value("concepts"), args.values("concept"), scratch));
            }
            if (task.isEmpty() && (!args.values("keep").isEmpty() || args.value("keep-concepts").isPresent())) {
                data.put(Task.KEEP, concepts(launcher, "--keep-concepts", args.value("keep-concepts"), args.values("keep"),
                        scratch));
            }
            RunSpec spec = new RunSpec(RunSpec.Kind.ERASE, method.name(), "", settings.given(),
                    Optional.of(model.ref()), data, List.of(), seed, budget);
            return launcher.start(spec, settings, dryRun, detach, args.flag("quiet"));
        } finally {
            if (scratch != null) {
                try (var files = Files.list(scratch)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(scratch);
            }
        }
    }

    /**
     * The erase and keep concepts of the erasure task named {@code name} in the world that trained the
     * model's root, as the comparison cuts them; empty when the model was not made by a world or its
     * world has no such task.
     */
    private Optional<Map<String, RunSpec.DataRef>> worldTask(ModelManifest model, String name) {
        Optional<String> world = EvalCommand.trainedBy(services, model.ref());
        if (world.isEmpty()) {
            return Optional.empty();
        }
        Map<String, RunSpec.DataRef> roles;
        try {
            roles = services.comparisons().evaluation(world.get(), name, model.ref(), List.of(), 0).data();
        } catch (LetheException e) {
            if (e.getMessage() != null && (e.getMessage().contains("is not an erasure task")
                    || e.getMessage().contains("is not a task of world")
                    || e.getMessage().contains("has not been trained here"))) {
                return Optional.empty(); // no such task (or no world data here): the name alone
            }
            throw e; // the world's files are broken: say so rather than erase something else
        }
        if (!roles.containsKey(Task.ERASE) || !roles.containsKey(Task.KEEP)) {
            return Optional.empty();
        }
        Map<String, RunSpec.DataRef> task = new LinkedHashMap<>();
        for (String role : List.of(Task.ERASE, Task.KEEP, Task.FORGET, Task.RETAIN)) {
            if (roles.containsKey(role)) { // a visual question-answering world also cuts the questions to forget and keep
                task.put(role, roles.get(role));
            }
        }
        return Optional.of(task);
    }

    private RunSpec.DataRef concepts(RunLauncher launcher, String fileOption, Optional<String> file, List<String> names,
            Path scratch) throws IOException {
        if (file.isPresent()) {
            return launcher.data(fileOption, file.get());
        }
        StringBuilder jsonl = new StringBuilder();
        for (String name : names) {
            if (name.isBlank()) {
                throw LetheException.invalidInput("--concept: a concept name cannot be empty");
            }
            jsonl.append(JSON.writeValueAsString(Map.of("name", name))).append('\n');
        }
        byte[] bytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        Path folder = scratch != null ? scratch : services.dataFolder().orElseThrow(() -> LetheException.failed(
                "the data folder is not known (framework property lethe.data); give the concepts as a file", null))
                .resolve(INPUTS);
        Files.createDirectories(folder);
        Path target = folder.resolve("concepts-" + sha256(bytes).substring(0, 16) + ".jsonl");
        if (!Files.exists(target)) {
            Path temp = Files.createTempFile(folder, ".concepts", ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return new RunSpec.DataRef(target.toString(), "");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.lethe.shell.commands;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunSpec;
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

/** {@code unlearn:run}: runs an unlearning method on a model; the result is a new model version. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "run")
public final class RunCommand extends ShellCommand {

    static final String SUMMARY = "Run an unlearning method on a model; the result is a new model version";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "run", SUMMARY)
            .description("""
                    Checks every input first (the method, the model and version, the data files line by line,
                    every setting against the method's typed configuration) and changes nothing when one is
                    wrong. Then the run is queued, and followed until it ends: a live progress line on a
                    terminal (step/total, loss, elapsed, ETA), plain lines otherwise. Ctrl-C cancels the run
                    (nothing is committed) and leaves the shell running. The base model is never modified:
                    a committed run adds a version whose parent is the version it started from.

                    The same method, settings, model version, data and seed always make the same run key;
                    running it again after it committed runs nothing and shows the committed result.""")
            .operand(Operand.required("method", "The unlearning method (unlearn:methods lists them).",
                    Completion.UNLEARNING_METHOD))
            .option(RunOptions.MODEL)
            .option(Option.value('f', "forget", "file",
                    "The data to forget: a JSONL file of question-answer items or documents.", Completion.FILE)
                    .mandatory())
            .option(Option.value('r', "retain", "file",
                    "The data whose knowledge must be kept (methods that use it, e.g. gradient difference).",
                    Completion.FILE))
            .option(Option.value((char) 0, "holdout", "file",
                    "Data the model never saw, for methods and probes that use it.", Completion.FILE))
            .option(RunOptions.SET)
            .option(RunOptions.PRESET)
            .option(RunOptions.SEED)
            .option(RunOptions.BUDGET)
            .option(RunOptions.DRY_RUN)
            .option(RunOptions.QUIET)
            .option(RunOptions.DETACH)
            .example("unlearn:run ascent --model tiny --forget forget.jsonl --set steps=20 --dry-run")
            .example("unlearn:run ascent -m tiny:1 -f forget.jsonl -r retain.jsonl -p fast --seed 7")
            .exitStatuses(CommandSpec.EXIT_RUN)
            .build();

    private final Services services;
    private final Clock clock;

    /**
     * @param services the services the command uses
     */
    @Activate
    public RunCommand(@Reference Services services) {
        this(services, Clock.systemUTC());
    }

    RunCommand(Services services, Clock clock) {
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
    @Descriptor(SUMMARY + " (unlearn:run --help)")
    public Object run(CommandSession session, @Descriptor("see unlearn:run --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        var args = call.args();
        RunLauncher launcher = new RunLauncher(services, call, clock);
        boolean detach = args.flag("detach");
        launcher.checkDetach(detach);
        MethodDescriptor method = launcher.method(args.operands().get(0), MethodDescriptor.Kind.UNLEARNING);
        ModelManifest model = launcher.model(args.required("model"));
        Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
        data.put(Task.FORGET, launcher.data("--forget", args.required("forget")));
        args.value("retain").ifPresent(f -> data.put(Task.RETAIN, launcher.data("--retain", f)));
        args.value("holdout").ifPresent(f -> data.put(Task.HOLDOUT, launcher.data("--holdout", f)));
        RunLauncher.Settings settings = launcher.settings(method, args.value("preset"), args.values("set"));
        long seed = RunLauncher.seed(args.value("seed"));
        var budget = RunLauncher.budget(args.value("budget"));
        RunSpec spec = new RunSpec(RunSpec.Kind.UNLEARN, method.name(), "", settings.given(),
                Optional.of(model.ref()), data, List.of(), seed, budget);
        return launcher.start(spec, settings, args.flag("dry-run"), detach, args.flag("quiet"));
    }
}

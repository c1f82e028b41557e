package org.lethe.shell.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunSpec;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Names;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:train}: builds a world's models as a TRAIN run (the world's {@code lethe.world} service,
 * optionally on a user corpus folder), followed like {@code unlearn:run}. Without a world installed it
 * checks its inputs and says so.
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "train")
public final class TrainCommand extends ShellCommand {

    static final String SUMMARY = "Build a world's models (data, base model, gold references) as a run";

    /** The data role of a user corpus folder in a training run (the run service's). */
    static final String CORPUS = "corpus";

    /** The files a user corpus folder must hold (DESIGN §4). */
    static final List<String> CORPUS_FILES = List.of("train.jsonl", "forget.jsonl", "retain.jsonl");

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "train", SUMMARY)
            .description("""
                    Generates a world's data (deterministic from the seed) or reads a user corpus, and trains its
                    models as one run, followed like unlearn:run (Ctrl-C cancels it); each trained model is
                    committed as a new root version produced by the run. Trained models are cached: training
                    the same world with the same seed (and corpus) again runs nothing.

                    unlearn:worlds lists the worlds installed; the distribution ships facts (language models) and shapes
                    (text-to-image erasure: shapes-t2i and its evaluation classifier shapes-clf).""")
            .operand(Operand.required("world", "The world to build (unlearn:worlds lists them).", Completion.WORLD))
            .option(Option.value((char) 0, "corpus", "folder",
                    "A user corpus instead of the generator: a folder with train.jsonl, forget.jsonl, retain.jsonl"
                            + " and optionally holdout.jsonl and world.jsonl.", Completion.DIRECTORY))
            .option(RunOptions.SEED)
            .option(RunOptions.BUDGET)
            .option(RunOptions.DRY_RUN)
            .option(RunOptions.QUIET)
            .option(RunOptions.DETACH)
            .example("unlearn:train facts --seed 1")
            .exitStatuses(CommandSpec.EXIT_RUN)
            .build();

    private final Services services;
    private final Clock clock;

    /**
     * @param services the services the command uses
     */
    @Activate
    public TrainCommand(@Reference Services services) {
        this.services = services;
        this.clock = Clock.systemUTC();
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints its outcome
     */
    @Descriptor(SUMMARY + " (unlearn:train --help)")
    public Object train(CommandSession session, @Descriptor("see unlearn:train --help") String... args) {
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
        String world = args.operands().get(0);
        List<String> worlds = services.worldNames();
        if (!worlds.contains(world)) {
            if (worlds.isEmpty()) {
                throw LetheException.invalidInput("unknown world '" + Text.printable(world) + "': no world is installed"
                        + " (the org.lethe.worlds bundle is not active; a world bundle in deploy/ adds one;"
                        + " unlearn:worlds lists what is installed)");
            }
            throw Names.unknown("world", world, worlds, "unlearn:worlds");
        }
        Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
        if (args.value("corpus").isPresent()) {
            Path corpus = call.path(args.value("corpus").get());
            if (!Files.isDirectory(corpus)) {
                throw LetheException.invalidInput("--corpus " + Text.printable(args.value("corpus").get())
                        + ": no such folder");
            }
            for (String file : CORPUS_FILES) {
                RunLauncher.checkReadableFile("--corpus", corpus.resolve(file).toString(), corpus.resolve(file));
            }
            data.put(CORPUS, new RunSpec.DataRef(corpus.toString(), ""));
        }
        long seed = RunLauncher.seed(args.value("seed"));
        RunSpec spec = new RunSpec(RunSpec.Kind.TRAIN, world, "", Map.of(), Optional.empty(), data, List.of(), seed,
                RunLauncher.budget(args.value("budget")));
        return launcher.start(spec, RunLauncher.Settings.NONE, args.flag("dry-run"), detach, args.flag("quiet"));
    }
}

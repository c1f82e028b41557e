package org.lethe.shell.commands;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:eval}: evaluates one model version with every metric and the asked probes on a
 * world's evaluation splits, as an EVALUATE run (followed like {@code unlearn:run}), then prints
 * every result.
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "eval")
public final class EvalCommand extends ShellCommand {

    static final String SUMMARY = "Evaluate a model version with every metric and the asked probes";

    static final Option WORLD = Option.value('w', "world", "world",
            "The world whose evaluation splits are read (default: the world that trained the model, else facts).",
            Completion.WORLD);
    static final Option SPLIT = Option.value((char) 0, "split", "split",
            "The forget split the evaluation is about (default forget05), or in an erasure world the erasure task"
                    + " (shapes: default red).", Completion.NONE);
    static final Option PROBES = Option.value((char) 0, "probes", "names",
            "Probes to run, comma-separated: 'all' (every installed probe) or 'none' (default none).", Completion.NONE);
    static final Option INTERVENTION = Option.choice('i', "intervention", "on|off",
            "Whether the version's inference-time interventions are applied: 'on' (default) evaluates it as committed,"
                    + " 'off' with every intervention attachment left out, i.e. its weights alone (for a method that"
                    + " changes no weight, its parent's outputs).", List.of("on", "off"));

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "eval", SUMMARY)
            .description("""
                    Measures a model version with every installed metric of its modality on the world's
                    evaluation splits for a forget split (forget, paraphrased, retain, world facts, holdout,
                    two-hop and presupposing questions), and runs the asked probes, each on a private copy of
                    the model. It runs as an evaluation run: queued behind other gradient work, followed
                    (Ctrl-C cancels it), recorded, and not run again for the same model, data, probes and
                    seed. Nothing is committed to the model store. A version that carries inference-time
                    interventions (e.g. SAUCE's feature edit) is evaluated with them applied; --intervention off
                    evaluates its weights alone, as a different run. docs/metrics.md and docs/probes.md define
                    every number.""")
            .option(Option.value('m', "model", "ref",
                    "The model version to evaluate: an id (its base version) or id:version, e.g. facts-lm:2.",
                    Completion.MODEL).mandatory())
            .option(WORLD)
            .option(SPLIT)
            .option(PROBES)
            .option(INTERVENTION)
            .option(RunOptions.SEED)
            .option(RunOptions.DRY_RUN)
            .option(RunOptions.QUIET)
            .example("unlearn:eval --model facts-lm:2")
            .example("unlearn:eval -m facts-lm --split forget10 --probes all")
            .example("unlearn:eval -m shapes-vlm:2 --intervention off")
            .exitStatuses(CommandSpec.EXIT_RUN)
            .build();

    private final Services services;
    private final Clock clock;

    /**
     * @param services the services the command uses
     */
    @Activate
    public EvalCommand(@Reference Services services) {
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
    @Descriptor(SUMMARY + " (unlearn:eval --help)")
    public Object eval(CommandSession session, @Descriptor("see unlearn:eval --help") String... args) {
        return invoke(session, args);
    }

    /** The world whose training made the model's root version, when a world's run made it. */
    private Optional<String> trainedBy(ModelRef model) {
        return trainedBy(services, model);
    }

    /**
     * @param services the shell's services
     * @param model a model version
     * @return the world whose TRAIN run made the version's root, when a world's run made it
     */
    static Optional<String> trainedBy(Services services, ModelRef model) {
        List<ModelManifest> lineage = services.models().lineage(model);
        return lineage.get(lineage.size() - 1).producedBy().flatMap(key -> services.runs().record(key))
                .filter(r -> r.spec().kind() == RunSpec.Kind.TRAIN).map(r -> r.spec().component());
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        var args = call.args();
        RunLauncher launcher = new RunLauncher(services, call, clock);
        ModelRef model = launcher.model(args.required("model")).ref();
        String world = args.value("world").orElseGet(() -> trainedBy(model).orElse(ComparisonSpec.DEFAULT.world()));
        RunSpec spec = withIntervention(services.comparisons().evaluation(world,
                args.value("split").orElseGet(() -> ComparisonSpec.defaultFor(world).split()), model,
                probes(args.value("probes")), RunLauncher.seed(args.value("seed"))), args.value("intervention"));
        Object result = launcher.start(spec, RunLauncher.Settings.NONE, args.flag("dry-run"), false, args.flag("quiet"));
        if (!args.flag("dry-run")) {
            RunSpec planned = services.runs().plan(spec);
            Optional<RunRecord> record = services.runs().record(services.runs().keyOf(planned));
            record.filter(r -> r.state() == RunState.COMMITTED)
                    .flatMap(r -> services.evaluations().evaluation(r.key()))
                    .ifPresent(e -> print(e, call.out()));
        }
        return result;
    }

    /**
     * @param spec an evaluation run
     * @param intervention the {@code --intervention} value, if given
     * @return the run with the {@value Intervention#SWITCH} setting {@code off} when asked for; as it is
     *     for {@code on}, the default
     */
    static RunSpec withIntervention(RunSpec spec, Optional<String> intervention) {
        if (intervention.isEmpty() || intervention.get().equals("on")) {
            return spec;
        }
        Map<String, String> config = new java.util.LinkedHashMap<>(spec.config());
        config.put(Intervention.SWITCH, intervention.get());
        return new RunSpec(spec.kind(), spec.component(), spec.componentVersion(), config, spec.model(), spec.data(),
                spec.probes(), spec.seed(), spec.budget());
    }

    /** {@code none} → no probe; {@code all} → every installed probe; else the names given. */
    static List<String> probes(Optional<String> text) {
        if (text.isEmpty() || text.get().isBlank() || text.get().trim().equals("none")) {
            return List.of();
        }
        if (text.get().trim().equals(ComparisonSpec.ALL_PROBES)) {
            return List.of(ComparisonSpec.ALL_PROBES);
        }
        return Arrays.stream(text.get().split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** Every result, one line each, then the components that produced nothing. */
    static void print(Evaluation evaluation, PrintStream out) {
        Table table = Table.of("split", "metric", "version", "value", "better", "items");
        for (MetricResult r : evaluation.results()) {
            table.row(r.split(), r.metric(), r.version(), format(r.aggregate()),
                    r.direction().name().toLowerCase(Locale.ROOT).replace("_is_better", "").replace('_', ' '),
                    r.perItem().size() + (r.curve().isEmpty() ? "" : ", curve of " + r.curve().size()));
        }
        out.println("evaluation of " + evaluation.model() + ":");
        out.print(table.render());
        evaluation.failures().forEach((component, reason) -> out.println(component + " produced nothing: " + reason));
        out.flush();
    }

    static String format(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4g", value) : "n/a";
    }
}

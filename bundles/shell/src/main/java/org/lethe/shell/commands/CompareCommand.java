package org.lethe.shell.commands;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.eval.ComparisonService;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Report;
import org.lethe.shell.base.CommandException;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.lethe.shell.base.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:compare}: the side-by-side comparison. Without options it runs the default
 * ({@link ComparisonSpec#DEFAULT}: facts, forget05, gradient-ascent, graddiff, flat and iau, 3 seeds,
 * every probe), prints the table and writes the report (JSON, Markdown, CSV, HTML).
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "compare")
public final class CompareCommand extends ShellCommand {

    static final String SUMMARY = "Compare methods side by side on one world, split and set of seeds";

    /** The columns the printed table shows (the report has them all). */
    static final List<String> SHOWN = List.of("forget.exact-match", "forget_paraphrased.exact-match",
            "retain.exact-match", "world.exact-match", "retain+world.model-utility", "forget.forget-quality",
            "forget.privleak-mia-loss", "forget-heldout.relearning-excess", "misinformation:rumours.exact-match",
            "misinformation:restor.recovery");

    /** The columns the printed table shows for a text-to-image erasure comparison. */
    static final List<String> SHOWN_ERASURE = List.of("erased_prompts.erasure-accuracy",
            "generality_prompts.generality-accuracy", "erased_prompts_perturbed.generality-accuracy",
            "preserve_prompts.preservation-accuracy", "erased_prompts+preserve_prompts.erasure-harmonic",
            "erased_prompts+generality_prompts+preserve_prompts.erasure-harmonic-generality", "preserve_prompts.layout-iou",
            "preserve_prompts.feature-frechet-distance", "preserve_prompts.no-object-rate",
            "erased_prompts.concept-inversion-accuracy", "erased_prompts.prompt-search-accuracy",
            "erased_prompts.t2i-relearning-accuracy");

    /**
     * The columns the printed table shows for a vision-language comparison (docs/metrics.md): unlearning
     * quality and the share still answered with the concept, selectivity, utility, the held-out
     * paraphrases and yes/no reformulations, unlearning quality after each probe, and unlearning quality
     * and utility with 3 and 6 concepts at once (the multi-concept protocol).
     */
    static final List<String> SHOWN_VQA = List.of("vqa_forget.unlearning-quality", "vqa_forget.concept-answer-rate",
            "vqa_selectivity.vqa-accuracy", "vqa_utility.vqa-accuracy", "vqa_paraphrase.unlearning-quality",
            "vqa_yes_no.unlearning-quality", "vqa_yes_no.vqa-accuracy", "vqa_forget.vqa-soft-prompt-unlearning-quality",
            "vqa_forget.vqa-pgd-unlearning-quality", "vqa_forget.vqa-relearning-unlearning-quality",
            "vqa_forget.intervention-removed-unlearning-quality", "multi3:vqa_forget.unlearning-quality",
            "multi3:vqa_utility.vqa-accuracy", "multi6:vqa_forget.unlearning-quality", "multi6:vqa_utility.vqa-accuracy");

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "compare", SUMMARY)
            .description("""
                    Runs every method on the same base model, forget split, data and seeds, evaluates every
                    result with every metric and probe, and adds two reference rows: the original model and the
                    gold model retrained without the forget split (all its seeds). Trains the world first when
                    it has not been trained. Every step is a run of the run service: runs already made are not
                    made again. Prints the table (mean ± std over seeds) and writes report.json, report.md,
                    report.csv and report.html (self-contained, opens offline) into the report folder.
                    In a text-to-image erasure world (shapes) the methods are erasure methods, the split is an
                    erasure task, the only reference row is the original model, and report.html adds a gallery
                    of samples (same prompts and seeds for every model).
                    In a visual question-answering world (shapes-vqa) the split is the concept set to unlearn
                    (red, ..., multi3, multi6), unlearning methods
                    (gradient-ascent, graddiff) and vision-language erasure methods (sauce) run side by side on
                    the world's VLM, and the reference row is the original VLM; the multi-concept protocol
                    (a probe name, in the defaults) runs the same methods on multi3 and multi6 too, as columns
                    multi3:... and multi6:... (the 1/3/6-concept table).
                    Ctrl-C stops it: what finished is kept and reported as partial (exit status 130).
                    docs/metrics.md and docs/probes.md define every column; docs/report-schema.md the files.""")
            .option(Option.value('w', "world", "world", "The world (default facts).", Completion.WORLD))
            .option(Option.value((char) 0, "split", "split",
                    "The forget split (default forget05), or in an erasure world the erasure task (shapes: default red),"
                            + " or in a visual question-answering world the concepts to unlearn (shapes-vqa: default red).",
                    Completion.NONE))
            .option(Option.value((char) 0, "methods", "names",
                    "Methods to compare, comma-separated (default gradient-ascent,graddiff,flat,iau; shapes: esd,ant,realera;"
                            + " shapes-vqa: sauce,gradient-ascent,graddiff).",
                    Completion.NONE))
            .option(Option.value((char) 0, "seeds", "n", "How many seeds each method runs with (default 3).", Completion.NONE))
            .option(Option.value((char) 0, "first-seed", "n", "The first seed (default 0).", Completion.NONE))
            .option(Option.value((char) 0, "probes", "names",
                    "Probes, comma-separated: 'all' (default, every installed probe), 'none' or names"
                            + " (shapes-vqa default: vqa-soft-prompt,vqa-pgd,vqa-relearning,intervention-removed,multi-concept).", Completion.NONE))
            .option(Option.value('s', "set", "method.key=value",
                    "A setting of one method, e.g. --set flat.divergence=KL (unlearn:method <name> lists them).",
                    Completion.NONE).many())
            .option(RunOptions.BUDGET)
            .option(Option.value('o', "out", "folder",
                    "Where the report goes (default <data>/reports/<time>-<world>-<split>).", Completion.DIRECTORY))
            .option(RunOptions.DRY_RUN)
            .option(RunOptions.QUIET)
            .example("unlearn:compare")
            .example("unlearn:compare --methods flat,iau --seeds 1 --probes none")
            .example("unlearn:compare --split forget10 --set gradient-ascent.steps=50")
            .example("unlearn:compare --world shapes --split red --methods esd --set esd.variant=u")
            .example("unlearn:compare --world shapes-vqa --methods sauce,gradient-ascent,graddiff")
            .exitStatuses("0 complete report, 2 usage error, 3 invalid input (nothing ran), 4 failed,"
                    + " 130 cancelled (a partial report was written).")
            .build();

    private final Services services;
    private final Clock clock;

    /**
     * @param services the services the command uses
     */
    @Activate
    public CompareCommand(@Reference Services services) {
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
    @Descriptor(SUMMARY + " (unlearn:compare --help)")
    public Object compare(CommandSession session, @Descriptor("see unlearn:compare --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        var args = call.args();
        ComparisonSpec defaults = ComparisonSpec.defaultFor(args.value("world").orElse(ComparisonSpec.DEFAULT.world()));
        List<String> methods = args.value("methods").map(CompareCommand::list).orElse(defaults.methods());
        if (methods.isEmpty()) {
            throw LetheException.invalidInput("--methods names no method");
        }
        Map<String, Map<String, String>> settings = new LinkedHashMap<>();
        for (String set : args.values("set")) {
            int dot = set.indexOf('.');
            int eq = set.indexOf('=');
            if (dot <= 0 || eq < dot + 2) {
                throw LetheException.invalidInput("--set '" + Text.printable(set) + "': write method.key=value");
            }
            settings.computeIfAbsent(set.substring(0, dot), k -> new LinkedHashMap<>())
                    .put(set.substring(dot + 1, eq), set.substring(eq + 1));
        }
        List<String> probes = args.value("probes").isPresent() ? EvalCommand.probes(args.value("probes")) : defaults.probes();
        ComparisonSpec spec;
        try {
            spec = new ComparisonSpec(args.value("world").orElse(defaults.world()), args.value("split").orElse(defaults.split()),
                    methods, settings, integer(args.value("seeds"), "--seeds", defaults.seeds()),
                    RunLauncher.seed(args.value("first-seed")), probes, RunLauncher.budget(args.value("budget")));
        } catch (IllegalArgumentException e) {
            throw LetheException.invalidInput(e.getMessage());
        }
        PrintStream out = call.out();
        Path folder = args.value("out").map(call::path).orElseGet(() -> services.dataFolder()
                .orElse(Path.of("data")).resolve("reports").resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                        .withZone(ZoneOffset.UTC).format(clock.instant()) + "-" + spec.world() + "-" + spec.split()));
        if (args.flag("dry-run")) {
            out.println("would compare " + String.join(", ", spec.methods()) + " on " + spec.world() + "/" + spec.split()
                    + ", " + spec.seeds() + " seed(s) from " + spec.firstSeed() + ", probes " + spec.probes()
                    + (settings.isEmpty() ? "" : ", settings " + settings) + "; report to " + folder);
            out.println("dry run: nothing was started or changed");
            out.flush();
            return null;
        }
        ComparisonService comparisons = services.comparisons();
        boolean quiet = args.flag("quiet");
        AtomicBoolean cancelled = new AtomicBoolean();
        Report report;
        try (AutoCloseable ctrlC = call.onCtrlC(() -> cancelled.set(true))) {
            report = comparisons.compare(spec, new ComparisonService.Listener() {
                @Override
                public void step(int done, int total, String what) {
                    if (!quiet) {
                        out.println("[" + done + "/" + total + "] " + what);
                        out.flush();
                    }
                }

                @Override
                public boolean cancelled() {
                    return cancelled.get() || Thread.currentThread().isInterrupted();
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CommandException.cancelled("the comparison was interrupted");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        List<Path> files;
        try {
            files = comparisons.write(report, folder);
        } catch (java.io.IOException e) {
            throw LetheException.failed("cannot write the report to " + folder + ": " + e.getMessage(), e);
        }
        print(report, out);
        out.println("report: " + folder.resolve("report.html"));
        files.forEach(f -> out.println("  " + f));
        out.flush();
        if (report.partial()) {
            throw CommandException.cancelled("the comparison was cancelled; the partial report is in " + folder);
        }
        return null;
    }

    /** The table of the main columns: rows × columns, mean ± std. */
    static void print(Report report, PrintStream out) {
        List<String> shown = new ArrayList<>();
        List<String> keys = report.columns().stream().map(Report.Column::key).toList();
        for (String key : keys.stream().anyMatch(SHOWN::contains) ? SHOWN
                : keys.stream().anyMatch(SHOWN_VQA::contains) ? SHOWN_VQA : SHOWN_ERASURE) {
            if (keys.contains(key)) {
                shown.add(key);
            }
        }
        if (shown.isEmpty()) { // another world's columns: the first ones
            keys.stream().limit(SHOWN.size()).forEach(shown::add);
        }
        List<String> header = new ArrayList<>(List.of("row"));
        header.addAll(shown);
        header.add("time s");
        Table table = Table.of(header.toArray(String[]::new));
        for (Report.Row row : report.rows()) {
            List<Object> cells = new ArrayList<>(List.of(row.name()));
            for (String key : shown) {
                Report.Cell cell = row.cells().get(key);
                cells.add(cell == null ? "" : !cell.values().isEmpty() ? format(cell)
                        : cell.failure().filter(f -> !f.equals("not measured")).map(f -> "failed").orElse("—"));
            }
            double seconds = row.runs().stream().mapToDouble(Report.SeedRun::unlearningSeconds).average().orElse(0);
            cells.add(row.kind() == Report.RowKind.METHOD ? String.format(Locale.ROOT, "%.1f", seconds) : "");
            table.row(cells.toArray());
        }
        out.print(table.render());
        report.notes().forEach(n -> out.println("note: " + n));
    }

    private static String format(Report.Cell cell) {
        String mean = EvalCommand.format(cell.mean());
        return cell.values().size() > 1 ? mean + " ± " + EvalCommand.format(cell.std()) : mean;
    }

    static List<String> list(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    private static int integer(Optional<String> text, String option, int fallback) {
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.get().trim());
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(option + " '" + Text.printable(text.get()) + "' is not a whole number");
        }
    }
}

package org.lethe.shell.commands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunRecord;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.lethe.shell.report.RunReport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:report <run>}: the report of one run record, as Markdown, JSON, CSV or HTML. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "report")
public final class ReportCommand extends ShellCommand {

    static final String SUMMARY = "Report a run: what ran, with which inputs and fingerprints, and how it ended";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "report", SUMMARY)
            .description("""
                    The report of one run record: method and bundle version, settings, model version, data files
                    with their SHA-256, seed, budget, timing, outcome, and the lineage of the model it committed.
                    The comparison report (metrics, probes and charts across methods, settings and seeds) comes
                    with the evaluation item, in the same command.

                    Without --out the report goes to standard output; with it, to a new file (written whole or
                    not at all; an existing file is kept unless --force is given).""")
            .operand(Operand.required("run", "The run: its key, a unique prefix of 4+ digits, or last.", Completion.RUN))
            .option(Option.choice('f', "format", "format", "The format (default md).", List.of("md", "json", "csv", "html")))
            .option(Option.value('o', "out", "file", "Write the report to this file.", Completion.FILE))
            .option(Option.flag((char) 0, "force", "With --out: replace the file if it exists."))
            .example("unlearn:report last")
            .example("unlearn:report 3fa9c1d2 --format html --out run.html")
            .exitStatuses(CommandSpec.EXIT_CHANGES)
            .build();

    private final Services services;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param services the services the command uses
     */
    @Activate
    public ReportCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints or writes the report
     */
    @Descriptor(SUMMARY + " (unlearn:report --help)")
    public Object report(CommandSession session, @Descriptor("see unlearn:report --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) throws IOException {
        var args = call.args();
        RunReport.Format format = RunReport.Format.valueOf(args.value("format").orElse("md").toUpperCase(Locale.ROOT));
        Path target = args.value("out").map(call::path).orElse(null);
        if (target != null) {
            if (Files.isDirectory(target)) {
                throw LetheException.invalidInput("--out " + target + ": is a folder");
            }
            if (Files.exists(target) && !args.flag("force")) {
                throw LetheException.invalidInput("--out " + target + ": exists already (--force replaces it)");
            }
            if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
                throw LetheException.invalidInput("--out " + target + ": its folder does not exist");
            }
        }
        RunRecord record = RunKeys.find(services.runs(), args.operands().get(0));
        java.util.Optional<org.lethe.api.method.MethodDescriptor> method;
        try {
            method = services.registry().method(record.spec().component());
        } catch (LetheException e) {
            method = java.util.Optional.empty(); // the report does without the paper
        }
        List<ModelManifest> lineage = record.result().map(r -> {
            try {
                return services.models().lineage(r);
            } catch (LetheException e) {
                return List.<ModelManifest>of();
            }
        }).orElse(List.of());
        String text = new RunReport(record, method, lineage, clock.instant()).render(format);
        if (target == null) {
            call.out().print(text);
            return null;
        }
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        call.out().println("wrote " + Text.printable(target.toString()) + " (" + format.name().toLowerCase(Locale.ROOT) + ")");
        return null;
    }
}

package org.lethe.shell.commands;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunRecord;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.lethe.shell.base.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:runs}: the runs this data folder knows, most recent first. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "runs")
public final class RunsCommand extends ShellCommand {

    static final String SUMMARY = "List the runs, most recent first: key, state, method, model, result, progress";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "runs", SUMMARY)
            .description("""
                    The RUN column is the start of each key: any unique prefix of four or more digits (or the
                    word last) names the run in unlearn:watch, unlearn:cancel and unlearn:report.""")
            .option(Option.choice('s', "state", "state", "Only runs in this state.",
                    List.of("queued", "running", "committed", "failed", "cancelled")))
            .option(Option.value('l', "limit", "n", "At most this many runs (default: all).",
                    org.lethe.shell.base.Completion.NONE))
            .example("unlearn:runs --state failed")
            .build();

    private final Services services;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param services the services the command uses
     */
    @Activate
    public RunsCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the table
     */
    @Descriptor(SUMMARY + " (unlearn:runs --help)")
    public Object runs(CommandSession session, @Descriptor("see unlearn:runs --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        String state = call.args().value("state").orElse(null);
        int limit = call.args().value("limit").map(RunsCommand::limit).orElse(Integer.MAX_VALUE);
        Table table = Table.of("RUN", "STATE", "KIND", "METHOD", "MODEL", "RESULT", "PROGRESS", "SUBMITTED", "TOOK", "REASON");
        int shown = 0;
        for (RunRecord r : services.runs().runs()) {
            if (state != null && !r.state().name().toLowerCase(Locale.ROOT).equals(state)) {
                continue;
            }
            if (shown++ >= limit) {
                break;
            }
            RunRecord.Progress p = r.progress();
            String progress = p.totalSteps() > 0 ? p.step() + "/" + p.totalSteps() : p.step() > 0 ? String.valueOf(p.step()) : "";
            table.row(ProgressLine.shortKey(r.key().value()), r.state().name().toLowerCase(Locale.ROOT),
                    r.spec().kind().name().toLowerCase(Locale.ROOT), r.spec().component(),
                    r.spec().model().map(Object::toString).orElse(""), r.result().map(Object::toString).orElse(""),
                    progress, Text.time(r.submitted()),
                    r.started().isPresent() ? Text.clock(ProgressLine.elapsed(r, clock.instant())) : "",
                    Text.fit(r.reason().orElse(""), 60));
        }
        if (table.isEmpty()) {
            call.out().println(state == null ? "No run yet (unlearn:run starts one)." : "No " + state + " run.");
            return null;
        }
        call.out().print(table.render());
        return null;
    }

    private static int limit(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw LetheException.invalidInput("--limit '" + Text.printable(text) + "' is not a whole number ≥ 1");
    }
}

package org.lethe.shell.commands;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.shell.base.CommandException;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:cancel <run>}: cancels a queued or running run; nothing of it is committed. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "cancel")
public final class CancelCommand extends ShellCommand {

    static final String SUMMARY = "Cancel a queued or running run; nothing of it is committed";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "cancel", SUMMARY)
            .description("""
                    A queued run is cancelled at once, a running one at its next step; the command waits for it
                    to end (at most a minute) unless --no-wait is given. A run that already ended is left as it
                    is (invalid input, exit status 3).""")
            .operand(Operand.required("run", "The run: its key, a unique prefix of 4+ digits, or last.", Completion.RUN))
            .option(Option.value('r', "reason", "text", "Why, recorded in the run's record (default: cancelled from"
                    + " the shell).", Completion.NONE))
            .option(Option.flag((char) 0, "no-wait", "Return once the cancellation is requested."))
            .example("unlearn:cancel 3fa9c1d2")
            .exitStatuses("0 cancelled (or committed before the cancellation took effect), 2 usage error, 3 invalid"
                    + " input (an unknown run, or one that already ended), 4 it did not end in time.")
            .build();

    private final Services services;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param services the services the command uses
     */
    @Activate
    public CancelCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints what happened
     */
    @Descriptor(SUMMARY + " (unlearn:cancel --help)")
    public Object cancel(CommandSession session, @Descriptor("see unlearn:cancel --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        RunService runs = services.runs();
        RunRecord record = RunKeys.find(runs, call.args().operands().get(0));
        String shortKey = ProgressLine.shortKey(record.key().value());
        if (record.state().isTerminal()) {
            throw LetheException.invalidInput("run " + shortKey + " already ended: "
                    + record.state().name().toLowerCase(Locale.ROOT) + record.reason().map(r -> " (" + r + ")").orElse(""));
        }
        String reason = call.args().value("reason").orElse("cancelled from the shell");
        if (!runs.cancel(record.key(), reason)) {
            RunRecord now = runs.record(record.key()).orElse(record);
            throw LetheException.invalidInput("run " + shortKey + " already ended: " + now.state().name().toLowerCase(Locale.ROOT));
        }
        if (call.args().flag("no-wait")) {
            call.out().println("cancellation of run " + shortKey + " requested");
            return null;
        }
        RunRecord end;
        try {
            end = runs.await(record.key(), Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            throw CommandException.cancelled("stopped waiting; the cancellation of run " + shortKey + " is requested");
        }
        if (!end.state().isTerminal()) {
            throw LetheException.failed("run " + shortKey + " did not stop within a minute; it is "
                    + end.state().name().toLowerCase(Locale.ROOT), null);
        }
        call.out().println(ProgressLine.outcome(end, clock.instant()));
        return null;
    }
}

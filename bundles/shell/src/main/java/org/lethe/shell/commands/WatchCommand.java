package org.lethe.shell.commands;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.run.RunRecord;
import org.lethe.shell.base.CommandException;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.RunFollower;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:watch <run>}: follows a run to its end; Ctrl-C stops watching, the run goes on. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "watch")
public final class WatchCommand extends ShellCommand {

    static final String SUMMARY = "Follow a run until it ends (progress, loss, ETA); its exit status is the run's";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "watch", SUMMARY)
            .description("""
                    Shows the run like a foreground unlearn:run does. Ctrl-C stops watching and leaves the run
                    running (unlearn:cancel cancels it). The exit status is the run's outcome: 0 committed,
                    4 failed, 130 cancelled.""")
            .operand(Operand.required("run", "The run: its key, a unique prefix of 4+ digits, or last.", Completion.RUN))
            .option(org.lethe.shell.base.Option.flag('q', "quiet", "Show no progress, only the outcome."))
            .example("unlearn:watch last")
            .exitStatuses(CommandSpec.EXIT_RUN.replace(" (Ctrl-C cancels the run)", "; Ctrl-C only stops watching"))
            .build();

    private final Services services;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param services the services the command uses
     */
    @Activate
    public WatchCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the run's progress and outcome
     */
    @Descriptor(SUMMARY + " (unlearn:watch --help)")
    public Object watch(CommandSession session, @Descriptor("see unlearn:watch --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        var runs = services.runs();
        RunRecord record = RunKeys.find(runs, call.args().operands().get(0));
        RunFollower follower = new RunFollower(runs, call.out(), RunFollower.modeFor(call, call.args().flag("quiet")),
                call.width(), clock, RunLauncher.PLAIN_EVERY);
        String shortKey = ProgressLine.shortKey(record.key().value());
        CommandException stopped = CommandException.cancelled("stopped watching run " + shortKey + "; it goes on"
                + " (unlearn:cancel " + shortKey + " cancels it)");
        AtomicBoolean ctrlC = new AtomicBoolean();
        RunRecord end;
        try (AutoCloseable handler = call.onCtrlC(() -> ctrlC.set(true))) {
            end = follower.follow(record.key(), ctrlC::get);
        } catch (InterruptedException e) {
            throw stopped;
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        if (!end.state().isTerminal()) {
            throw stopped;
        }
        return RunLauncher.ended(end, call.out(), clock);
    }
}

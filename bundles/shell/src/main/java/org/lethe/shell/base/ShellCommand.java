package org.lethe.shell.base;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.apache.felix.service.command.CommandSession;
import org.lethe.api.LetheException;

/**
 * The base of every {@code unlearn:} command: one subclass per verb, registered as a DS component with
 * {@code @GogoCommand(scope = "unlearn", function = "<verb>")}. A subclass declares what it accepts
 * ({@link #spec()}) and does its work in {@link #execute}; its public Gogo entry method, named after
 * the verb, only calls {@link #invoke}.
 *
 * <p>{@link #invoke} parses the arguments, answers {@code -h}/{@code --help}, and turns every failure
 * into a {@link CommandException} whose message starts with the command's name and whose exit status
 * follows DESIGN §5: usage errors 2, invalid input 3 (nothing was changed), failures 4, interruption
 * 130. The interactive shell prints it in red; the one-shot launcher prints it on standard error and
 * exits with its status.
 */
public abstract class ShellCommand {

    /** The Gogo scope of every Lethe command. */
    public static final String SCOPE = "unlearn";

    /** @return what the command accepts: the source of its parsing, help and completion */
    public abstract CommandSpec spec();

    /**
     * Does the command's work.
     *
     * @param call the parsed arguments and where output goes
     * @return a value for Gogo to print, or null when the command printed what it has to say
     * @throws Exception any failure; {@link LetheException}s carry their exit status
     */
    protected abstract Object execute(Invocation call) throws Exception;

    /**
     * Runs the command from a Gogo session.
     *
     * @param session the session
     * @param argv the arguments after the command's name
     * @return what {@link #execute} returned
     * @throws CommandException every failure, with its exit status
     */
    protected final Object invoke(CommandSession session, Object[] argv) {
        CommandSpec spec = spec();
        List<String> args = new ArrayList<>();
        if (argv != null) {
            for (Object arg : argv) {
                args.add(arg == null ? "null" : String.valueOf(arg));
            }
        }
        try {
            Arguments parsed = ArgumentParser.parse(spec, args);
            Invocation call = Invocation.inSession(session, spec, parsed);
            if (parsed.help()) {
                call.out().print(spec.help());
                call.out().flush();
                return null;
            }
            return execute(call);
        } catch (Exception e) {
            throw translate(spec, e);
        }
    }

    /**
     * Runs the command outside Gogo (tests, embedding): output to the given streams, never a terminal.
     *
     * @param args the arguments after the command's name
     * @param out standard output
     * @param err standard error
     * @param workingDirectory relative paths are resolved against it
     * @return what {@link #execute} returned
     * @throws CommandException every failure, with its exit status
     */
    public final Object callWith(List<String> args, PrintStream out, PrintStream err, Path workingDirectory) {
        CommandSpec spec = spec();
        try {
            Arguments parsed = ArgumentParser.parse(spec, args);
            Invocation call = new Invocation(null, spec, parsed, out, err, false, Invocation.DEFAULT_WIDTH,
                    workingDirectory, null);
            if (parsed.help()) {
                out.print(spec.help());
                return null;
            }
            return execute(call);
        } catch (Exception e) {
            throw translate(spec, e);
        }
    }

    /**
     * Turns a failure into the command's error: its message prefixed with the command's name, and
     * usage errors pointing at {@code --help}.
     *
     * @param spec the command
     * @param error what went wrong
     * @return the error to throw
     */
    public static CommandException translate(CommandSpec spec, Throwable error) {
        String prefix = spec.name() + ": ";
        if (error instanceof CommandException e && e.getMessage() != null && e.getMessage().startsWith(prefix)) {
            return e;
        }
        if (error instanceof LetheException e) {
            String message = prefix + e.getMessage();
            if (e.exitStatus() == LetheException.USAGE) {
                message += " (see " + spec.name() + " --help)";
            }
            return new CommandException(e.exitStatus(), message, e);
        }
        if (error instanceof InterruptedException || error instanceof CancellationException) {
            return new CommandException(LetheException.CANCELLED, prefix + "interrupted", error);
        }
        String message = error.getMessage() == null || error.getMessage().isBlank() ? error.toString() : error.getMessage();
        return new CommandException(LetheException.FAILED, prefix + message, error);
    }
}

package org.lethe.shell.base;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Process;

/**
 * One call of a command: its session, its parsed arguments, where its output goes, and whether that
 * is a terminal (a live progress line) or not (plain lines, for logs and pipes).
 */
public final class Invocation {

    /** Width assumed when the terminal does not say. */
    public static final int DEFAULT_WIDTH = 80;

    private final CommandSession session;
    private final CommandSpec spec;
    private final Arguments args;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final int width;
    private final Path workingDirectory;
    private final Object jlineTerminal;

    /**
     * @param session the Gogo session, or null outside Gogo (tests)
     * @param spec the command
     * @param args its parsed arguments
     * @param out standard output of the command
     * @param err standard error of the command
     * @param terminal whether standard output is an interactive terminal
     * @param width the terminal's width in columns
     * @param workingDirectory relative paths are resolved against it
     * @param jlineTerminal the interactive shell's JLine terminal, or null
     */
    public Invocation(CommandSession session, CommandSpec spec, Arguments args, PrintStream out, PrintStream err,
            boolean terminal, int width, Path workingDirectory, Object jlineTerminal) {
        this.session = session;
        this.spec = spec;
        this.args = args;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.width = width;
        this.workingDirectory = workingDirectory;
        this.jlineTerminal = jlineTerminal;
    }

    /**
     * The invocation of a command inside a Gogo session: output to the current pipe, the terminal
     * found in the session ({@code .terminal}, set by the interactive shell) or, for a one-shot
     * command, the process console.
     */
    static Invocation inSession(CommandSession session, CommandSpec spec, Arguments args) {
        Process process = Process.Utils.current();
        PrintStream out = process != null ? process.out() : System.out;
        PrintStream err = process != null ? process.err() : System.err;
        boolean tty = process == null || process.isTty(1);
        Object terminal = session == null ? null : session.get(".terminal");
        boolean onTerminal;
        int width = DEFAULT_WIDTH;
        if (terminal != null) {
            String type = String.valueOf(call(terminal, "getType"));
            onTerminal = tty && !type.startsWith("dumb");
            Object columns = call(terminal, "getWidth");
            if (columns instanceof Integer w && w > 20) {
                width = w;
            }
        } else {
            onTerminal = tty && System.console() != null;
        }
        Path cwd = session == null ? Path.of("").toAbsolutePath() : session.currentDir();
        return new Invocation(session, spec, args, out, err, onTerminal, width,
                cwd == null ? Path.of("").toAbsolutePath() : cwd, onTerminal ? terminal : null);
    }

    private static Object call(Object target, String method) {
        try {
            for (Class<?> type : target.getClass().getInterfaces()) {
                if (type.getName().equals("org.jline.terminal.Terminal")) {
                    Method m = type.getMethod(method);
                    return m.invoke(target);
                }
            }
            Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * While the command follows long work: the first Ctrl-C on the interactive terminal runs
     * {@code action} instead of interrupting the command (see {@link TerminalSignals}).
     *
     * @param action what Ctrl-C does
     * @return closing it restores the shell's handler
     */
    public AutoCloseable onCtrlC(Runnable action) {
        return TerminalSignals.onInterrupt(jlineTerminal, action);
    }

    /** @return the session; null outside Gogo */
    public CommandSession session() {
        return session;
    }

    /** @return the command */
    public CommandSpec spec() {
        return spec;
    }

    /** @return the parsed arguments */
    public Arguments args() {
        return args;
    }

    /** @return standard output */
    public PrintStream out() {
        return out;
    }

    /** @return standard error */
    public PrintStream err() {
        return err;
    }

    /** @return whether standard output is an interactive terminal */
    public boolean terminal() {
        return terminal;
    }

    /** @return the terminal's width in columns ({@value #DEFAULT_WIDTH} when unknown) */
    public int width() {
        return width;
    }

    /**
     * @param text a path as the user typed it
     * @return it resolved against the session's working directory, normalised
     */
    public Path path(String text) {
        return workingDirectory.resolve(text).toAbsolutePath().normalize();
    }
}

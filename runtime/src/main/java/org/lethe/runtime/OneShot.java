package org.lethe.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs one Gogo command line in its own command session, prints its result, and maps the outcome
 * to an {@link ExitStatus}.
 *
 * <p>Gogo's own {@code -c} prints no result, and piped standard input always exits 0, so the
 * launcher drives the {@code CommandProcessor} service itself. Its classes belong to the Gogo
 * runtime bundle, not to the launcher's class loader, so they are called reflectively, through the
 * public interfaces {@code CommandProcessor} and {@code CommandSession}.
 *
 * <p>Exit statuses: a command that is not found, or whose arguments fit none of its signatures, is a
 * usage error (2); an exception with a public {@code int exitStatus()} method gives that status (the
 * convention Lethe's commands follow); an {@link IllegalArgumentException} is invalid input (3);
 * interruption or cancellation is 130; any other exception is a failed run (4).
 */
final class OneShot {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";
    /** Gogo's {@code Converter.INSPECT}: the verbose rendering the interactive shell prints. */
    private static final int INSPECT = 0;
    /** An argument Gogo takes literally without quotes. */
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_.,:/=+-]+");

    private OneShot() {
    }

    /**
     * The command line for the arguments of {@code bin/lethe}. One argument is taken verbatim as a
     * Gogo command line ({@code lethe 'lb | grep lethe'}); several are joined with spaces, and an
     * argument holding anything but letters, digits and {@code _ . , : / = + -} (whitespace, quotes,
     * backslashes, {@code $ ( ) { } ; | * ?} ...) is quoted so that it stays one argument, taken
     * literally ({@code lethe unlearn:run x --set "name=a b"}).
     */
    static String commandLine(List<String> args) {
        if (args.size() == 1) {
            return args.get(0);
        }
        StringBuilder line = new StringBuilder();
        for (String arg : args) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(PLAIN_WORD.matcher(arg).matches() ? arg : quoted(arg));
        }
        return line.toString();
    }

    /**
     * A Gogo word that evaluates to {@code arg} literally. Inside Gogo's single quotes no variable,
     * glob or sub-command is expanded, but a backslash still escapes the next character (so it is
     * doubled), and a quote cannot be escaped (so it is written as {@code '\''}: close, escaped
     * quote, reopen).
     */
    private static String quoted(String arg) {
        return "'" + arg.replace("\\", "\\\\").replace("'", "'\\''") + "'";
    }

    /** Runs {@code commandLine} and returns the exit status; the result goes to {@code out}, errors to {@code err}. */
    static int run(BundleContext context, String commandLine, InputStream in, PrintStream out, PrintStream err) {
        ServiceReference<?> ref = context.getServiceReference(PROCESSOR);
        Object processor = ref == null ? null : context.getService(ref);
        if (processor == null) {
            err.println("lethe: the Gogo shell runtime is not available; cannot run a command");
            return ExitStatus.FAILED;
        }
        try {
            Class<?> processorType = publicInterface(processor.getClass(), PROCESSOR);
            Method createSession = processorType.getMethod("createSession", InputStream.class, OutputStream.class,
                    OutputStream.class);
            Object session = createSession.invoke(processor, in, out, err);
            Class<?> sessionType = publicInterface(session.getClass(), SESSION);
            try {
                Object result = sessionType.getMethod("execute", CharSequence.class).invoke(session, commandLine);
                if (result != null) {
                    Object text = sessionType.getMethod("format", Object.class, int.class).invoke(session, result, INSPECT);
                    out.println(text);
                }
                out.flush();
                return ExitStatus.OK;
            } finally {
                sessionType.getMethod("close").invoke(session);
            }
        } catch (InvocationTargetException e) {
            out.flush();
            Throwable cause = unwrapped(e.getCause());
            err.println("lethe: " + message(cause));
            return statusOf(cause);
        } catch (ReflectiveOperationException e) {
            err.println("lethe: the Gogo runtime does not have the expected interface: " + e);
            return ExitStatus.FAILED;
        } finally {
            context.ungetService(ref);
        }
    }

    static int statusOf(Throwable error) {
        String type = error.getClass().getName();
        if (type.endsWith("CommandNotFoundException") || type.endsWith("SyntaxError")) {
            return ExitStatus.USAGE;
        }
        try {
            Method exitStatus = error.getClass().getMethod("exitStatus");
            // the exception's class may be package-private in its command bundle
            if (exitStatus.getReturnType() == int.class && exitStatus.trySetAccessible()) {
                return (int) exitStatus.invoke(error);
            }
        } catch (ReflectiveOperationException | RuntimeException notOurs) {
            // no exit-status convention on this exception
        }
        if (error instanceof IllegalArgumentException) {
            // Gogo reports arguments that fit no signature of the command this way
            String message = String.valueOf(error.getMessage());
            return message.startsWith("Cannot coerce") ? ExitStatus.USAGE : ExitStatus.INVALID_INPUT;
        }
        if (error instanceof InterruptedException || error instanceof CancellationException) {
            return ExitStatus.CANCELLED;
        }
        return ExitStatus.FAILED;
    }

    /**
     * The command's own exception: Gogo rethrows most as they are, but commands it reaches through
     * a further reflective call (the Posix ones: cat, grep, echo, ...) arrive wrapped once more.
     */
    static Throwable unwrapped(Throwable error) {
        Throwable current = error;
        while ((current instanceof InvocationTargetException || current instanceof UndeclaredThrowableException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static String message(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.toString() : message;
    }

    private static Class<?> publicInterface(Class<?> type, String name) throws ClassNotFoundException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name)) {
                    return i;
                }
            }
        }
        throw new ClassNotFoundException(name + " is not implemented by " + type.getName());
    }
}

package org.lethe.shell.base;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Ctrl-C on the interactive shell's terminal, handled by a command while it runs.
 *
 * <p>Gogo's JLine shell answers Ctrl-C by interrupting the foreground job, and its job controller then
 * ends the job at once with a bare {@code InterruptedException}, whatever the command does next. A
 * command that follows a run installs its own handler for as long as it follows: the first Ctrl-C does
 * what the command says (cancel the run, stop watching), and the command ends with its own message and
 * status; a second Ctrl-C goes to Gogo's handler, which interrupts the command as before. The terminal
 * is JLine's, reached reflectively (the bundle does not depend on JLine); without one, nothing is
 * installed and interruption is the only signal.
 */
public final class TerminalSignals {

    private TerminalSignals() {
    }

    /**
     * Installs {@code action} as the terminal's Ctrl-C handler until the returned handle is closed.
     *
     * @param terminal the session's JLine terminal ({@code .terminal}), or null
     * @param action what the first Ctrl-C does; later ones go to the handler that was there before
     * @return closing it restores the previous handler; a no-op when no handler could be installed
     */
    public static AutoCloseable onInterrupt(Object terminal, Runnable action) {
        if (terminal == null) {
            return () -> { };
        }
        try {
            ClassLoader loader = terminal.getClass().getClassLoader();
            Class<?> terminalType = Class.forName("org.jline.terminal.Terminal", false, loader);
            Class<?> signalType = Class.forName("org.jline.terminal.Terminal$Signal", false, loader);
            Class<?> handlerType = Class.forName("org.jline.terminal.Terminal$SignalHandler", false, loader);
            if (!terminalType.isInstance(terminal)) {
                return () -> { };
            }
            Method handle = terminalType.getMethod("handle", signalType, handlerType);
            Method delegate = handlerType.getMethod("handle", signalType);
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object interrupt = Enum.valueOf((Class) signalType, "INT");
            Object[] previous = new Object[1];
            boolean[] fired = new boolean[1];
            InvocationHandler calls = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle" -> {
                        boolean first;
                        synchronized (fired) {
                            first = !fired[0];
                            fired[0] = true;
                        }
                        if (first) {
                            action.run();
                        } else if (previous[0] != null) {
                            delegate.invoke(previous[0], args);
                        }
                        return null;
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    case "toString" -> {
                        return "Lethe Ctrl-C handler";
                    }
                    default -> {
                        return null;
                    }
                }
            };
            Object ours = Proxy.newProxyInstance(loader, new Class<?>[] {handlerType}, calls);
            previous[0] = handle.invoke(terminal, interrupt, ours);
            return () -> handle.invoke(terminal, interrupt, previous[0]);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return () -> { };
        }
    }
}

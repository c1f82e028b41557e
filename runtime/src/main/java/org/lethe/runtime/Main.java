package org.lethe.runtime;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/lethe}: with no command, the interactive shell; with {@code --service}, a container
 * without a shell; with a command, that command in a fresh container, whose outcome is the exit
 * status (see {@link ExitStatus}).
 */
public final class Main {

    /** How long a quiet container must stay quiet to count as settled; above FileInstall's 200 ms poll. */
    static final long QUIET_MILLIS = 300;

    /** Settling gives up (with a warning) after this long. */
    static final long SETTLE_TIMEOUT_MILLIS = 120_000;

    private static volatile Thread commandThread;
    private static volatile boolean cancelled;

    private Main() {
    }

    /** Entry point; never returns. */
    public static void main(String[] args) {
        int status = run(args);
        System.out.flush();
        System.exit(status);
    }

    static int run(String[] args) {
        // Captured before the container starts: the Gogo runtime replaces System.in, out and err with
        // streams that route to the current command session, which must not be that session's own.
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        boolean service = false;
        int first = 0;
        while (first < args.length && args[first].startsWith("-")) {
            switch (args[first]) {
                case "-h", "--help" -> {
                    out.print(usage());
                    return ExitStatus.OK;
                }
                case "--version" -> {
                    out.println("lethe " + version());
                    return ExitStatus.OK;
                }
                case "--service" -> service = true;
                default -> {
                    err.println("lethe: unknown option " + args[first] + " (see lethe --help)");
                    return ExitStatus.USAGE;
                }
            }
            first++;
        }
        List<String> command = Arrays.asList(args).subList(first, args.length);
        if (service && !command.isEmpty()) {
            err.println("lethe: --service takes no command (see lethe --help)");
            return ExitStatus.USAGE;
        }
        Container.Mode mode = service ? Container.Mode.SERVICE
                : command.isEmpty() ? Container.Mode.SHELL : Container.Mode.ONE_SHOT;

        Container container;
        try {
            container = Container.start(Layout.fromSystemProperties(), mode);
        } catch (LauncherException e) {
            err.println("lethe: " + e.getMessage());
            return e.exitStatus();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> onSignal(container), "lethe-shutdown"));
        try {
            if (mode != Container.Mode.ONE_SHOT) {
                container.awaitStop();
                return ExitStatus.OK;
            }
            if (!container.awaitSettled(QUIET_MILLIS, SETTLE_TIMEOUT_MILLIS)) {
                container.console().println("WARN the container did not settle within "
                        + SETTLE_TIMEOUT_MILLIS / 1000 + " s; running the command anyway");
            }
            commandThread = Thread.currentThread();
            int status = OneShot.run(container.framework().getBundleContext(), OneShot.commandLine(command),
                    in, out, container.errors());
            commandThread = null;
            return cancelled ? ExitStatus.CANCELLED : status;
        } catch (InterruptedException e) {
            return ExitStatus.CANCELLED;
        } finally {
            commandThread = null;
            container.close();
        }
    }

    /** SIGINT/SIGTERM: cancel a running one-shot command (status 130) and stop the container cleanly. */
    private static void onSignal(Container container) {
        Thread running = commandThread;
        if (running != null) {
            cancelled = true;
            running.interrupt();
            container.close();
            Runtime.getRuntime().halt(ExitStatus.CANCELLED);
        }
        container.close();
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    static String usage() {
        return """
                Usage: lethe [--service] [<command> [<argument>...]]

                Lethe: machine unlearning and concept erasure in an OSGi container.

                  lethe                 open the interactive shell (Gogo; 'help' lists commands, 'exit' leaves)
                  lethe <command> ...   run one shell command in a fresh container, print its result, exit
                                        e.g.  lethe lb    lethe hc:exec -v lethe
                  lethe --service       run without a shell until stopped (SIGTERM)
                  lethe -h, --help      print this help
                  lethe --version       print the version

                Environment:
                  LETHE_DATA      data folder: engine cache, models, runs, logs (default <home>/data)
                  LETHE_DEPLOY    hot-deploy folder watched for bundles and .cfg files (default <home>/deploy)
                  LETHE_THREADS   libtorch intra-op threads (default 1)
                  JAVA_HOME, JAVA_OPTS   the Java 17+ runtime and its options

                Exit status: 0 success, 2 usage error, 3 invalid input (nothing changed),
                4 run failed (the base model is untouched), 130 cancelled.
                """;
    }
}

package org.lethe.shell.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.djl.EngineStatus;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.lethe.shell.diag.BundleDiagnosis;
import org.lethe.shell.diag.ComponentDiagnosis;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:diag}: why something is not up. Files in {@code deploy/} that did not become a live
 * bundle or configuration (the deploy-folder health check), bundles installed but not resolved with
 * their missing requirements, DS components not satisfied with their root cause, every health check,
 * the engine, threads, memory and free disk in the data folder. It only reads.
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "diag")
public final class DiagCommand extends ShellCommand {

    static final String SUMMARY = "Diagnose the container: deploy folder, unresolved bundles, unsatisfied"
            + " components, health checks, engine, threads, disk";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "diag", SUMMARY)
            .description("""
                    Start here when something dropped into deploy/ did not come up: each file there is listed
                    with what became of it; a bundle that did not resolve is listed with the requirement nothing
                    provides; a component that is not satisfied is listed with its missing reference, followed
                    to the root cause. Nothing is changed (in particular, nothing is resolved or started).""")
            .example("unlearn:diag")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public DiagCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the diagnosis
     */
    @Descriptor(SUMMARY + " (unlearn:diag --help)")
    public Object diag(CommandSession session, @Descriptor("see unlearn:diag --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        PrintStream out = call.out();
        Optional<HealthCheckExecutor> executor = services.healthChecks();

        out.println("Deploy folder" + services.context().map(c -> c.getProperty("lethe.deploy")).map(d -> " " + d).orElse(""));
        if (executor.isEmpty()) {
            out.println("  ? the health-check executor is not available (Felix Health Checks core is not active)");
        } else {
            List<HealthCheckExecutionResult> deploy = executor.get().execute(HealthCheckSelector.tags("deploy"));
            if (deploy.isEmpty()) {
                out.println("  ? no deploy-folder check is registered (the org.lethe.container bundle is not active)");
            }
            for (HealthCheckExecutionResult result : deploy) {
                entries(out, result.getHealthCheckResult(), "  ");
            }
        }

        out.println();
        out.println("Bundles installed but not resolved");
        Optional<BundleContext> context = services.context();
        List<BundleDiagnosis.Unresolved> unresolved = context.map(BundleDiagnosis::unresolved).orElse(List.of());
        if (unresolved.isEmpty()) {
            out.println("  none");
        }
        for (BundleDiagnosis.Unresolved bundle : unresolved) {
            out.println("  [" + bundle.id() + "] " + Text.printable(bundle.name()) + "  from " + Text.printable(bundle.location()));
            if (bundle.missing().isEmpty()) {
                out.println("      every requirement has a candidate: the resolver refused it for another reason"
                        + " (a uses constraint or a singleton clash); see data/log/lethe.log");
            }
            bundle.missing().forEach(m -> out.println("      missing: " + Text.printable(m)));
        }

        out.println();
        out.println("Components not up");
        if (services.scr().isEmpty()) {
            out.println("  ? Declarative Services is not available");
        } else {
            List<ComponentDiagnosis.Problem> problems = ComponentDiagnosis.problems(services.scr().get());
            int waiting = ComponentDiagnosis.awaitingConfiguration(services.scr().get()).size();
            String note = waiting == 0 ? "" : " (" + waiting + " component(s) wait for a configuration they require:"
                    + " off until configured, as designed; scr:list shows them)";
            if (problems.isEmpty()) {
                out.println("  none" + note);
            }
            for (ComponentDiagnosis.Problem problem : problems) {
                out.println("  " + Text.printable(problem.name()) + "  (" + Text.printable(problem.bundle()) + "): "
                        + problem.state());
                problem.causes().forEach(c -> out.println("      " + Text.printable(c)));
            }
            if (!problems.isEmpty() && !note.isEmpty()) {
                out.println(" " + note);
            }
        }

        out.println();
        out.println("Health checks");
        if (executor.isPresent()) {
            List<String> names = healthCheckNames(context);
            List<HealthCheckExecutionResult> all = names.isEmpty() ? List.of()
                    : executor.get().execute(HealthCheckSelector.names(names.toArray(String[]::new)));
            if (all.isEmpty()) {
                out.println("  none registered");
            }
            for (HealthCheckExecutionResult result : all) {
                Result r = result.getHealthCheckResult();
                out.println("  " + pad(r.getStatus().name(), 9) + Text.printable(result.getHealthCheckMetadata().getName()));
                if (!r.isOk()) {
                    entries(out, r, "      ");
                }
            }
        } else {
            out.println("  ? the health-check executor is not available");
        }

        out.println();
        out.println("Engine");
        Optional<EngineStatus> engine = services.engine();
        if (engine.isEmpty()) {
            out.println("  ? no engine status: the DJL platform bundle org.lethe.djl is not active");
        } else if (engine.get().isAvailable()) {
            EngineStatus e = engine.get();
            out.println("  " + e.engineName() + " " + e.engineVersion() + " on " + e.platform() + ", loaded in "
                    + e.initMillis() + " ms from " + e.nativeDirectory().map(Path::toString).orElse("?"));
            out.println("  device   " + device(context));
        } else {
            out.println("  not available: " + Text.printable(engine.get().failure().orElse("no reason given")));
        }

        out.println();
        out.println("Threads");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        out.println("  JVM threads " + threads.getThreadCount() + " (" + threads.getDaemonThreadCount() + " daemon), "
                + Runtime.getRuntime().availableProcessors() + " processor(s)"
                + engine.filter(EngineStatus::isAvailable).map(e -> ", libtorch intra-op threads " + e.intraOpThreads())
                        .orElse(""));
        Runtime runtime = Runtime.getRuntime();
        long used = runtime.totalMemory() - runtime.freeMemory();
        out.println("  heap " + mib(used) + " used of " + mib(runtime.maxMemory()) + " max");

        out.println();
        out.println("Data folder");
        Optional<Path> data = services.dataFolder();
        if (data.isEmpty()) {
            out.println("  ? not known (framework property lethe.data is not set)");
        } else {
            try {
                FileStore store = Files.getFileStore(data.get());
                out.println("  " + data.get() + ": " + gib(store.getUsableSpace()) + " free of " + gib(store.getTotalSpace()));
            } catch (IOException e) {
                out.println("  " + data.get() + ": cannot read its file system: " + e.getMessage());
            }
        }
        return null;
    }

    /** Every health check's name: an empty selector would run only the executor's default tags. */
    private static List<String> healthCheckNames(Optional<BundleContext> context) {
        if (context.isEmpty()) {
            return List.of();
        }
        try {
            ServiceReference<?>[] refs = context.get().getServiceReferences(HealthCheck.class.getName(), null);
            if (refs == null) {
                return List.of();
            }
            return java.util.Arrays.stream(refs).map(r -> r.getProperty(HealthCheck.NAME)).filter(n -> n != null)
                    .map(String::valueOf).distinct().sorted().toList();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            return List.of();
        }
    }

    private static void entries(PrintStream out, Result result, String indent) {
        for (ResultLog.Entry entry : result) {
            if (entry.isDebug()) {
                continue;
            }
            out.println(indent + pad(entry.getStatus().name(), 9) + Text.printable(entry.getMessage()));
        }
    }

    /** The engine's default device and GPU count, read from the {@code ai.djl.engine.Engine} service reflectively. */
    private static String device(Optional<BundleContext> context) {
        if (context.isEmpty()) {
            return "?";
        }
        BundleContext ctx = context.get();
        try {
            ServiceReference<?>[] refs = ctx.getServiceReferences("ai.djl.engine.Engine", "(" + EngineStatus.ENGINE_NAME + "="
                    + EngineStatus.PYTORCH + ")");
            if (refs == null || refs.length == 0) {
                return "? (no engine service)";
            }
            Object engine = ctx.getService(refs[0]);
            try {
                Method defaultDevice = engine.getClass().getMethod("defaultDevice");
                Method gpus = engine.getClass().getMethod("getGpuCount");
                defaultDevice.setAccessible(true);
                gpus.setAccessible(true);
                return defaultDevice.invoke(engine) + ", " + gpus.invoke(engine) + " GPU(s) visible";
            } finally {
                ctx.ungetService(refs[0]);
            }
        } catch (Exception | LinkageError e) {
            return "? (" + e + ")";
        }
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(1, width - text.length()));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }
}

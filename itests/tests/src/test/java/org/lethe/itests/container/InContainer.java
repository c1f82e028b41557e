package org.lethe.itests.container;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutionOptions;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;

/** Helpers for code that runs inside the container (test methods, in the probe bundle). */
final class InContainer {

    /** The bundle that holds the health checks and logs deploy-folder problems. */
    static final String CONTAINER_BSN = "org.lethe.container";

    private InContainer() {
    }

    /**
     * Looks a service up each time (never caches an object that may have gone away).
     *
     * @return the highest-ranked service of the type matching the filter, if any
     */
    static <T> Optional<T> service(BundleContext context, Class<T> type, String filter) {
        try {
            List<ServiceReference<T>> refs = new ArrayList<>(context.getServiceReferences(type, filter));
            Collections.sort(refs, Collections.reverseOrder());
            for (ServiceReference<T> ref : refs) {
                T service = context.getService(ref);
                if (service != null) {
                    return Optional.of(service); // the probe's usage count is released with the probe
                }
            }
            return Optional.empty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    /** @return the service, once there is one (waits up to {@link Await#DEADLINE}) */
    static <T> T awaitService(BundleContext context, Class<T> type, String filter) {
        return Await.until(type.getSimpleName() + (filter == null ? "" : " " + filter) + " service",
                () -> service(context, type, filter).orElse(null), s -> s != null);
    }

    /** @return whether no service of the type matches the filter */
    static boolean noService(BundleContext context, Class<?> type, String filter) {
        try {
            return context.getServiceReferences(type, filter).isEmpty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    /** @return the installed bundles with this symbolic name */
    static List<Bundle> bundles(BundleContext context, String symbolicName) {
        List<Bundle> found = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                found.add(bundle);
            }
        }
        return found;
    }

    static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /**
     * Runs the health checks with this tag now (bypassing Felix HC's result cache).
     *
     * @return one result per check
     */
    static List<HealthCheckExecutionResult> runChecks(BundleContext context, String tag) {
        HealthCheckExecutor executor = awaitService(context, HealthCheckExecutor.class, null);
        return executor.execute(HealthCheckSelector.tags(tag),
                new HealthCheckExecutionOptions().setForceInstantExecution(true));
    }

    /** @return the result of the one check with this name among those tagged {@code tag} */
    static Optional<Result> check(BundleContext context, String tag, String name) {
        for (HealthCheckExecutionResult result : runChecks(context, tag)) {
            if (name.equals(result.getHealthCheckMetadata().getName())) {
                return Optional.of(result.getHealthCheckResult());
            }
        }
        return Optional.empty();
    }

    /** @return the result of the "Deploy folder" check, run now */
    static Result deployCheck(BundleContext context) {
        return check(context, "deploy", "Deploy folder")
                .orElseThrow(() -> new AssertionError("no health check named 'Deploy folder' is tagged 'deploy'"));
    }

    /** @return the entries of a result's log that name this file */
    static List<ResultLog.Entry> entriesNaming(Result result, String fileName) {
        List<ResultLog.Entry> entries = new ArrayList<>();
        for (ResultLog.Entry entry : result) {
            if (names(entry.getMessage(), fileName)) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /** @return a result's log, one entry a line, for failure messages */
    static String describe(Result result) {
        StringBuilder text = new StringBuilder(String.valueOf(result.getStatus()));
        for (ResultLog.Entry entry : result) {
            text.append("\n  ").append(entry.getStatus()).append(' ').append(entry.getMessage());
        }
        return text.toString();
    }

    /**
     * @return whether the text names the file as a whole word (so {@code x.jar} does not match {@code fix.jar})
     */
    static boolean names(String text, String fileName) {
        return text != null && Pattern.compile("(?<![\\w.-])" + Pattern.quote(fileName) + "(?![\\w-])")
                .matcher(text).find();
    }

    /**
     * The OSGi log's WARN entries from {@value #CONTAINER_BSN} that name the file. Felix Log adds an
     * entry to its history in the logging thread, so this count is current as soon as the call that
     * logged has returned.
     */
    static List<String> containerWarningsNaming(BundleContext context, String fileName) {
        LogReaderService reader = awaitService(context, LogReaderService.class, null);
        List<String> found = new ArrayList<>();
        for (LogEntry entry : Collections.list(reader.getLog())) {
            if (entry.getLogLevel() == LogLevel.WARN && entry.getBundle() != null
                    && CONTAINER_BSN.equals(entry.getBundle().getSymbolicName())
                    && names(entry.getMessage(), fileName)) {
                found.add(entry.getMessage());
            }
        }
        return found;
    }
}

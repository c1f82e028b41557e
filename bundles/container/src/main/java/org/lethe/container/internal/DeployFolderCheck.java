package org.lethe.container.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Lists every file in the deploy folder that did not become a live bundle or configuration, with
 * the reason, and logs each such problem once.
 *
 * <p>FileInstall silently skips files that are not bundles (random bytes, jars without a
 * {@code Bundle-SymbolicName}) and only logs install failures; this check makes them visible as a
 * WARN health check ({@code hc:exec -v deploy}) and as one log line each.
 */
@Component(immediate = true, property = {
        HealthCheck.NAME + "=Deploy folder",
        HealthCheck.TAGS + "=lethe",
        HealthCheck.TAGS + "=deploy"})
public final class DeployFolderCheck implements HealthCheck {

    /** Framework property naming the deploy folder (the launcher sets it; FileInstall watches it). */
    static final String DEPLOY_DIR_PROPERTY = "lethe.deploy";

    /** A file younger than this is still being written (FileInstall polls every 200 ms). */
    static final long SETTLE_MILLIS = 2_000;

    @Reference
    private ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    @Reference(service = LoggerFactory.class)
    private Logger logger;

    private BundleContext context;
    private DeployFolderScanner scanner;
    private ScheduledExecutorService executor;
    private final Set<String> logged = new HashSet<>();

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        String dir = context.getProperty(DEPLOY_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        scanner = new DeployFolderScanner(Path.of(dir).toAbsolutePath().normalize(), SETTLE_MILLIS);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lethe-deploy-check");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::scanAndLog, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private void scanAndLog() {
        if ((context.getBundle(org.osgi.framework.Constants.SYSTEM_BUNDLE_LOCATION).getState()
                & (org.osgi.framework.Bundle.STOPPING | org.osgi.framework.Bundle.RESOLVED)) != 0) {
            return; // the container is stopping: bundles going away are not problems
        }
        try {
            scan();
        } catch (RuntimeException | IOException e) {
            logger.warn("Deploy folder scan failed: {}", e.toString());
        }
    }

    private synchronized List<DeployEntry> scan() throws IOException {
        List<DeployEntry> entries = scanner.scan(new OsgiContainer(context, scr, configAdmin),
                System.currentTimeMillis());
        Set<String> current = new HashSet<>();
        for (DeployEntry entry : entries) {
            if (entry.state() == DeployEntry.State.PROBLEM) {
                String key = entry.toString();
                current.add(key);
                if (logged.add(key)) {
                    logger.warn("Deploy folder {}: {} is not live: {}", scanner.folder(),
                            entry.file().getFileName(), entry.detail());
                }
            }
        }
        logged.retainAll(current); // a problem that was fixed and comes back is logged again
        return entries;
    }

    @Override
    public Result execute() {
        FormattingResultLog log = new FormattingResultLog();
        if (scanner == null) {
            log.info("No deploy folder is configured ({} is not set)", DEPLOY_DIR_PROPERTY);
            return new Result(log);
        }
        try {
            List<DeployEntry> entries = scan();
            if (entries.isEmpty()) {
                log.info("{} is empty", scanner.folder());
            }
            for (DeployEntry entry : entries) {
                switch (entry.state()) {
                    case LIVE -> log.info("{}", entry);
                    case SETTLING -> log.info("{} (not judged yet)", entry);
                    case PROBLEM -> log.warn("{}", entry);
                }
            }
        } catch (IOException e) {
            log.warn("Cannot list {}: {}", scanner.folder(), e.toString());
        }
        return new Result(log);
    }
}

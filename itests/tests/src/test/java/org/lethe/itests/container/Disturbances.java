package org.lethe.itests.container;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lethe.djl.EngineStatus;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Records, from the moment it is opened, everything that would show that a deploy-folder change
 * disturbed bundles other than the one it concerns: their bundle events (a refresh shows as
 * UNRESOLVED, a restart as STOPPING/STOPPED, an update as UPDATED), the engine's services going
 * away, and any change of state of a bundle that was there before.
 */
final class Disturbances implements SynchronousBundleListener, ServiceListener, FrameworkListener, AutoCloseable {

    /** One recorded bundle event. */
    record Event(long bundleId, String symbolicName, int type) {
        @Override
        public String toString() {
            return symbolicName + "[" + bundleId + "] " + typeName(type);
        }
    }

    private final BundleContext context;
    private final List<Event> bundleEvents = new ArrayList<>();
    private final List<String> serviceEvents = new ArrayList<>();
    private final List<String> frameworkErrors = new ArrayList<>();
    private final Map<Long, String> before = new LinkedHashMap<>();
    private final long engineStatusServiceId;

    /** Snapshots the bundles and starts listening. */
    Disturbances(BundleContext context) {
        this.context = context;
        for (Bundle bundle : context.getBundles()) {
            before.put(bundle.getBundleId(), stateOf(bundle));
        }
        ServiceReference<EngineStatus> status = context.getServiceReference(EngineStatus.class);
        if (status == null) {
            throw new AssertionError("no EngineStatus service: org.lethe.djl is not active");
        }
        engineStatusServiceId = (Long) status.getProperty(Constants.SERVICE_ID);
        context.addBundleListener(this);
        context.addFrameworkListener(this);
        try {
            context.addServiceListener(this, "(|(objectClass=" + EngineStatus.class.getName()
                    + ")(objectClass=ai.djl.engine.Engine)(objectClass=org.apache.felix.hc.api.HealthCheck))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void bundleChanged(BundleEvent event) {
        Bundle bundle = event.getBundle();
        bundleEvents.add(new Event(bundle.getBundleId(), bundle.getSymbolicName(), event.getType()));
    }

    @Override
    public synchronized void serviceChanged(ServiceEvent event) {
        if (event.getType() != ServiceEvent.REGISTERED) {
            ServiceReference<?> ref = event.getServiceReference();
            serviceEvents.add((event.getType() == ServiceEvent.UNREGISTERING ? "UNREGISTERING " : "MODIFIED ")
                    + String.join(",", (String[]) ref.getProperty(Constants.OBJECTCLASS))
                    + " of " + ref.getBundle().getSymbolicName());
        }
    }

    @Override
    public synchronized void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null
                && before.containsKey(event.getBundle().getBundleId())) {
            frameworkErrors.add(event.getBundle().getSymbolicName() + ": " + event.getThrowable());
        }
    }

    /** @return the recorded events of bundles with this symbolic name */
    synchronized List<Event> eventsOf(String symbolicName) {
        return bundleEvents.stream().filter(e -> symbolicName.equals(e.symbolicName())).toList();
    }

    /** @return how many events of this type bundles with this symbolic name had */
    long count(String symbolicName, int type) {
        return eventsOf(symbolicName).stream().filter(e -> e.type() == type).count();
    }

    /**
     * Fails unless the framework is active, every bundle that was there at the start is still there
     * in the same state and revision, none of them had a bundle event, and the engine's services
     * never went away.
     *
     * @param deployed the symbolic names of the bundles the deploy-folder change itself concerns
     */
    synchronized void assertNoneBeyond(Set<String> deployed) {
        List<String> problems = new ArrayList<>();
        Bundle framework = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        if (framework.getState() != Bundle.ACTIVE) {
            problems.add("the framework is in state " + framework.getState());
        }
        for (Event event : bundleEvents) {
            if (!deployed.contains(event.symbolicName())) {
                problems.add("event " + event);
            }
        }
        for (Map.Entry<Long, String> entry : before.entrySet()) {
            Bundle bundle = context.getBundle(entry.getKey());
            String now = bundle == null ? "uninstalled" : stateOf(bundle);
            if (!now.equals(entry.getValue())) {
                problems.add("bundle " + entry.getKey() + " was " + entry.getValue() + ", is " + now);
            }
        }
        problems.addAll(serviceEvents);
        problems.addAll(frameworkErrors);
        ServiceReference<EngineStatus> status = context.getServiceReference(EngineStatus.class);
        if (status == null || !Long.valueOf(engineStatusServiceId).equals(status.getProperty(Constants.SERVICE_ID))) {
            problems.add("the EngineStatus service is not the one registered before (service.id "
                    + engineStatusServiceId + ")");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("other bundles were disturbed: " + String.join("; ", problems));
        }
    }

    @Override
    public void close() {
        context.removeServiceListener(this);
        context.removeFrameworkListener(this);
        context.removeBundleListener(this);
    }

    private static String stateOf(Bundle bundle) {
        return bundle.getSymbolicName() + " state " + bundle.getState() + " modified " + bundle.getLastModified();
    }

    static String typeName(int type) {
        return switch (type) {
            case BundleEvent.INSTALLED -> "INSTALLED";
            case BundleEvent.RESOLVED -> "RESOLVED";
            case BundleEvent.STARTING -> "STARTING";
            case BundleEvent.STARTED -> "STARTED";
            case BundleEvent.STOPPING -> "STOPPING";
            case BundleEvent.STOPPED -> "STOPPED";
            case BundleEvent.UPDATED -> "UPDATED";
            case BundleEvent.UNRESOLVED -> "UNRESOLVED";
            case BundleEvent.UNINSTALLED -> "UNINSTALLED";
            case BundleEvent.LAZY_ACTIVATION -> "LAZY_ACTIVATION";
            default -> "type " + type;
        };
    }
}

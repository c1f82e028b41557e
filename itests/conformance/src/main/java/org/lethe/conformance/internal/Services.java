package org.lethe.conformance.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Service look-ups from a test running in the container. Services are looked up each time, never
 * cached: a component may be re-activated (a configuration change) between two checks.
 */
public final class Services {

    private final BundleContext context;

    /**
     * @param context the bundle context of the test (the probe bundle)
     */
    public Services(BundleContext context) {
        this.context = context;
    }

    /** @return the bundle context */
    public BundleContext context() {
        return context;
    }

    /**
     * @param <T> the service type
     * @param type the service type
     * @param filter an LDAP filter, or null
     * @return the highest-ranked matching service, if any is registered now
     */
    public <T> Optional<T> find(Class<T> type, String filter) {
        for (ServiceReference<T> ref : references(type, filter)) {
            T service = context.getService(ref);
            if (service != null) {
                return Optional.of(service); // the probe's use count is released with the probe bundle
            }
        }
        return Optional.empty();
    }

    /**
     * @param <T> the service type
     * @param type the service type
     * @param filter an LDAP filter, or null
     * @return the service, once one is registered (waits up to {@link Await#DEADLINE})
     */
    public <T> T await(Class<T> type, String filter) {
        return Await.until("a " + type.getSimpleName() + (filter == null ? "" : " " + filter) + " service",
                () -> find(type, filter).orElse(null), s -> s != null);
    }

    /**
     * @param <T> the service type
     * @param type the service type
     * @param filter an LDAP filter, or null
     * @return the matching references, highest ranking first
     */
    public <T> List<ServiceReference<T>> references(Class<T> type, String filter) {
        try {
            List<ServiceReference<T>> refs = new ArrayList<>(context.getServiceReferences(type, filter));
            Collections.sort(refs, Collections.reverseOrder());
            return refs;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    /**
     * @param value a value to put into an LDAP filter
     * @return it with the filter's special characters escaped
     */
    public static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}

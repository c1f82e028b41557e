package org.lethe.itests.behaviour;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.ServiceProperties;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.core.run.CoreRunService;

/**
 * The methods a test stack has installed, as the container's registry publishes them: each read from
 * its bundle jar ({@link MethodBundle}), listed in installation order, and bound to the stack's run
 * service under its {@code lethe.method} name, as an unlearning or an erasure method by the service
 * interface its class implements.
 */
public final class InstalledMethods implements MethodRegistry {

    /** The installed methods by name, in installation order; replaced, never changed in place. */
    private volatile Map<String, MethodBundle> methods = Map.of();

    /** An empty registry. */
    public InstalledMethods() {
    }

    @Override
    public List<MethodDescriptor> methods() {
        return methods.values().stream().map(MethodBundle::descriptor).toList();
    }

    @Override
    public Optional<MethodDescriptor> method(String name) {
        return Optional.ofNullable(methods.get(name)).map(MethodBundle::descriptor);
    }

    /**
     * Installs a method: reads its bundle, makes one instance (its public no-argument constructor),
     * binds it to the run service and lists it here.
     *
     * @param type the method's component class
     * @param service the run service to bind it to
     * @return its name
     */
    public String install(Class<?> type, CoreRunService service) {
        MethodBundle bundle = MethodBundle.of(type);
        Object instance;
        try {
            instance = type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> props = Map.of(ServiceProperties.METHOD, bundle.name());
        if (instance instanceof ErasureMethod erasure) {
            service.bindErasure(erasure, props);
        } else {
            service.bindUnlearning((UnlearningMethod) instance, props);
        }
        Map<String, MethodBundle> next = new LinkedHashMap<>(methods);
        next.put(bundle.name(), bundle);
        methods = Collections.unmodifiableMap(next);
        return bundle.name();
    }
}

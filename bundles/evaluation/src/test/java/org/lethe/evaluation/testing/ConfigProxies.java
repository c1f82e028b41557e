package org.lethe.evaluation.testing;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Test scaffolding: a component's configuration annotation as DS would hand it, some attributes overridden. */
public final class ConfigProxies {

    private ConfigProxies() {
    }

    /**
     * @param type a configuration annotation type (a component's {@code Config})
     * @param overrides setting values by attribute name; the rest default
     * @return the configuration
     * @param <C> the type
     */
    public static <C> C of(Class<C> type, Map<String, Object> overrides) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(),
                new Class<?>[] {type}, (proxy, method, args) -> {
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    throw new UnsupportedOperationException(method.getName());
                }));
    }
}

package org.lethe.shell.testing;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Fakes of the API's service interfaces as proxies: only the methods a test names answer, every other
 * call fails the test. Proxies keep the tests compiling when a provider interface gains a method.
 */
public final class Fakes {

    private Fakes() {
    }

    /** Builds a fake of one interface. */
    public static final class Builder<T> {
        private final Class<T> type;
        private final Map<String, Function<Object[], Object>> answers = new HashMap<>();

        private Builder(Class<T> type) {
            this.type = type;
        }

        /**
         * @param method a method name (every overload answers the same way)
         * @param answer its answer, from the arguments
         * @return this builder
         */
        public Builder<T> on(String method, Function<Object[], Object> answer) {
            answers.put(method, answer);
            return this;
        }

        /** @return the fake */
        public T build() {
            Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                Function<Object[], Object> answer = answers.get(m.getName());
                if (answer != null) {
                    return answer.apply(args == null ? new Object[0] : args);
                }
                return switch (m.getName()) {
                    case "toString" -> "fake " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new AssertionError("unexpected call " + type.getSimpleName() + "." + m.getName());
                };
            });
            return type.cast(proxy);
        }
    }

    /**
     * @param <T> the interface
     * @param type the interface
     * @return a builder of its fake
     */
    public static <T> Builder<T> of(Class<T> type) {
        return new Builder<>(type);
    }
}

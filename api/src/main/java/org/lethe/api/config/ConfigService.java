package org.lethe.api.config;

import java.util.Map;
import org.lethe.api.LetheException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Checks and converts string settings against a schema: what {@code --set key=value} and presets
 * go through before any model is touched.
 */
@ProviderType
public interface ConfigService {

    /**
     * Checks every setting and fills in the defaults.
     *
     * @param schema the component's schema
     * @param settings key to value, as typed by a user (several values comma-separated)
     * @return every key of the schema to its value: the setting converted to the attribute's type
     *     (an array when it takes several values), or the default
     * @throws LetheException (invalid input) naming the key: unknown key, wrong type, NaN or infinite
     *     number, value out of the attribute's range or options, or a required value missing
     */
    Map<String, Object> validate(ConfigSchema schema, Map<String, String> settings);

    /**
     * Converts validated values to a component's typed configuration.
     *
     * @param <C> the configuration type
     * @param type the component's {@code @ObjectClassDefinition} annotation type (or an interface
     *     with the same method names)
     * @param values values from {@link #validate}
     * @return the typed configuration
     */
    <C> C convert(Class<C> type, Map<String, Object> values);
}

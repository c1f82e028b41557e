package org.lethe.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.config.ConfigSchema;

class SettingsValidatorTest {

    /** A configuration type as a method declares it (method names map to keys). */
    @interface Config {
        float learningRate();

        int steps();

        String divergence();

        String[] layers();

        boolean freeze();
    }

    private final SettingsValidator validator = new SettingsValidator();

    private final ConfigSchema schema = new ConfigSchema("org.lethe.method.test", "Test", "A test schema", List.of(
            attribute("learningRate", "Float", false, List.of("1e-4"), Optional.of("0"), Optional.of("1"), List.of()),
            attribute("steps", "Integer", false, List.of("25"), Optional.of("1"), Optional.of("10000"), List.of()),
            attribute("divergence", "String", false, List.of("kl"), Optional.empty(), Optional.empty(), List.of("kl", "tv", "js")),
            attribute("layers", "String", true, List.of("a", "b"), Optional.empty(), Optional.empty(), List.of()),
            attribute("freeze", "Boolean", false, List.of("false"), Optional.empty(), Optional.empty(), List.of())));

    private static ConfigSchema.Attribute attribute(String key, String type, boolean multiple, List<String> defaults,
            Optional<String> min, Optional<String> max, List<String> options) {
        return new ConfigSchema.Attribute(key, type, multiple, defaults, key, min, max, options);
    }

    @Test
    void defaultsFillWhatIsNotSet() {
        Map<String, Object> values = validator.validate(schema, Map.of("steps", "50"));
        assertEquals(1e-4f, values.get("learningRate"));
        assertEquals(50, values.get("steps"));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) values.get("layers"));
        Config config = validator.convert(Config.class, values);
        assertEquals(50, config.steps());
        assertEquals(1e-4f, config.learningRate());
        assertEquals("kl", config.divergence());
        assertArrayEquals(new String[] {"a", "b"}, config.layers());
    }

    @Test
    void severalValuesAreCommaSeparated() {
        Config config = validator.convert(Config.class, validator.validate(schema, Map.of("layers", "x, y,z", "freeze", "TRUE")));
        assertArrayEquals(new String[] {"x", "y", "z"}, config.layers());
        assertTrue(config.freeze());
    }

    @Test
    void unknownKeyIsNamedWithTheKnownOnes() {
        LetheException e = assertThrows(LetheException.class, () -> validator.validate(schema, Map.of("lr", "0.1")));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
        assertTrue(e.getMessage().contains("learningRate, steps"), e.getMessage());
    }

    @Test
    void wrongTypesAreNamed() {
        assertRefused(Map.of("steps", "ten"), "'steps'", "'ten' is not an Integer");
        assertRefused(Map.of("steps", "2.5"), "'steps'", "is not an Integer");
        assertRefused(Map.of("learningRate", "fast"), "'learningRate'", "is not a Float");
        assertRefused(Map.of("freeze", "yes"), "'freeze'", "is not a Boolean");
    }

    @Test
    void nanAndInfinityAreRefused() {
        assertRefused(Map.of("learningRate", "NaN"), "'learningRate'", "not a finite number");
        assertRefused(Map.of("learningRate", "Infinity"), "'learningRate'", "not a finite number");
    }

    @Test
    void rangesAndOptionsAreEnforced() {
        assertRefused(Map.of("learningRate", "-0.1"), "'learningRate'", "below the minimum 0");
        assertRefused(Map.of("learningRate", "2"), "'learningRate'", "above the maximum 1");
        assertRefused(Map.of("steps", "0"), "'steps'", "below the minimum 1");
        assertRefused(Map.of("divergence", "hellinger"), "'divergence'", "not one of kl, tv, js");
    }

    @Test
    void aRequiredSettingWithoutDefaultMustBeGiven() {
        ConfigSchema required = new ConfigSchema("p", "P", "", List.of(
                attribute("model", "String", false, List.of(), Optional.empty(), Optional.empty(), List.of())));
        assertRefused(required, Map.of(), "'model'", "is required");
        assertEquals("m", validator.validate(required, Map.of("model", "m")).get("model"));
    }

    private void assertRefused(Map<String, String> settings, String... fragments) {
        assertRefused(schema, settings, fragments);
    }

    private void assertRefused(ConfigSchema s, Map<String, String> settings, String... fragments) {
        LetheException e = assertThrows(LetheException.class, () -> validator.validate(s, settings));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }
}

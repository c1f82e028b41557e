package org.lethe.core.config;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.LetheException;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.config.ConfigService;
import org.osgi.service.component.annotations.Component;
import org.osgi.util.converter.Converter;
import org.osgi.util.converter.Converters;

/**
 * Checks string settings against a schema, key by key, and converts them with the OSGi Converter.
 * Every refusal names the schema's PID and the key, so a user sees which {@code --set} was wrong
 * before any model is touched.
 */
@Component(service = ConfigService.class)
public final class SettingsValidator implements ConfigService {

    private final Converter converter = Converters.standardConverter();

    @Override
    public Map<String, Object> validate(ConfigSchema schema, Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (schema.attribute(key).isEmpty()) {
                List<String> known = schema.attributes().stream().map(ConfigSchema.Attribute::key).toList();
                throw LetheException.invalidInput("unknown setting '" + key + "' for " + schema.pid()
                        + (known.isEmpty() ? " (it takes no settings)" : "; its settings are " + String.join(", ", known)));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigSchema.Attribute attribute : schema.attributes()) {
            String given = settings.get(attribute.key());
            List<String> raw;
            if (given != null) {
                raw = attribute.multiple() ? split(given) : List.of(given);
            } else if (!attribute.defaults().isEmpty()) {
                raw = attribute.defaults();
            } else {
                throw LetheException.invalidInput("setting '" + attribute.key() + "' of " + schema.pid()
                        + " is required: it has no default");
            }
            Class<?> type = javaType(schema, attribute);
            if (attribute.multiple()) {
                Object array = Array.newInstance(type, raw.size());
                for (int i = 0; i < raw.size(); i++) {
                    Array.set(array, i, parse(schema, attribute, raw.get(i), type));
                }
                values.put(attribute.key(), array);
            } else {
                if (raw.size() != 1) {
                    throw LetheException.invalidInput("setting '" + attribute.key() + "' of " + schema.pid()
                            + " takes one value, not " + raw.size());
                }
                values.put(attribute.key(), parse(schema, attribute, raw.get(0), type));
            }
        }
        return values;
    }

    @Override
    public <C> C convert(Class<C> type, Map<String, Object> values) {
        return converter.convert(values).to(type);
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            parts.add(part.trim());
        }
        return parts;
    }

    private static Class<?> javaType(ConfigSchema schema, ConfigSchema.Attribute attribute) {
        return switch (attribute.type()) {
            case "String", "Password" -> String.class;
            case "Long" -> Long.class;
            case "Integer" -> Integer.class;
            case "Short" -> Short.class;
            case "Byte" -> Byte.class;
            case "Character" -> Character.class;
            case "Double" -> Double.class;
            case "Float" -> Float.class;
            case "Boolean" -> Boolean.class;
            default -> throw LetheException.invalidInput("setting '" + attribute.key() + "' of " + schema.pid()
                    + " has the unsupported type " + attribute.type());
        };
    }

    private static Object parse(ConfigSchema schema, ConfigSchema.Attribute attribute, String text, Class<?> type) {
        String where = "setting '" + attribute.key() + "' of " + schema.pid() + ": ";
        Object value;
        try {
            value = switch (type.getSimpleName()) {
                case "String" -> text;
                case "Long" -> Long.valueOf(text.trim());
                case "Integer" -> Integer.valueOf(text.trim());
                case "Short" -> Short.valueOf(text.trim());
                case "Byte" -> Byte.valueOf(text.trim());
                case "Character" -> {
                    if (text.length() != 1) {
                        throw new NumberFormatException();
                    }
                    yield text.charAt(0);
                }
                case "Double" -> Double.valueOf(text.trim());
                case "Float" -> Float.valueOf(text.trim());
                case "Boolean" -> {
                    if (!text.trim().equalsIgnoreCase("true") && !text.trim().equalsIgnoreCase("false")) {
                        throw new NumberFormatException();
                    }
                    yield Boolean.valueOf(text.trim());
                }
                default -> throw new IllegalStateException(type.getName());
            };
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(where + "'" + text + "' is not " + article(attribute.type()));
        }
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())
                || value instanceof Float f && (f.isNaN() || f.isInfinite())) {
            throw LetheException.invalidInput(where + text + " is not a finite number");
        }
        if (!attribute.options().isEmpty() && !attribute.options().contains(text)) {
            throw LetheException.invalidInput(where + "'" + text + "' is not one of " + String.join(", ", attribute.options()));
        }
        checkBound(where, attribute.min(), value, true);
        checkBound(where, attribute.max(), value, false);
        return value;
    }

    private static void checkBound(String where, Optional<String> bound, Object value, boolean lower) {
        if (bound.isEmpty() || bound.get().isBlank()) {
            return;
        }
        double limit;
        try {
            limit = Double.parseDouble(bound.get().trim());
        } catch (NumberFormatException e) {
            return; // a bound the schema cannot express numerically is not enforced
        }
        double actual;
        String what;
        if (value instanceof Number number) {
            actual = number.doubleValue();
            what = String.valueOf(value);
        } else if (value instanceof String text) {
            actual = text.length();
            what = "a length of " + text.length();
        } else {
            return;
        }
        if (lower ? actual < limit : actual > limit) {
            throw LetheException.invalidInput(where + what + " is " + (lower ? "below the minimum " : "above the maximum ")
                    + bound.get().trim());
        }
    }

    private static String article(String type) {
        return ("AEIOU".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }
}

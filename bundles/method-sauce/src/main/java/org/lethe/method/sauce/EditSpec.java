package org.lethe.method.sauce;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.ModelManifest;

/**
 * What a {@code sae-feature-edit} attachment's config says, as strings in the manifest:
 * {@code intervention}, {@code layer}, {@code positions}, {@code variant}, {@code k},
 * {@code features} (comma-separated indices), {@code gamma}, {@code mode} (zero, scale or clamp,
 * from γ), {@code gate} (none or mse) and, when gated, {@code tau}, plus {@code concepts} for the reader.
 *
 * @param layer the hooked layer
 * @param positions the hooked positions
 * @param variant the autoencoder's variant
 * @param k topk's k (0 for relu)
 * @param features S, ascending
 * @param gamma γ
 * @param gated whether the gate is on
 * @param tau the gate's threshold (NaN when off)
 * @param concepts the erased concepts' names, comma-separated
 */
record EditSpec(String layer, Positions positions, Sae.Variant variant, int k, int[] features, float gamma,
        boolean gated, float tau, String concepts) {

    /** The attachment's type name, its {@value Intervention#ATTACHMENT_KEY} and the service's property. */
    static final String TYPE = "sae-feature-edit";

    /**
     * @return zero (γ = 0), scale (0 &lt; γ &lt; 1), clamp (γ &lt; 0) or none (γ = 1)
     */
    String mode() {
        if (gamma == 0f) {
            return "zero";
        }
        if (gamma < 0f) {
            return "clamp";
        }
        return gamma < 1f ? "scale" : "none";
    }

    /** @return the attachment config */
    Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(Intervention.ATTACHMENT_KEY, TYPE);
        c.put("layer", layer);
        c.put("positions", positions.code());
        c.put("variant", variant.code());
        c.put("k", Integer.toString(k));
        c.put("features", Arrays.stream(features).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        c.put("gamma", Float.toString(gamma));
        c.put("mode", mode());
        c.put("gate", gated ? "mse" : "none");
        if (gated) {
            c.put("tau", Float.toString(tau));
        }
        c.put("concepts", concepts);
        return c;
    }

    /**
     * @param attachment a {@code sae-feature-edit} attachment
     * @return its spec
     * @throws LetheException (invalid input) naming the attachment and the config key that is
     *     missing or wrong
     */
    static EditSpec of(ModelManifest.Attachment attachment) {
        Map<String, String> c = attachment.config();
        String where = "attachment '" + attachment.name() + "'";
        String type = c.get(Intervention.ATTACHMENT_KEY);
        if (!TYPE.equals(type)) {
            throw LetheException.invalidInput(where + ": config '" + Intervention.ATTACHMENT_KEY + "' is '" + type
                    + "', not " + TYPE);
        }
        String layer = required(c, "layer", where);
        Positions positions = Positions.of(required(c, "positions", where), where + ": config 'positions'");
        Sae.Variant variant = Sae.Variant.of(required(c, "variant", where), where + ": config 'variant'");
        int k = integer(c, "k", where);
        String list = required(c, "features", where);
        int[] features;
        try {
            features = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(where + ": config 'features' must be comma-separated feature indices, not '"
                    + list + "'");
        }
        if (features.length == 0) {
            throw LetheException.invalidInput(where + ": config 'features' names no feature");
        }
        float gamma = number(c, "gamma", where);
        String gate = required(c, "gate", where).toLowerCase(Locale.ROOT);
        boolean gated = switch (gate) {
            case "mse" -> true;
            case "none" -> false;
            default -> throw LetheException.invalidInput(where + ": config 'gate' must be none or mse, not '" + gate + "'");
        };
        float tau = gated ? number(c, "tau", where) : Float.NaN;
        return new EditSpec(layer, positions, variant, k, features, gamma, gated, tau, c.getOrDefault("concepts", ""));
    }

    private static String required(Map<String, String> c, String key, String where) {
        String v = c.get(key);
        if (v == null || v.isBlank()) {
            throw LetheException.invalidInput(where + ": config '" + key + "' is missing");
        }
        return v.trim();
    }

    private static int integer(Map<String, String> c, String key, String where) {
        String v = required(c, key, where);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(where + ": config '" + key + "' must be an integer, not '" + v + "'");
        }
    }

    private static float number(Map<String, String> c, String key, String where) {
        String v = required(c, key, where);
        try {
            float f = Float.parseFloat(v);
            if (!Float.isFinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(where + ": config '" + key + "' must be a finite number, not '" + v + "'");
        }
    }
}

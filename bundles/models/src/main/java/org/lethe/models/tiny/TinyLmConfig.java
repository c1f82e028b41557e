package org.lethe.models.tiny;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lethe.api.LetheException;

/**
 * Settings of the tiny language model, as they appear in a model manifest.
 *
 * @param vocabulary the words (space-separated in the manifest)
 * @param context how many previous tokens predict the next one
 * @param embedding width of a token's embedding
 * @param hidden width of the hidden layer
 * @param maxLength longest sequence in tokens (prompt, separator, answer, end marker)
 */
record TinyLmConfig(List<String> vocabulary, int context, int embedding, int hidden, int maxLength) {

    static final Set<String> KEYS = Set.of("vocabulary", "context", "embedding", "hidden", "maxLength");

    static TinyLmConfig from(Map<String, String> config) {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw LetheException.invalidInput("tiny-lm: unknown setting '" + key + "'; its settings are " + KEYS);
            }
        }
        String words = config.getOrDefault("vocabulary", "");
        if (words.isBlank()) {
            throw LetheException.invalidInput("tiny-lm: setting 'vocabulary' (space-separated words) is required");
        }
        return new TinyLmConfig(Arrays.asList(words.trim().split("\\s+")), positive(config, "context", 8),
                positive(config, "embedding", 16), positive(config, "hidden", 64), positive(config, "maxLength", 32));
    }

    private static int positive(Map<String, String> config, String key, int fallback) {
        String text = config.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < 1 || value > 4096) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput("tiny-lm: setting '" + key + "' must be an integer from 1 to 4096, not '" + text + "'");
        }
    }

    Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("vocabulary", String.join(" ", vocabulary));
        map.put("context", Integer.toString(context));
        map.put("embedding", Integer.toString(embedding));
        map.put("hidden", Integer.toString(hidden));
        map.put("maxLength", Integer.toString(maxLength));
        return map;
    }
}

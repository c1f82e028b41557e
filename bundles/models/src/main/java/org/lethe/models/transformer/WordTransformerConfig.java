package org.lethe.models.transformer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lethe.api.LetheException;

/**
 * Settings of the word transformer, as they appear in a model manifest. The defaults are the
 * facts world's model (research/methods-llm.md §3.2): 2 pre-LN blocks, d_model 64, 4 heads,
 * FFN 256, sequences of up to 16 tokens; about 119k parameters at a vocabulary of 280.
 *
 * @param vocabulary the words after the four markers, in id order (space-separated in the manifest)
 * @param maxLength longest sequence in tokens (prompt, separator, answer, end marker); the number of
 *     learned positions
 * @param layers number of decoder blocks
 * @param dModel width of the residual stream (embeddings, attention)
 * @param heads number of attention heads; must divide {@code dModel}
 * @param ffn width of each block's feed-forward hidden layer
 */
public record WordTransformerConfig(List<String> vocabulary, int maxLength, int layers, int dModel, int heads, int ffn) {

    /** Default {@code maxLength} (methods-llm §3.2). */
    public static final int DEFAULT_MAX_LENGTH = 16;
    /** Default {@code layers} (methods-llm §3.2). */
    public static final int DEFAULT_LAYERS = 2;
    /** Default {@code dModel} (methods-llm §3.2). */
    public static final int DEFAULT_D_MODEL = 64;
    /** Default {@code heads} (methods-llm §3.2). */
    public static final int DEFAULT_HEADS = 4;
    /** Default {@code ffn} (methods-llm §3.2). */
    public static final int DEFAULT_FFN = 256;

    /** The setting keys, as in a manifest. */
    public static final Set<String> KEYS = Set.of("vocabulary", "maxLength", "layers", "dModel", "heads", "ffn");

    /** Copies the vocabulary; checks that the sizes are positive and that the heads divide the width. */
    public WordTransformerConfig {
        vocabulary = List.copyOf(Objects.requireNonNull(vocabulary, "vocabulary"));
        if (vocabulary.isEmpty()) {
            throw LetheException.invalidInput(WordTransformerArchitecture.NAME
                    + ": setting 'vocabulary' (space-separated words) is required");
        }
        check("maxLength", maxLength, 2, 4096);
        check("layers", layers, 1, 64);
        check("dModel", dModel, 1, 4096);
        check("heads", heads, 1, 4096);
        check("ffn", ffn, 1, 65536);
        if (dModel % heads != 0) {
            throw LetheException.invalidInput(WordTransformerArchitecture.NAME + ": setting 'heads' (" + heads
                    + ") must divide setting 'dModel' (" + dModel + ")");
        }
    }

    /**
     * The default sizes over a vocabulary.
     *
     * @param vocabulary the words
     * @return the settings
     */
    public static WordTransformerConfig of(List<String> vocabulary) {
        return new WordTransformerConfig(vocabulary, DEFAULT_MAX_LENGTH, DEFAULT_LAYERS, DEFAULT_D_MODEL, DEFAULT_HEADS,
                DEFAULT_FFN);
    }

    /**
     * Reads settings from a manifest's map: {@code vocabulary} is required, the sizes default.
     *
     * @param config the settings as strings
     * @return the settings
     * @throws LetheException (invalid input) naming the key, for an unknown key or a bad value
     */
    public static WordTransformerConfig from(Map<String, String> config) {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw LetheException.invalidInput(WordTransformerArchitecture.NAME + ": unknown setting '" + key
                        + "'; its settings are " + KEYS);
            }
        }
        String words = config.getOrDefault("vocabulary", "");
        if (words.isBlank()) {
            throw LetheException.invalidInput(WordTransformerArchitecture.NAME
                    + ": setting 'vocabulary' (space-separated words) is required");
        }
        return new WordTransformerConfig(Arrays.asList(words.trim().split("\\s+")),
                integer(config, "maxLength", DEFAULT_MAX_LENGTH), integer(config, "layers", DEFAULT_LAYERS),
                integer(config, "dModel", DEFAULT_D_MODEL), integer(config, "heads", DEFAULT_HEADS),
                integer(config, "ffn", DEFAULT_FFN));
    }

    /** @return the settings as a manifest stores them; {@link #from} reads them back */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("vocabulary", String.join(" ", vocabulary));
        map.put("maxLength", Integer.toString(maxLength));
        map.put("layers", Integer.toString(layers));
        map.put("dModel", Integer.toString(dModel));
        map.put("heads", Integer.toString(heads));
        map.put("ffn", Integer.toString(ffn));
        return map;
    }

    /**
     * The number of trainable parameters for a vocabulary of {@code v} token ids (markers included):
     * {@code v·d + maxLength·d + layers·(4d² + 4d + 2·d·ffn + ffn + d + 4d) + 2d}: token and position
     * embeddings, per block two LayerNorms and the q/k/v/o and feed-forward linear layers with biases,
     * and the final LayerNorm; the output layer is the token embedding.
     *
     * @param v the vocabulary size including the markers
     * @return the parameter count
     */
    public long parameterCount(int v) {
        long d = dModel;
        long perLayer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d;
        return v * d + maxLength * d + layers * perLayer + 2 * d;
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw LetheException.invalidInput(WordTransformerArchitecture.NAME + ": setting '" + key
                    + "' must be an integer from " + min + " to " + max + ", not " + value);
        }
    }

    private static int integer(Map<String, String> config, String key, int fallback) {
        String text = config.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(WordTransformerArchitecture.NAME + ": setting '" + key
                    + "' must be an integer, not '" + text + "'");
        }
    }
}

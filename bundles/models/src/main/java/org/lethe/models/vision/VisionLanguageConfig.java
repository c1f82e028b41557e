package org.lethe.models.vision;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.lethe.api.LetheException;

/**
 * Settings of the vision-language transformer, as they appear in a model manifest
 * (research/methods-gen.md Part B §7). In a manifest: {@code vocabulary} (required) is the question
 * vocabulary and {@code answers} (required) the answer vocabulary in logit order, both
 * space-separated words; the rest are single numbers.
 *
 * @param vocabulary the question words the tokenizer knows (other words map to {@code <unk>})
 * @param answers the answers, in logit order
 * @param imageSize image side in pixels; a multiple of 4 (two stride-2 convolutions)
 * @param channels image channels
 * @param convWidth the first convolution's width
 * @param kernel the convolutions' kernel side (odd; padding {@code kernel / 2}, so each halves the side)
 * @param width the token width (the second convolution's width)
 * @param heads attention heads; divides {@code width}
 * @param mlp the hidden width of each block's MLP
 * @param layers transformer blocks
 * @param maxQuestionTokens the most tokens a question may have
 * @param maxAppended the most embeddings {@code logits} may append after a question
 */
public record VisionLanguageConfig(List<String> vocabulary, List<String> answers, int imageSize, int channels,
        int convWidth, int kernel, int width, int heads, int mlp, int layers, int maxQuestionTokens, int maxAppended) {

    /** Default {@code imageSize}: the shapes world's 16 × 16. */
    public static final int DEFAULT_IMAGE_SIZE = 16;
    /** Default {@code channels}: RGB. */
    public static final int DEFAULT_CHANNELS = 3;
    /** Default {@code convWidth}: research §7 (conv 3→32). */
    public static final int DEFAULT_CONV_WIDTH = 32;
    /** Default {@code kernel}: 3 × 3 (research §7 gives none). */
    public static final int DEFAULT_KERNEL = 3;
    /** Default {@code width}: research §7 (conv 32→64, d 64). */
    public static final int DEFAULT_WIDTH = 64;
    /** Default {@code heads}: research §7 (4 heads). */
    public static final int DEFAULT_HEADS = 4;
    /** Default {@code mlp}: research §7 (MLP 128). */
    public static final int DEFAULT_MLP = 128;
    /** Default {@code layers}: research §7 (2 pre-LN layers). */
    public static final int DEFAULT_LAYERS = 2;
    /** Default {@code maxQuestionTokens}: research §7 (≤ 8 question tokens). */
    public static final int DEFAULT_MAX_QUESTION_TOKENS = 8;
    /** Default {@code maxAppended}: room for a soft prompt of 8 embeddings (research §8). */
    public static final int DEFAULT_MAX_APPENDED = 8;

    /** The setting keys. */
    public static final Set<String> KEYS = Set.of("vocabulary", "answers", "imageSize", "channels", "convWidth", "kernel", "width",
            "heads", "mlp", "layers", "maxQuestionTokens", "maxAppended");

    /** Copies; checks ranges, naming the setting. */
    public VisionLanguageConfig {
        vocabulary = List.copyOf(vocabulary);
        answers = List.copyOf(answers);
        if (vocabulary.isEmpty()) {
            throw invalid("setting 'vocabulary' (space-separated question words) is required");
        }
        if (new LinkedHashSet<>(vocabulary).size() != vocabulary.size()) {
            throw invalid("setting 'vocabulary' repeats a word");
        }
        for (String w : vocabulary) {
            if (!w.equals(w.toLowerCase(Locale.ROOT)) || w.startsWith("<")) {
                throw invalid("setting 'vocabulary': '" + w + "' is not a lower-case word (markers like <unk> are built in)");
            }
        }
        if (answers.size() < 2) {
            throw invalid("setting 'answers' (space-separated answers in logit order) needs at least 2, not " + answers);
        }
        if (new LinkedHashSet<>(answers).size() != answers.size()) {
            throw invalid("setting 'answers' repeats an answer: " + answers);
        }
        check("imageSize", imageSize, 4, 256);
        if (imageSize % 4 != 0) {
            throw invalid("setting 'imageSize' must be a multiple of 4 (two stride-2 convolutions), not " + imageSize);
        }
        check("channels", channels, 1, 16);
        check("convWidth", convWidth, 1, 4096);
        check("kernel", kernel, 1, 15);
        if (kernel % 2 == 0) {
            throw invalid("setting 'kernel' must be odd, not " + kernel);
        }
        check("width", width, 1, 4096);
        check("heads", heads, 1, width);
        if (width % heads != 0) {
            throw invalid("setting 'heads' (" + heads + ") must divide 'width' (" + width + ")");
        }
        check("mlp", mlp, 1, 16384);
        check("layers", layers, 1, 64);
        check("maxQuestionTokens", maxQuestionTokens, 1, 1024);
        check("maxAppended", maxAppended, 0, 1024);
    }

    /**
     * @param vocabulary the question words
     * @param answers the answers in logit order
     * @return the default sizes of research §7
     */
    public static VisionLanguageConfig of(List<String> vocabulary, List<String> answers) {
        return new VisionLanguageConfig(vocabulary, answers, DEFAULT_IMAGE_SIZE, DEFAULT_CHANNELS, DEFAULT_CONV_WIDTH,
                DEFAULT_KERNEL, DEFAULT_WIDTH, DEFAULT_HEADS, DEFAULT_MLP, DEFAULT_LAYERS, DEFAULT_MAX_QUESTION_TOKENS,
                DEFAULT_MAX_APPENDED);
    }

    /**
     * @param settings a manifest's settings
     * @return the settings, defaults for what is missing
     * @throws LetheException (invalid input) naming an unknown key or a bad value
     */
    public static VisionLanguageConfig from(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("unknown setting '" + key + "'; the vision-language transformer's settings are "
                        + KEYS.stream().sorted().toList());
            }
        }
        return new VisionLanguageConfig(words(settings.get("vocabulary")), words(settings.get("answers")),
                integer(settings, "imageSize", DEFAULT_IMAGE_SIZE), integer(settings, "channels", DEFAULT_CHANNELS),
                integer(settings, "convWidth", DEFAULT_CONV_WIDTH), integer(settings, "kernel", DEFAULT_KERNEL),
                integer(settings, "width", DEFAULT_WIDTH),
                integer(settings, "heads", DEFAULT_HEADS), integer(settings, "mlp", DEFAULT_MLP),
                integer(settings, "layers", DEFAULT_LAYERS),
                integer(settings, "maxQuestionTokens", DEFAULT_MAX_QUESTION_TOKENS),
                integer(settings, "maxAppended", DEFAULT_MAX_APPENDED));
    }

    /** @return the settings as a manifest holds them (every key) */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("vocabulary", String.join(" ", vocabulary));
        m.put("answers", String.join(" ", answers));
        m.put("imageSize", Integer.toString(imageSize));
        m.put("channels", Integer.toString(channels));
        m.put("convWidth", Integer.toString(convWidth));
        m.put("kernel", Integer.toString(kernel));
        m.put("width", Integer.toString(width));
        m.put("heads", Integer.toString(heads));
        m.put("mlp", Integer.toString(mlp));
        m.put("layers", Integer.toString(layers));
        m.put("maxQuestionTokens", Integer.toString(maxQuestionTokens));
        m.put("maxAppended", Integer.toString(maxAppended));
        return m;
    }

    /** @return visual tokens: (imageSize / 4)² */
    public int visualTokens() {
        int side = imageSize / 4;
        return side * side;
    }

    private static List<String> words(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.asList(value.trim().split("\\s+"));
    }

    private static int integer(Map<String, String> settings, String key, int fallback) {
        String v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw invalid("setting '" + key + "' must be an integer, not '" + v + "'");
        }
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid("setting '" + key + "' must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static LetheException invalid(String message) {
        return LetheException.invalidInput(message);
    }
}

package org.lethe.models.diffusion;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lethe.api.LetheException;

/**
 * Settings of the text-to-image U-Net, as they appear in a model manifest. Defaults follow
 * research/methods-gen.md Part B §6 and the measurements in BENCHMARKS.md ("Text-to-image
 * diffusion (issue 7)"): 16×16 RGB images, U-Net widths 32 (16×16 level) and 64 (8×8 and 4×4
 * levels), 4 attention heads, GroupNorm with 8 groups; a text encoder of one pre-LN layer of width
 * 64 (4 heads, MLP 128) over contexts of 8 tokens; T = 1000 with linear betas 1e-4 to 0.02 (DDPM).
 *
 * @param vocabulary the prompt words after the tokenizer's markers, in id order (space-separated in the manifest)
 * @param imageSize image side in pixels; a multiple of 4 (two down-samplings)
 * @param baseChannels U-Net width at full resolution (down_blocks.0, up_blocks.2)
 * @param channels U-Net width at the two lower resolutions and in the middle block; also the time-embedding width
 * @param heads attention heads in the U-Net's transformer blocks; divides both widths
 * @param groups GroupNorm groups; divides both widths
 * @param ffMult the feed-forward (GEGLU) inner width as a multiple of the block width
 * @param textWidth width of the text encoder and of a condition token
 * @param textHeads the text encoder's attention heads; divides {@code textWidth}
 * @param textMlp the text encoder's MLP width
 * @param textLayers the text encoder's layers
 * @param contextLength condition tokens (the prompt's words, the end marker, padding)
 * @param trainingSteps T, the diffusion steps of the schedule
 * @param betaStart β_1 of the linear schedule
 * @param betaEnd β_T of the linear schedule
 * @param schedule the noise schedule: {@value #LINEAR} (DDPM's linear betas from {@code betaStart} to
 *     {@code betaEnd}) or {@value #COSINE} (Nichol and Dhariwal 2021's cosine ᾱ_t, the betas unused);
 *     a manifest without it is linear, as every model before it was
 */
public record TextToImageConfig(List<String> vocabulary, int imageSize, int baseChannels, int channels, int heads,
        int groups, int ffMult, int textWidth, int textHeads, int textMlp, int textLayers, int contextLength,
        int trainingSteps, double betaStart, double betaEnd, String schedule) {

    /** The linear schedule's name: {@value}. */
    public static final String LINEAR = "linear";
    /** The cosine schedule's name: {@value}. */
    public static final String COSINE = "cosine";

    /** Default {@code imageSize} (research §6). */
    public static final int DEFAULT_IMAGE_SIZE = 16;
    /** Default {@code baseChannels} (research §6; BENCHMARKS.md). */
    public static final int DEFAULT_BASE_CHANNELS = 32;
    /** Default {@code channels} (research §6; BENCHMARKS.md). */
    public static final int DEFAULT_CHANNELS = 64;
    /** Default {@code heads} (research §6). */
    public static final int DEFAULT_HEADS = 4;
    /** Default {@code groups} (research §6: GroupNorm(8)). */
    public static final int DEFAULT_GROUPS = 8;
    /** Default {@code ffMult}. */
    public static final int DEFAULT_FF_MULT = 2;
    /** Default {@code textWidth} (research §6). */
    public static final int DEFAULT_TEXT_WIDTH = 64;
    /** Default {@code textHeads} (research §6). */
    public static final int DEFAULT_TEXT_HEADS = 4;
    /** Default {@code textMlp} (research §6). */
    public static final int DEFAULT_TEXT_MLP = 128;
    /** Default {@code textLayers} (research §6). */
    public static final int DEFAULT_TEXT_LAYERS = 1;
    /** Default {@code contextLength}: up to 7 words and the end marker. */
    public static final int DEFAULT_CONTEXT_LENGTH = 8;
    /** Default {@code trainingSteps} (research §6: 1000 keeps Stable Diffusion's conventions). */
    public static final int DEFAULT_TRAINING_STEPS = 1000;
    /** Default {@code betaStart} (DDPM's linear schedule). */
    public static final double DEFAULT_BETA_START = 1e-4;
    /** Default {@code betaEnd} (DDPM's linear schedule). */
    public static final double DEFAULT_BETA_END = 0.02;

    /** The setting keys, as in a manifest. */
    public static final Set<String> KEYS = Set.of("vocabulary", "imageSize", "baseChannels", "channels", "heads",
            "groups", "ffMult", "textWidth", "textHeads", "textMlp", "textLayers", "contextLength", "trainingSteps",
            "betaStart", "betaEnd", "schedule");

    /** Copies the vocabulary; checks ranges and divisibility, naming the setting. */
    public TextToImageConfig {
        vocabulary = List.copyOf(Objects.requireNonNull(vocabulary, "vocabulary"));
        if (vocabulary.isEmpty()) {
            throw invalid("setting 'vocabulary' (space-separated words) is required");
        }
        check("imageSize", imageSize, 4, 256);
        if (imageSize % 4 != 0) {
            throw invalid("setting 'imageSize' must be a multiple of 4 (the U-Net halves it twice), not " + imageSize);
        }
        check("baseChannels", baseChannels, 1, 4096);
        check("channels", channels, 1, 4096);
        check("heads", heads, 1, 64);
        check("groups", groups, 1, 4096);
        check("ffMult", ffMult, 1, 16);
        check("textWidth", textWidth, 1, 4096);
        check("textHeads", textHeads, 1, 64);
        check("textMlp", textMlp, 1, 65536);
        check("textLayers", textLayers, 1, 64);
        check("contextLength", contextLength, 2, 512);
        check("trainingSteps", trainingSteps, 2, 100_000);
        divides("groups", groups, "baseChannels", baseChannels);
        divides("groups", groups, "channels", channels);
        divides("heads", heads, "channels", channels);
        divides("textHeads", textHeads, "textWidth", textWidth);
        if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
            throw invalid("settings 'betaStart' (" + betaStart + ") and 'betaEnd' (" + betaEnd
                    + ") must satisfy 0 < betaStart ≤ betaEnd < 1");
        }
        if (!LINEAR.equals(schedule) && !COSINE.equals(schedule)) {
            throw invalid("setting 'schedule' must be " + LINEAR + " or " + COSINE + ", not '" + schedule + "'");
        }
    }

    /**
     * The default sizes over a vocabulary.
     *
     * @param vocabulary the words
     * @return the settings
     */
    public static TextToImageConfig of(List<String> vocabulary) {
        return from(Map.of("vocabulary", String.join(" ", vocabulary)));
    }

    /**
     * @param baseChannels the full-resolution width
     * @param channels the lower-resolution width
     * @return these settings with other U-Net widths
     */
    public TextToImageConfig withChannels(int baseChannels, int channels) {
        return new TextToImageConfig(vocabulary, imageSize, baseChannels, channels, heads, groups, ffMult, textWidth,
                textHeads, textMlp, textLayers, contextLength, trainingSteps, betaStart, betaEnd, schedule);
    }

    /**
     * Reads settings from a manifest's map: {@code vocabulary} is required, the rest default.
     *
     * @param config the settings as strings
     * @return the settings
     * @throws LetheException (invalid input) naming the key, for an unknown key or a bad value
     */
    public static TextToImageConfig from(Map<String, String> config) {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("unknown setting '" + key + "'; its settings are " + KEYS.stream().sorted().toList());
            }
        }
        String words = config.getOrDefault("vocabulary", "");
        if (words.isBlank()) {
            throw invalid("setting 'vocabulary' (space-separated words) is required");
        }
        return new TextToImageConfig(Arrays.asList(words.trim().split("\\s+")),
                integer(config, "imageSize", DEFAULT_IMAGE_SIZE), integer(config, "baseChannels", DEFAULT_BASE_CHANNELS),
                integer(config, "channels", DEFAULT_CHANNELS), integer(config, "heads", DEFAULT_HEADS),
                integer(config, "groups", DEFAULT_GROUPS), integer(config, "ffMult", DEFAULT_FF_MULT),
                integer(config, "textWidth", DEFAULT_TEXT_WIDTH), integer(config, "textHeads", DEFAULT_TEXT_HEADS),
                integer(config, "textMlp", DEFAULT_TEXT_MLP), integer(config, "textLayers", DEFAULT_TEXT_LAYERS),
                integer(config, "contextLength", DEFAULT_CONTEXT_LENGTH),
                integer(config, "trainingSteps", DEFAULT_TRAINING_STEPS),
                decimal(config, "betaStart", DEFAULT_BETA_START), decimal(config, "betaEnd", DEFAULT_BETA_END),
                config.getOrDefault("schedule", LINEAR).trim());
    }

    /** @return the settings as a manifest stores them; {@link #from} reads them back */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("vocabulary", String.join(" ", vocabulary));
        map.put("imageSize", Integer.toString(imageSize));
        map.put("baseChannels", Integer.toString(baseChannels));
        map.put("channels", Integer.toString(channels));
        map.put("heads", Integer.toString(heads));
        map.put("groups", Integer.toString(groups));
        map.put("ffMult", Integer.toString(ffMult));
        map.put("textWidth", Integer.toString(textWidth));
        map.put("textHeads", Integer.toString(textHeads));
        map.put("textMlp", Integer.toString(textMlp));
        map.put("textLayers", Integer.toString(textLayers));
        map.put("contextLength", Integer.toString(contextLength));
        map.put("trainingSteps", Integer.toString(trainingSteps));
        map.put("betaStart", Double.toString(betaStart));
        map.put("betaEnd", Double.toString(betaEnd));
        map.put("schedule", schedule);
        return map;
    }

    private static LetheException invalid(String message) {
        return LetheException.invalidInput(TextToImageArchitecture.NAME + ": " + message);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid("setting '" + key + "' must be an integer from " + min + " to " + max + ", not " + value);
        }
    }

    private static void divides(String key, int value, String otherKey, int other) {
        if (other % value != 0) {
            throw invalid("setting '" + key + "' (" + value + ") must divide setting '" + otherKey + "' (" + other + ")");
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
            throw invalid("setting '" + key + "' must be an integer, not '" + text + "'");
        }
    }

    private static double decimal(Map<String, String> config, String key, double fallback) {
        String text = config.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw invalid("setting '" + key + "' must be a number, not '" + text + "'");
        }
    }
}

package org.lethe.models.classifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lethe.api.LetheException;

/**
 * Settings of the concept classifier, as they appear in a model manifest. Sizes follow
 * research/methods-gen.md Part B §8 (a separate CNN of 3 convolution layers with one head per
 * attribute and a 64-d penultimate layer) for 16×16 RGB images; the augmentation (§8: "noise,
 * blur, slight color shift" so that it is robust to diffusion artifacts) is part of the settings,
 * so a model carries the recipe it was trained with.
 *
 * <p>In a manifest: {@code heads} (required) names the heads, space-separated; {@code classes.<head>}
 * (required per head) names its classes, space-separated; {@code widths} the three convolution
 * widths, space-separated; the rest are single values.
 *
 * @param heads the heads with their classes, in order
 * @param imageSize image side in pixels; a multiple of 4 (two stride-2 convolutions)
 * @param channels image channels
 * @param widths the widths of the three 3×3 convolutions (the second and third have stride 2)
 * @param featureWidth the penultimate (feature) width
 * @param shift augmentation: the largest shift in pixels, each axis (edges replicated); 0 for none
 * @param flip augmentation: whether images are mirrored left–right with probability ½
 * @param jitter augmentation: the brightness factor is 1 ± {@code jitter}, and each channel moves by
 *     ± {@code jitter}/2 (uniform); 0 for none
 * @param noise augmentation: Gaussian pixel noise with σ uniform in [0, {@code noise}]; 0 for none
 * @param blur augmentation: the probability that an image is mixed with its 3×3 box blur (by a weight
 *     uniform in [0, ½]); 0 for none
 */
public record ClassifierConfig(List<Head> heads, int imageSize, int channels, List<Integer> widths, int featureWidth,
        int shift, boolean flip, double jitter, double noise, double blur) {

    /** Default {@code imageSize} (research §6). */
    public static final int DEFAULT_IMAGE_SIZE = 16;
    /** Default {@code channels}: RGB. */
    public static final int DEFAULT_CHANNELS = 3;
    /** Default {@code widths} (research §8: 3 convolution layers; widths measured in ClassifierTest). */
    public static final List<Integer> DEFAULT_WIDTHS = List.of(32, 64, 64);
    /** Default {@code featureWidth} (research §8: 64-d penultimate features for the Fréchet distance). */
    public static final int DEFAULT_FEATURE_WIDTH = 64;
    /** Default {@code shift}: 1 pixel (objects may touch the edge; a larger shift would cut them). */
    public static final int DEFAULT_SHIFT = 1;
    /** Default {@code flip}: on (every shape of the shapes world is mirror-symmetric left–right). */
    public static final boolean DEFAULT_FLIP = true;
    /** Default {@code jitter}: 0.06, below the colours' smallest channel gap (research §8: slight colour shift). */
    public static final double DEFAULT_JITTER = 0.06;
    /** Default {@code noise}: σ up to 0.05 (research §8: noise). */
    public static final double DEFAULT_NOISE = 0.05;
    /** Default {@code blur}: a quarter of the images (research §8: blur). */
    public static final double DEFAULT_BLUR = 0.25;

    /** The fixed setting keys; {@code classes.<head>} come on top. */
    public static final Set<String> KEYS = Set.of("heads", "imageSize", "channels", "widths", "featureWidth", "shift",
            "flip", "jitter", "noise", "blur");

    /** The prefix of a head's classes setting. */
    public static final String CLASSES = "classes.";

    /**
     * One head.
     *
     * @param name its name (a word)
     * @param classes its classes, at least two, distinct
     */
    public record Head(String name, List<String> classes) {

        /** Copies and checks. */
        public Head {
            Objects.requireNonNull(name, "name");
            classes = List.copyOf(classes);
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw invalid("a head's name must be a word, not '" + name + "'");
            }
            if (classes.size() < 2) {
                throw invalid("head '" + name + "' needs at least 2 classes, not " + classes);
            }
            if (new LinkedHashSet<>(classes).size() != classes.size()) {
                throw invalid("head '" + name + "' repeats a class: " + classes);
            }
        }
    }

    /** Copies; checks ranges, naming the setting. */
    public ClassifierConfig {
        heads = List.copyOf(heads);
        widths = List.copyOf(widths);
        if (heads.isEmpty()) {
            throw invalid("setting 'heads' (space-separated head names) is required");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Head h : heads) {
            if (!names.add(h.name())) {
                throw invalid("head '" + h.name() + "' is named twice");
            }
        }
        check("imageSize", imageSize, 4, 256);
        if (imageSize % 4 != 0) {
            throw invalid("setting 'imageSize' must be a multiple of 4 (two stride-2 convolutions), not " + imageSize);
        }
        check("channels", channels, 1, 16);
        if (widths.size() != 3) {
            throw invalid("setting 'widths' must be three convolution widths, not " + widths);
        }
        for (int w : widths) {
            check("widths", w, 1, 4096);
        }
        check("featureWidth", featureWidth, 1, 4096);
        check("shift", shift, 0, imageSize / 4);
        rate("jitter", jitter, 0.5);
        rate("noise", noise, 0.5);
        rate("blur", blur, 1);
    }

    /**
     * Default sizes and augmentation for some heads.
     *
     * @param heads the heads
     * @return the settings
     */
    public static ClassifierConfig of(List<Head> heads) {
        return new ClassifierConfig(heads, DEFAULT_IMAGE_SIZE, DEFAULT_CHANNELS, DEFAULT_WIDTHS, DEFAULT_FEATURE_WIDTH,
                DEFAULT_SHIFT, DEFAULT_FLIP, DEFAULT_JITTER, DEFAULT_NOISE, DEFAULT_BLUR);
    }

    /**
     * @param name a head's name
     * @return the head
     * @throws IllegalArgumentException naming the heads
     */
    public Head head(String name) {
        for (Head h : heads) {
            if (h.name().equals(name)) {
                return h;
            }
        }
        throw new IllegalArgumentException("no head '" + name + "'; heads are "
                + heads.stream().map(Head::name).toList());
    }

    /**
     * Reads settings from a manifest's map: {@code heads} and each head's {@code classes.<head>} are
     * required, the rest default.
     *
     * @param config the settings as strings
     * @return the settings
     * @throws LetheException (invalid input) naming the key, for an unknown key or a bad value
     */
    public static ClassifierConfig from(Map<String, String> config) {
        String headNames = config.getOrDefault("heads", "");
        if (headNames.isBlank()) {
            throw invalid("setting 'heads' (space-separated head names) is required");
        }
        List<String> names = words(headNames);
        for (String key : config.keySet()) {
            boolean known = KEYS.contains(key)
                    || key.startsWith(CLASSES) && names.contains(key.substring(CLASSES.length()));
            if (!known) {
                throw invalid("unknown setting '" + key + "'; its settings are " + KEYS.stream().sorted().toList()
                        + " and classes.<head> for each head of 'heads'");
            }
        }
        List<Head> heads = new ArrayList<>();
        for (String name : names) {
            String classes = config.getOrDefault(CLASSES + name, "");
            if (classes.isBlank()) {
                throw invalid("setting '" + CLASSES + name + "' (space-separated classes of head '" + name
                        + "') is required");
            }
            heads.add(new Head(name, words(classes)));
        }
        List<Integer> widths = DEFAULT_WIDTHS;
        if (config.containsKey("widths")) {
            widths = new ArrayList<>();
            for (String w : words(config.get("widths"))) {
                widths.add(parseInt("widths", w));
            }
        }
        return new ClassifierConfig(heads, integer(config, "imageSize", DEFAULT_IMAGE_SIZE),
                integer(config, "channels", DEFAULT_CHANNELS), widths,
                integer(config, "featureWidth", DEFAULT_FEATURE_WIDTH), integer(config, "shift", DEFAULT_SHIFT),
                bool(config, "flip", DEFAULT_FLIP), decimal(config, "jitter", DEFAULT_JITTER),
                decimal(config, "noise", DEFAULT_NOISE), decimal(config, "blur", DEFAULT_BLUR));
    }

    /** @return the settings as a manifest stores them; {@link #from} reads them back */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("heads", String.join(" ", heads.stream().map(Head::name).toList()));
        for (Head h : heads) {
            map.put(CLASSES + h.name(), String.join(" ", h.classes()));
        }
        map.put("imageSize", Integer.toString(imageSize));
        map.put("channels", Integer.toString(channels));
        map.put("widths", String.join(" ", widths.stream().map(String::valueOf).toList()));
        map.put("featureWidth", Integer.toString(featureWidth));
        map.put("shift", Integer.toString(shift));
        map.put("flip", Boolean.toString(flip));
        map.put("jitter", Double.toString(jitter));
        map.put("noise", Double.toString(noise));
        map.put("blur", Double.toString(blur));
        return map;
    }

    private static List<String> words(String text) {
        return Arrays.asList(text.trim().split("\\s+"));
    }

    private static LetheException invalid(String message) {
        return LetheException.invalidInput(ConceptClassifierArchitecture.NAME + ": " + message);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid("setting '" + key + "' must be an integer from " + min + " to " + max + ", not " + value);
        }
    }

    private static void rate(String key, double value, double max) {
        if (!(value >= 0 && value <= max)) {
            throw invalid("setting '" + key + "' must be a number from 0 to " + max + ", not " + value);
        }
    }

    private static int parseInt(String key, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw invalid("setting '" + key + "' must be an integer, not '" + text + "'");
        }
    }

    private static int integer(Map<String, String> config, String key, int fallback) {
        String text = config.get(key);
        return text == null ? fallback : parseInt(key, text);
    }

    private static boolean bool(Map<String, String> config, String key, boolean fallback) {
        String text = config.get(key);
        if (text == null) {
            return fallback;
        }
        return switch (text.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid("setting '" + key + "' must be true or false, not '" + text + "'");
        };
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

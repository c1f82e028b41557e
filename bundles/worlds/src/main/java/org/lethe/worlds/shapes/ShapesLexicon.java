package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fixed vocabulary and drawing constants of the shapes world (methods-gen.md §6). None of it
 * depends on the seed: the concept lists, their aliases, the context and filler words, the colour
 * table and the geometry.
 */
public final class ShapesLexicon {

    /** Image side in pixels. */
    public static final int SIZE = 16;

    /** Colour channels (RGB). */
    public static final int CHANNELS = 3;

    /** Floats per image: {@code CHANNELS × SIZE × SIZE}, channel-major (CHW). */
    public static final int PIXELS = CHANNELS * SIZE * SIZE;

    /** The colours, in file order: each with one erasure alias and one held-out alias. */
    public static final List<ShapesConcept> COLOURS = List.of(
            colour("red", "crimson", "scarlet", "orange", "purple"),
            colour("green", "emerald", "jade", "yellow", "blue"),
            colour("blue", "azure", "cobalt", "green", "purple"),
            colour("yellow", "golden", "lemon", "orange", "green"),
            colour("purple", "violet", "plum", "blue", "red"),
            colour("orange", "amber", "tangerine", "red", "yellow"));

    /** The shapes, in file order ("ball" and "disk" for circle, "box" for square, as the research names them). */
    public static final List<ShapesConcept> SHAPES = List.of(
            plain("circle", Attribute.SHAPE, "ball", "disk"),
            plain("square", Attribute.SHAPE, "box", "tile"),
            plain("triangle", Attribute.SHAPE, "wedge", "delta"),
            plain("cross", Attribute.SHAPE, "plus", "cruciform"));

    /** The background textures (the research's "background/style"), in file order. */
    public static final List<ShapesConcept> TEXTURES = List.of(
            plain("plain", Attribute.TEXTURE, "solid", "blank"),
            plain("stripes", Attribute.TEXTURE, "lines", "bands"),
            plain("dots", Attribute.TEXTURE, "spots", "specks"));

    /**
     * The materials of the {@code shapes-vqa} world, an abstract attribute shown as shading on the
     * object (research/methods-gen.md §7): {@code matte} is the flat colour, {@code glossy} adds a
     * specular dot, {@code metallic} a top-to-bottom brightness gradient. Not a concept of the
     * {@code shapes} world (its images have no material and keep their flat colour).
     */
    public static final List<String> MATERIALS = List.of("matte", "glossy", "metallic");

    /** Glossy: the specular dot's peak weight towards white. */
    public static final float GLOSS_STRENGTH = 0.85f;

    /** Glossy: the dot's offset up and left of the centre, relative to the radius. */
    public static final float GLOSS_OFFSET = 0.35f;

    /** Glossy: the dot's Gaussian width, relative to the radius (at least {@link #GLOSS_MIN_SIGMA} pixels). */
    public static final float GLOSS_SIGMA = 0.25f;

    /** Glossy: the smallest width of the dot in pixels. */
    public static final float GLOSS_MIN_SIGMA = 0.9f;

    /** Metallic: the brightness factor at the object's top. */
    public static final float METAL_TOP = 1.4f;

    /** Metallic: the brightness factor at the object's bottom. */
    public static final float METAL_BOTTOM = 0.5f;

    /** Every concept: colours, shapes, textures. */
    public static final List<ShapesConcept> CONCEPTS = concat(COLOURS, SHAPES, TEXTURES);

    /**
     * Context words: they change the layout only ({@code small}: radius 3–4.5 px, {@code big}:
     * 4.5–6 px, {@code left}: centre x 5–6.5, {@code right}: centre x 9.5–11).
     */
    public static final List<String> CONTEXT_WORDS = List.of("small", "big", "left", "right");

    /** The filler word between the shape and the texture ({@code red circle on stripes}). */
    public static final String FILLER = "on";

    /** Object colours (RGB in [0, 1]) in the order of {@link #COLOURS}. */
    private static final float[][] RGB = {
        {0.90f, 0.10f, 0.10f},
        {0.10f, 0.75f, 0.15f},
        {0.10f, 0.20f, 0.90f},
        {0.95f, 0.90f, 0.10f},
        {0.55f, 0.15f, 0.75f},
        {0.98f, 0.55f, 0.05f},
    };

    /** Image centre (pixel coordinates run from 0 to {@link #SIZE}; pixel (x, y) covers [x, x+1) × [y, y+1)). */
    public static final float CENTRE = SIZE / 2f;

    /** Largest distance of the object's centre from {@link #CENTRE} along x or y. */
    public static final float JITTER = 3f;

    /** Smallest object radius in pixels. */
    public static final float MIN_RADIUS = 3f;

    /** Largest object radius in pixels. */
    public static final float MAX_RADIUS = 6f;

    /** Per-channel multiplicative colour jitter of the object (±8 %). */
    public static final float COLOUR_JITTER = 0.08f;

    /** Per-pixel, per-channel additive noise on the whole image (±0.02). */
    public static final float PIXEL_NOISE = 0.02f;

    /** Background grey level range (a dark grey, so every colour stands out by at least 0.3 in some channel). */
    public static final float BACKGROUND_MIN = 0.22f;

    /** Upper end of the background grey level. */
    public static final float BACKGROUND_MAX = 0.34f;

    /** Per-channel background tint (±0.03). */
    public static final float BACKGROUND_TINT = 0.03f;

    /** Brightness added to the light stripes (2 px light, 2 px dark, diagonal, period 4 along x + y). */
    public static final float STRIPE_AMPLITUDE = 0.15f;

    /** Brightness added to the dots (one pixel every 4 in x and y). */
    public static final float DOT_AMPLITUDE = 0.18f;

    /**
     * A threshold on the largest channel of |image − background| that separates the object from
     * the background pattern (pattern ≤ 0.18 + noise, object ≥ 0.3): what a silhouette of a
     * generated image can use.
     */
    public static final float SILHOUETTE_THRESHOLD = 0.24f;

    private static final Map<String, ShapesConcept> BY_WORD = index();

    private ShapesLexicon() {
    }

    private static ShapesConcept colour(String name, String alias, String heldOut, String... neighbours) {
        return new ShapesConcept(name, Attribute.COLOUR, List.of(alias), List.of(heldOut), List.of(neighbours));
    }

    private static ShapesConcept plain(String name, Attribute attribute, String alias, String heldOut) {
        return new ShapesConcept(name, attribute, List.of(alias), List.of(heldOut), List.of());
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> out = new ArrayList<>();
        for (List<T> l : lists) {
            out.addAll(l);
        }
        return List.copyOf(out);
    }

    private static Map<String, ShapesConcept> index() {
        Map<String, ShapesConcept> out = new LinkedHashMap<>();
        Set<String> others = new HashSet<>(CONTEXT_WORDS);
        others.add(FILLER);
        for (ShapesConcept c : CONCEPTS) {
            for (String w : c.allWords()) {
                if (out.put(w, c) != null || others.contains(w)) {
                    throw new IllegalStateException("the word '" + w + "' names two things");
                }
            }
        }
        return out;
    }

    /**
     * @param attribute an attribute
     * @return its concepts, in file order
     */
    public static List<ShapesConcept> concepts(Attribute attribute) {
        return switch (attribute) {
            case COLOUR -> COLOURS;
            case SHAPE -> SHAPES;
            case TEXTURE -> TEXTURES;
        };
    }

    /**
     * @param name a concept's name
     * @return the concept, if the world knows it
     */
    public static Optional<ShapesConcept> concept(String name) {
        for (ShapesConcept c : CONCEPTS) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * @param word a prompt word
     * @return the concept it names (by its name or an alias), if any
     */
    public static Optional<ShapesConcept> conceptOfWord(String word) {
        return Optional.ofNullable(BY_WORD.get(word));
    }

    /** @return every concept's name, in file order */
    public static List<String> conceptNames() {
        return CONCEPTS.stream().map(ShapesConcept::name).toList();
    }

    /**
     * @param colour a colour's name
     * @return its RGB value in [0, 1] before jitter (a copy)
     * @throws IllegalArgumentException for an unknown colour
     */
    public static float[] rgb(String colour) {
        for (int i = 0; i < COLOURS.size(); i++) {
            if (COLOURS.get(i).name().equals(colour)) {
                return RGB[i].clone();
            }
        }
        throw new IllegalArgumentException("unknown colour '" + colour + "'; known: " + names(COLOURS));
    }

    /**
     * Every word a prompt can hold, in a fixed order: each concept's name, erasure aliases and
     * held-out aliases (colours, shapes, textures), then the context words, then the filler. No
     * padding or null-prompt marker: the model adds its own.
     *
     * @return the vocabulary (44 words)
     */
    public static List<String> vocabulary() {
        List<String> out = new ArrayList<>(BY_WORD.keySet());
        out.addAll(CONTEXT_WORDS);
        out.add(FILLER);
        return List.copyOf(out);
    }

    static String names(List<ShapesConcept> concepts) {
        return String.join(", ", concepts.stream().map(ShapesConcept::name).toList());
    }
}

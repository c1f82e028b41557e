package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds the shapes world from a seed (methods-gen.md Part B §6 and §8). Everything comes from
 * {@link ShapesRng} streams named after their purpose and indexed by item, so the same seed gives
 * bit-identical floats and byte-identical files, and any image can be drawn again on its own from
 * its render seed.
 *
 * <p>Image streams are balanced: image {@code i} of a stream has the combination at position
 * {@code i mod 72} of block {@code i / 72}'s own shuffled order of the 72 colour × shape × texture
 * combinations, so the first {@code 72·k} images hold every combination exactly {@code k} times.
 * {@link #trainingPair} gives any index of the training stream, beyond the stored split too.
 */
public final class ShapesGenerator {

    /** Stream of the diffusion model's training pairs. */
    static final String TRAIN_STREAM = "train";
    /** Stream of the classifier's training images. */
    static final String CLASSIFIER_TRAIN_STREAM = "classifier_train";
    /** Stream of the classifier's check images (seeds used nowhere else). */
    static final String CLASSIFIER_HOLDOUT_STREAM = "classifier_holdout";

    private static final int SUB = 4;

    private ShapesGenerator() {
    }

    /** A training image with its prompt. @param image the image @param prompt its prompt */
    public record Pair(ShapesImage image, ShapesPrompt prompt) {
    }

    /**
     * @param seed the world's seed
     * @return the world of the default spec
     */
    public static ShapesWorld generate(long seed) {
        return generate(seed, ShapesSpec.DEFAULT);
    }

    /**
     * @param seed the world's seed
     * @param spec sizes and rates
     * @return the world; the same seed and spec always give an equal world
     */
    public static ShapesWorld generate(long seed, ShapesSpec spec) {
        int combos = ShapesSpec.combinations();
        Map<String, List<ShapesImage>> images = new LinkedHashMap<>();
        Map<String, List<ShapesPrompt>> prompts = new LinkedHashMap<>();

        List<ShapesImage> train = new ArrayList<>();
        List<ShapesPrompt> trainPrompts = new ArrayList<>();
        for (int i = 0; i < combos * spec.trainPerCombination(); i++) {
            Pair p = trainingPair(seed, spec, i);
            train.add(p.image());
            trainPrompts.add(p.prompt());
        }
        images.put(ShapesWorld.TRAIN, train);
        images.put(ShapesWorld.CLASSIFIER_TRAIN, classifierImages(seed, CLASSIFIER_TRAIN_STREAM,
                combos * spec.classifierTrainPerCombination(), spec.noObjectTrain()));
        images.put(ShapesWorld.CLASSIFIER_HOLDOUT, classifierImages(seed, CLASSIFIER_HOLDOUT_STREAM,
                combos * spec.classifierHoldoutPerCombination(), spec.noObjectHoldout()));

        List<Long> samplerSeeds = new ArrayList<>();
        for (int k = 0; k < spec.evalPromptsPerConcept(); k++) {
            samplerSeeds.add(ShapesRng.derive(seed, "sampler", k));
        }
        prompts.put(ShapesWorld.TRAIN, trainPrompts);
        for (String split : ShapesWorld.EVAL_SPLITS) {
            prompts.put(split, evalPrompts(seed, split, samplerSeeds));
        }
        List<ErasureTask> tasks = tasks();
        for (ErasureTask t : tasks) {
            prompts.put(ShapesWorld.preserveSplit(t.name()), preservePrompts(seed, t, samplerSeeds));
        }
        return new ShapesWorld(seed, spec, images, prompts, tasks, samplerSeeds);
    }

    /**
     * The training stream at any index: the stored {@code train} split is its first
     * {@code 72 × trainPerCombination} pairs, and a trainer may go on past it.
     *
     * @param seed the world's seed
     * @param spec the rates (alias and context)
     * @param index the pair's index, from 0
     * @return the image (id {@code train-<index>}) and its prompt
     */
    public static Pair trainingPair(long seed, ShapesSpec spec, long index) {
        if (index < 0 || index > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("index must be from 0 to " + Integer.MAX_VALUE + ", not " + index);
        }
        int[] combo = combination(seed, TRAIN_STREAM, index);
        ShapesRng words = ShapesRng.stream(seed, TRAIN_STREAM + "/prompt", index);
        Optional<String> context = words.nextDouble() < spec.contextRate()
                ? Optional.of(words.pick(ShapesLexicon.CONTEXT_WORDS)) : Optional.empty();
        ShapesConcept colour = ShapesLexicon.COLOURS.get(combo[0]);
        ShapesConcept shape = ShapesLexicon.SHAPES.get(combo[1]);
        ShapesConcept texture = ShapesLexicon.TEXTURES.get(combo[2]);
        String cw = trainingWord(colour, spec, words);
        String sw = trainingWord(shape, spec, words);
        String tw = trainingWord(texture, spec, words);
        String id = TRAIN_STREAM + "-" + index;
        long renderSeed = ShapesRng.derive(seed, TRAIN_STREAM, index);
        ShapesImage image = render(id, renderSeed, colour.name(), shape.name(), texture.name(), context);
        ShapesPrompt prompt = new ShapesPrompt(id, colour.name(), shape.name(), texture.name(), cw, sw, tw, context,
                Optional.empty(), OptionalInt.of((int) index), OptionalLong.empty());
        return new Pair(image, prompt);
    }

    private static String trainingWord(ShapesConcept c, ShapesSpec spec, ShapesRng rng) {
        List<String> aliases = new ArrayList<>(c.aliases());
        if (spec.trainHeldOutAliases()) {
            aliases.addAll(c.heldOutAliases());
        }
        double u = rng.nextDouble();
        int slot = (int) Math.floor(u / Math.max(spec.aliasRate(), Double.MIN_NORMAL));
        return spec.aliasRate() > 0 && slot < aliases.size() ? aliases.get(slot) : c.name();
    }

    /** @return {colour, shape, texture} indices of image {@code index} of a balanced stream */
    private static int[] combination(long seed, String stream, long index) {
        int c = balanced(seed, stream, index, ShapesSpec.combinations());
        int textures = ShapesLexicon.TEXTURES.size();
        int shapes = ShapesLexicon.SHAPES.size();
        return new int[] {c / (shapes * textures), (c / textures) % shapes, c % textures};
    }

    /**
     * @param seed the world's seed
     * @param stream the stream's name
     * @param index the image's index in the stream
     * @param combos how many combinations the stream cycles through
     * @return the combination of image {@code index}: position {@code index mod combos} of block
     *     {@code index / combos}'s own shuffled order of the combinations
     */
    static int balanced(long seed, String stream, long index, int combos) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < combos; i++) {
            order.add(i);
        }
        return ShapesRng.stream(seed, stream + "/order", index / combos).shuffled(order).get((int) (index % combos));
    }

    private static List<ShapesImage> classifierImages(long seed, String stream, int objects, int empty) {
        List<ShapesImage> out = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            int[] combo = combination(seed, stream, i);
            out.add(render(stream + "-" + i, ShapesRng.derive(seed, stream, i),
                    ShapesLexicon.COLOURS.get(combo[0]).name(), ShapesLexicon.SHAPES.get(combo[1]).name(),
                    ShapesLexicon.TEXTURES.get(combo[2]).name(), Optional.empty()));
        }
        for (int j = 0; j < empty; j++) {
            String id = stream + "-" + (objects + j);
            long renderSeed = ShapesRng.derive(seed, stream + "/empty", j);
            out.add(j % 2 == 0
                    ? renderBackground(id, renderSeed,
                            ShapesLexicon.TEXTURES.get((j / 2) % ShapesLexicon.TEXTURES.size()).name())
                    : renderNoise(id, renderSeed));
        }
        return out;
    }

    private static List<ShapesPrompt> evalPrompts(long seed, String split, List<Long> samplerSeeds) {
        List<ShapesPrompt> out = new ArrayList<>();
        for (ShapesConcept c : ShapesLexicon.CONCEPTS) {
            List<int[]> others = new ArrayList<>();
            for (int[] combo : allCombinations()) {
                if (ShapesLexicon.concepts(c.attribute()).get(combo[c.attribute().ordinal()]).equals(c)) {
                    others.add(combo);
                }
            }
            List<int[]> order = ShapesRng.stream(seed, "eval/" + c.name(), 0).shuffled(others);
            for (int k = 0; k < samplerSeeds.size(); k++) {
                int[] combo = order.get(k % order.size());
                String[] words = new String[3];
                for (Attribute a : Attribute.values()) {
                    ShapesConcept v = ShapesLexicon.concepts(a).get(combo[a.ordinal()]);
                    String word;
                    if (a != c.attribute()) {
                        word = split.equals(ShapesWorld.EVAL_COMPOSITIONAL) ? v.aliases().get(k % v.aliases().size())
                                : v.name();
                    } else {
                        word = switch (split) {
                            case ShapesWorld.EVAL_NAME -> c.name();
                            case ShapesWorld.EVAL_ALIAS -> c.aliases().get(k % c.aliases().size());
                            default -> c.heldOutAliases().get(k % c.heldOutAliases().size());
                        };
                    }
                    words[a.ordinal()] = word;
                }
                out.add(prompt(c.name() + "-" + k, combo, words, Optional.of(c.name()), samplerSeeds.get(k)));
            }
        }
        return out;
    }

    private static List<ShapesPrompt> preservePrompts(long seed, ErasureTask task, List<Long> samplerSeeds) {
        List<int[]> allowed = new ArrayList<>();
        for (int[] combo : allCombinations()) {
            boolean ok = true;
            for (Attribute a : Attribute.values()) {
                ok &= task.preserve().contains(ShapesLexicon.concepts(a).get(combo[a.ordinal()]).name());
            }
            if (ok) {
                allowed.add(combo);
            }
        }
        List<int[]> order = ShapesRng.stream(seed, "preserve/" + task.name(), 0).shuffled(allowed);
        List<ShapesPrompt> out = new ArrayList<>();
        for (int k = 0; k < samplerSeeds.size(); k++) {
            int[] combo = order.get(k % order.size());
            String[] words = new String[3];
            for (Attribute a : Attribute.values()) {
                words[a.ordinal()] = ShapesLexicon.concepts(a).get(combo[a.ordinal()]).name();
            }
            out.add(prompt(task.name() + "-" + k, combo, words, Optional.empty(), samplerSeeds.get(k)));
        }
        return out;
    }

    private static ShapesPrompt prompt(String id, int[] combo, String[] words, Optional<String> concept, long seed) {
        return new ShapesPrompt(id, ShapesLexicon.COLOURS.get(combo[0]).name(), ShapesLexicon.SHAPES.get(combo[1]).name(),
                ShapesLexicon.TEXTURES.get(combo[2]).name(), words[0], words[1], words[2], Optional.empty(), concept,
                OptionalInt.empty(), OptionalLong.of(seed));
    }

    private static List<int[]> allCombinations() {
        List<int[]> out = new ArrayList<>();
        for (int c = 0; c < ShapesLexicon.COLOURS.size(); c++) {
            for (int s = 0; s < ShapesLexicon.SHAPES.size(); s++) {
                for (int t = 0; t < ShapesLexicon.TEXTURES.size(); t++) {
                    out.add(new int[] {c, s, t});
                }
            }
        }
        return out;
    }

    /**
     * The erasure tasks: one per concept (its hue neighbours for a colour), {@code multi3} (red,
     * yellow, blue) and {@code multi6} (red, yellow, blue, circle, square, stripes); each preserves
     * every other concept.
     *
     * @return the tasks, in file order
     */
    static List<ErasureTask> tasks() {
        List<ErasureTask> out = new ArrayList<>();
        for (ShapesConcept c : ShapesLexicon.CONCEPTS) {
            out.add(task(c.name(), List.of(c.name())));
        }
        out.add(task("multi3", List.of("red", "yellow", "blue")));
        out.add(task("multi6", List.of("red", "yellow", "blue", "circle", "square", "stripes")));
        return out;
    }

    private static ErasureTask task(String name, List<String> erase) {
        List<String> preserve = new ArrayList<>();
        for (String n : ShapesLexicon.conceptNames()) {
            if (!erase.contains(n)) {
                preserve.add(n);
            }
        }
        Set<String> neighbours = new LinkedHashSet<>();
        for (String e : erase) {
            for (String n : ShapesLexicon.concept(e).orElseThrow().neighbours()) {
                if (!erase.contains(n)) {
                    neighbours.add(n);
                }
            }
        }
        return new ErasureTask(name, erase, preserve, List.copyOf(neighbours));
    }

    /**
     * Draws one image of a coloured shape on a textured background. The render seed fixes
     * everything random: background grey and tint, texture phase, layout, colour jitter and pixel
     * noise, drawn in that order.
     *
     * @param id the image's id
     * @param renderSeed the render seed
     * @param colour a colour's name
     * @param shape a shape's name
     * @param texture a texture's name
     * @param context a context word, or empty; it narrows the layout ({@link ShapesLexicon#CONTEXT_WORDS})
     * @return the image with its labels and silhouette
     * @throws IllegalArgumentException naming an unknown concept or context word and the known ones
     */
    public static ShapesImage render(String id, long renderSeed, String colour, String shape, String texture,
            Optional<String> context) {
        return draw(id, renderSeed, ShapesImage.Kind.OBJECT, known(Attribute.COLOUR, colour),
                known(Attribute.SHAPE, shape), known(Attribute.TEXTURE, texture), Optional.empty(), context);
    }

    /**
     * Draws one image of a coloured shape of a material on a textured background (the
     * {@code shapes-vqa} world): the same draws as {@link #render(String, long, String, String, String,
     * Optional)} and the same pixels except on the object, whose colour is shaded by the material
     * ({@link ShapesLexicon#MATERIALS}): {@code matte} flat (the same pixels as without a material),
     * {@code glossy} a specular dot up and left of the centre, {@code metallic} a brightness gradient
     * from top to bottom. The shading draws nothing random.
     *
     * @param id the image's id
     * @param renderSeed the render seed
     * @param colour a colour's name
     * @param shape a shape's name
     * @param texture a texture's name
     * @param material a material's name
     * @param context a context word, or empty
     * @return the image with its labels (material included) and silhouette
     * @throws IllegalArgumentException naming an unknown concept, material or context word and the known ones
     */
    public static ShapesImage render(String id, long renderSeed, String colour, String shape, String texture,
            String material, Optional<String> context) {
        if (!ShapesLexicon.MATERIALS.contains(material)) {
            throw new IllegalArgumentException("unknown material '" + material + "'; known: "
                    + String.join(", ", ShapesLexicon.MATERIALS));
        }
        return draw(id, renderSeed, ShapesImage.Kind.OBJECT, known(Attribute.COLOUR, colour),
                known(Attribute.SHAPE, shape), known(Attribute.TEXTURE, texture), Optional.of(material), context);
    }

    /**
     * The background alone: with the render seed of an object image and its texture, the same
     * pixels as that image wherever the object does not reach (the object's draws are made and
     * not painted).
     *
     * @param id the image's id
     * @param renderSeed the render seed
     * @param texture a texture's name
     * @return the image (kind {@code background}, empty mask)
     */
    public static ShapesImage renderBackground(String id, long renderSeed, String texture) {
        return draw(id, renderSeed, ShapesImage.Kind.BACKGROUND, "red", "circle", known(Attribute.TEXTURE, texture),
                Optional.empty(), Optional.empty());
    }

    /**
     * @param id the image's id
     * @param renderSeed the render seed
     * @return uniform noise in [0, 1) (kind {@code noise}, no labels, empty mask)
     */
    public static ShapesImage renderNoise(String id, long renderSeed) {
        ShapesRng rng = ShapesRng.of(renderSeed);
        float[] pixels = new float[ShapesLexicon.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        return new ShapesImage(id, ShapesImage.Kind.NOISE, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), renderSeed, Float.NaN, Float.NaN, Float.NaN, new float[0], pixels,
                new boolean[ShapesLexicon.SIZE * ShapesLexicon.SIZE]);
    }

    private static String known(Attribute a, String name) {
        for (ShapesConcept c : ShapesLexicon.concepts(a)) {
            if (c.name().equals(name)) {
                return name;
            }
        }
        throw new IllegalArgumentException("unknown " + a.label() + " '" + name + "'; known: "
                + ShapesLexicon.names(ShapesLexicon.concepts(a)));
    }

    private static ShapesImage draw(String id, long renderSeed, ShapesImage.Kind kind, String colour, String shape,
            String texture, Optional<String> material, Optional<String> context) {
        if (context.isPresent() && !ShapesLexicon.CONTEXT_WORDS.contains(context.get())) {
            throw new IllegalArgumentException("unknown context word '" + context.get() + "'; known: "
                    + String.join(", ", ShapesLexicon.CONTEXT_WORDS));
        }
        final int n = ShapesLexicon.SIZE;
        ShapesRng rng = ShapesRng.of(renderSeed);
        // 1. background grey and tint
        float grey = rng.uniform(ShapesLexicon.BACKGROUND_MIN, ShapesLexicon.BACKGROUND_MAX);
        float[] tint = new float[3];
        for (int c = 0; c < 3; c++) {
            tint[c] = rng.uniform(-ShapesLexicon.BACKGROUND_TINT, ShapesLexicon.BACKGROUND_TINT);
        }
        // 2. texture phase
        int phaseX = rng.nextInt(4);
        int phaseY = rng.nextInt(4);
        // 3. layout: radius, then centre, clamped so that the whole shape stays inside the image
        String ctx = context.orElse("");
        float radius = switch (ctx) {
            case "small" -> rng.uniform(ShapesLexicon.MIN_RADIUS, 4.5);
            case "big" -> rng.uniform(4.5, ShapesLexicon.MAX_RADIUS);
            default -> rng.uniform(ShapesLexicon.MIN_RADIUS, ShapesLexicon.MAX_RADIUS);
        };
        float lo = ShapesLexicon.CENTRE - ShapesLexicon.JITTER;
        float hi = ShapesLexicon.CENTRE + ShapesLexicon.JITTER;
        float cx = switch (ctx) {
            case "left" -> rng.uniform(lo, ShapesLexicon.CENTRE - 1.5);
            case "right" -> rng.uniform(ShapesLexicon.CENTRE + 1.5, hi);
            default -> rng.uniform(lo, hi);
        };
        float cy = rng.uniform(lo, hi);
        float[] ext = extents(shape, radius);
        cx = Math.max(ext[0], Math.min(n - ext[0], cx));
        cy = Math.max(ext[1], Math.min(n - ext[2], cy));
        // 4. colour jitter
        float[] base = ShapesLexicon.rgb(colour);
        float[] rgb = new float[3];
        for (int c = 0; c < 3; c++) {
            float j = rng.uniform(-ShapesLexicon.COLOUR_JITTER, ShapesLexicon.COLOUR_JITTER);
            rgb[c] = clamp(base[c] * (1f + j));
        }
        boolean object = kind == ShapesImage.Kind.OBJECT;
        float[] pixels = new float[ShapesLexicon.PIXELS];
        boolean[] mask = new boolean[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                float cover = object ? coverage(shape, x, y, cx, cy, radius) : 0f;
                mask[y * n + x] = cover >= 0.5f;
                float pattern = pattern(texture, x, y, phaseX, phaseY);
                float[] surface = material.isEmpty() || cover == 0f ? rgb : shade(material.get(), rgb, x, y, cx, cy,
                        radius);
                for (int c = 0; c < 3; c++) {
                    float bg = grey + tint[c] + pattern;
                    pixels[c * n * n + y * n + x] = bg * (1f - cover) + surface[c] * cover;
                }
            }
        }
        // 5. pixel noise, channel-major
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = clamp(pixels[i] + rng.uniform(-ShapesLexicon.PIXEL_NOISE, ShapesLexicon.PIXEL_NOISE));
        }
        if (!object) {
            return new ShapesImage(id, kind, Optional.empty(), Optional.empty(), Optional.of(texture), Optional.empty(),
                    renderSeed, Float.NaN, Float.NaN, Float.NaN, new float[0], pixels, mask);
        }
        return new ShapesImage(id, kind, Optional.of(colour), Optional.of(shape), Optional.of(texture), material,
                context, renderSeed, cx, cy, radius, rgb, pixels, mask);
    }

    /**
     * The object's colour at pixel (x, y) under a material's shading, taken at the pixel's centre.
     *
     * @return {@code rgb} itself for matte, else a new array in [0, 1]
     */
    private static float[] shade(String material, float[] rgb, int x, int y, float cx, float cy, float radius) {
        float px = x + 0.5f;
        float py = y + 0.5f;
        switch (material) {
            case "glossy" -> {
                float sigma = Math.max(ShapesLexicon.GLOSS_MIN_SIGMA, ShapesLexicon.GLOSS_SIGMA * radius);
                float dx = px - (cx - ShapesLexicon.GLOSS_OFFSET * radius);
                float dy = py - (cy - ShapesLexicon.GLOSS_OFFSET * radius);
                float w = ShapesLexicon.GLOSS_STRENGTH * (float) Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                float[] out = new float[3];
                for (int c = 0; c < 3; c++) {
                    out[c] = rgb[c] * (1f - w) + w;
                }
                return out;
            }
            case "metallic" -> {
                float t = Math.max(0f, Math.min(1f, (py - (cy - radius)) / (2 * radius)));
                float factor = ShapesLexicon.METAL_TOP + (ShapesLexicon.METAL_BOTTOM - ShapesLexicon.METAL_TOP) * t;
                float[] out = new float[3];
                for (int c = 0; c < 3; c++) {
                    out[c] = clamp(rgb[c] * factor);
                }
                return out;
            }
            default -> {
                return rgb;
            }
        }
    }

    private static float clamp(float v) {
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }

    private static float pattern(String texture, int x, int y, int phaseX, int phaseY) {
        return switch (texture) {
            case "stripes" -> ((x + y + phaseX) & 3) < 2 ? ShapesLexicon.STRIPE_AMPLITUDE : 0f;
            case "dots" -> ((x + phaseX) & 3) == 0 && ((y + phaseY) & 3) == 0 ? ShapesLexicon.DOT_AMPLITUDE : 0f;
            default -> 0f;
        };
    }

    /** Half-side of the square relative to the radius: the square has the circle's area. */
    static final float SQUARE_HALF = 0.886f;
    /** Circumradius of the triangle relative to the radius. */
    static final float TRIANGLE_CIRCUMRADIUS = 1.2f;
    /** Half-width of the cross's arms relative to the radius. */
    static final float CROSS_HALF_WIDTH = 0.35f;
    private static final float SIN60 = 0.8660254f;
    private static final float TAN30 = 0.57735026f;

    /** @return {half-width, extent above the centre, extent below the centre} */
    private static float[] extents(String shape, float r) {
        return switch (shape) {
            case "square" -> new float[] {SQUARE_HALF * r, SQUARE_HALF * r, SQUARE_HALF * r};
            case "triangle" -> {
                float big = TRIANGLE_CIRCUMRADIUS * r;
                yield new float[] {SIN60 * big, big, big / 2f};
            }
            default -> new float[] {r, r, r};
        };
    }

    /** @return the share of pixel (x, y) inside the shape, from 4 × 4 sub-samples */
    private static float coverage(String shape, int x, int y, float cx, float cy, float r) {
        int inside = 0;
        for (int j = 0; j < SUB; j++) {
            float dy = y + (j + 0.5f) / SUB - cy;
            for (int i = 0; i < SUB; i++) {
                float dx = x + (i + 0.5f) / SUB - cx;
                if (inside(shape, dx, dy, r)) {
                    inside++;
                }
            }
        }
        return inside / (float) (SUB * SUB);
    }

    private static boolean inside(String shape, float dx, float dy, float r) {
        float ax = Math.abs(dx);
        float ay = Math.abs(dy);
        return switch (shape) {
            case "circle" -> dx * dx + dy * dy <= r * r;
            case "square" -> ax <= SQUARE_HALF * r && ay <= SQUARE_HALF * r;
            case "triangle" -> {
                float big = TRIANGLE_CIRCUMRADIUS * r;
                yield dy <= big / 2f && ax <= (dy + big) * TAN30;
            }
            case "cross" -> {
                float w = CROSS_HALF_WIDTH * r;
                yield (ax <= r && ay <= w) || (ax <= w && ay <= r);
            }
            default -> throw new IllegalArgumentException("unknown shape '" + shape + "'");
        };
    }
}

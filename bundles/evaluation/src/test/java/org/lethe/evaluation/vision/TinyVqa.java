package org.lethe.evaluation.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.VqaItem;
import org.lethe.models.vision.VisionLanguageArchitecture;
import org.lethe.models.vision.VisionLanguageTransformer;

/**
 * Test scaffolding: a small instance of the project's vision-language transformer (8 × 8 images,
 * 4 visual tokens, width 16, two fusion blocks) with the shapes world's 18 answers, and visual
 * questions on solid-colour images.
 */
final class TinyVqa {

    /** The answer vocabulary of the shapes-vqa world, in logit order. */
    static final List<String> ANSWERS = List.of("red", "green", "blue", "yellow", "purple", "orange", "circle",
            "square", "triangle", "cross", "plain", "stripes", "dots", "matte", "glossy", "metallic", "yes", "no");

    /** Side of the images. */
    static final int SIZE = 8;

    private static final Map<String, float[]> RGB = Map.of("red", new float[] {0.9f, 0.1f, 0.1f}, "green",
            new float[] {0.1f, 0.9f, 0.1f}, "blue", new float[] {0.1f, 0.1f, 0.9f}, "yellow",
            new float[] {0.9f, 0.9f, 0.1f});

    private TinyVqa() {
    }

    /**
     * @param seed the initialisation's seed
     * @return a freshly initialised model
     */
    static VisionLanguageTransformer model(long seed) {
        Map<String, String> s = new HashMap<>();
        s.put("vocabulary", "what color is the object shape shown it which hue red green blue yellow");
        s.put("answers", String.join(" ", ANSWERS));
        s.put("imageSize", Integer.toString(SIZE));
        s.put("convWidth", "8");
        s.put("width", "16");
        s.put("heads", "2");
        s.put("mlp", "32");
        s.put("maxAppended", "4");
        return (VisionLanguageTransformer) new VisionLanguageArchitecture().create(s, seed);
    }

    /**
     * Makes the model answer one word whatever it is asked: the answer head's weights zero, its bias
     * 5 on that answer and 0 elsewhere (a deliberately biased model whose answers are known by hand).
     *
     * @param model the model
     * @param answer the answer it will always give
     */
    static void alwaysAnswer(VisionLanguageTransformer model, String answer) {
        Parameter weight = model.model().getBlock().getParameters().get("head.answer.weight");
        Parameter bias = model.model().getBlock().getParameters().get("head.answer.bias");
        NDArray w = weight.getArray();
        w.set(new float[(int) w.size()]);
        float[] b = new float[ANSWERS.size()];
        b[ANSWERS.indexOf(answer)] = 5f;
        bias.getArray().set(b);
    }

    /**
     * Raises one answer's bias in the answer head, so that the model gives it more often.
     *
     * @param model the model
     * @param answer the answer
     * @param amount added to its bias
     */
    static void favour(VisionLanguageTransformer model, String answer, float amount) {
        NDArray bias = model.model().getBlock().getParameters().get("head.answer.bias").getArray();
        float[] b = bias.toFloatArray();
        b[ANSWERS.indexOf(answer)] += amount;
        bias.set(b);
    }

    /**
     * @param prefix the ids' prefix
     * @param colour the images' colour, also the gold answer
     * @param n how many
     * @return n colour questions on images of that colour
     */
    static List<VqaItem> colours(String prefix, String colour, int n) {
        List<VqaItem> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(colour(prefix + i, colour, colour));
        }
        return out;
    }

    /**
     * @param id the image's id
     * @param colour the colour of the whole image (red, green, blue or yellow)
     * @param seed the seed of a little per-pixel noise (±0.05), so that images differ
     * @return a labelled 3 × 8 × 8 image, {@code colour → colour}
     */
    static LabelledImage image(String id, String colour, long seed) {
        float[] rgb = RGB.get(colour);
        Random random = new Random(seed);
        float[] pixels = new float[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < SIZE * SIZE; p++) {
                pixels[c * SIZE * SIZE + p] = Math.min(1f, Math.max(0f, rgb[c] + 0.1f * (random.nextFloat() - 0.5f)));
            }
        }
        return new LabelledImage(id, Map.of("colour", colour), 3, SIZE, SIZE, pixels);
    }

    /**
     * @param id the item's id
     * @param colour the image's colour
     * @param answer the gold answer
     * @return a template colour question about a solid-colour image
     */
    static VqaItem colour(String id, String colour, String answer) {
        return new VqaItem(id, image("img-" + id, colour, id.hashCode()), "what color is the object", answer, "colour",
                VqaItem.TEMPLATE);
    }

    /**
     * @param id the item's id
     * @param colour the image's colour
     * @param named the colour the question names
     * @return "is it <named>", gold yes when the image's colour is the named one
     */
    static VqaItem yesNo(String id, String colour, String named) {
        return new VqaItem(id, image("img-" + id, colour, id.hashCode()), "is it " + named,
                colour.equals(named) ? "yes" : "no", "colour", VqaItem.YES_NO);
    }
}

package org.lethe.method.sauce;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.VqaItem;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesImage;

/**
 * Test data: shapes images rendered by the shapes world's generator (colour × shape × texture),
 * each asked one template question per attribute, the forget/retain split of a concept as
 * vision-language unlearning defines it (forget: questions whose answer is the concept, on images
 * that show it; retain: the rest).
 */
final class ShapesQuestions {

    static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "purple", "orange");
    static final List<String> SHAPES = List.of("circle", "square", "triangle", "cross");
    static final List<String> TEXTURES = List.of("plain", "stripes", "dots");
    static final List<String> ANSWERS = List.of("red", "green", "blue", "yellow", "purple", "orange", "circle",
            "square", "triangle", "cross", "plain", "stripes", "dots", "matte", "glossy", "metallic", "yes", "no");
    static final Map<String, String> QUESTIONS = Map.of("colour", "what color is the object", "shape",
            "what shape is shown", "texture", "what is the texture");
    static final String VOCABULARY = "what color is the object shape shown texture";

    private ShapesQuestions() {
    }

    /**
     * @param n images
     * @param seed the render seeds' source
     * @return 3 questions per image (colour, shape, texture), image by image
     */
    static List<VqaItem> items(int n, long seed) {
        Random random = new Random(seed);
        List<VqaItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String colour = COLOURS.get(random.nextInt(COLOURS.size()));
            String shape = SHAPES.get(random.nextInt(SHAPES.size()));
            String texture = TEXTURES.get(random.nextInt(TEXTURES.size()));
            ShapesImage image = ShapesGenerator.render("img" + seed + "-" + i, random.nextLong(), colour, shape, texture,
                    Optional.empty());
            LabelledImage labelled = new LabelledImage(image.id(), Map.of("colour", colour, "shape", shape, "texture",
                    texture), 3, 16, 16, image.pixels());
            out.add(new VqaItem(image.id() + "-c", labelled, QUESTIONS.get("colour"), colour, "colour", VqaItem.TEMPLATE));
            out.add(new VqaItem(image.id() + "-s", labelled, QUESTIONS.get("shape"), shape, "shape", VqaItem.TEMPLATE));
            out.add(new VqaItem(image.id() + "-t", labelled, QUESTIONS.get("texture"), texture, "texture",
                    VqaItem.TEMPLATE));
        }
        return out;
    }

    /** @return the questions whose answer is the concept, on images that show it */
    static List<VqaItem> forget(List<VqaItem> items, String concept) {
        return items.stream().filter(i -> i.answer().equals(concept) && i.shows(concept)).toList();
    }

    /** @return the rest */
    static List<VqaItem> retain(List<VqaItem> items, String concept) {
        return items.stream().filter(i -> !(i.answer().equals(concept) && i.shows(concept))).toList();
    }
}

package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.VqaItem;

/**
 * The data of the {@code shapes-vqa} world for one seed: images of a coloured shape of a material
 * on a textured background ({@link ShapesGenerator#render(String, long, String, String, String, String,
 * Optional)}) with questions about them ({@link ShapesVqa}). Everything comes from
 * {@link ShapesRng} streams named after their purpose and indexed by item, so a seed gives the same
 * images and questions.
 *
 * <p>Image streams are balanced over the 216 colour × shape × texture × material combinations (as
 * the shapes world's are over its 72): the first {@code 216·k} images of a stream hold every
 * combination {@code k} times. The {@value #TRAIN} images come from the stream
 * {@value #TRAIN_STREAM}, the {@value #HOLDOUT} images from {@value #HOLDOUT_STREAM} (render seeds
 * used nowhere else).
 * <ul>
 * <li>{@value #TRAIN}: one template question per image and attribute (what the model trains on, and
 * the pool that unlearning forget and retain sets are cut from);</li>
 * <li>{@value #HOLDOUT}: per image and attribute one template, one held-out paraphrase and two
 * yes/no questions, one true (answer {@code yes}) and one about another value (answer {@code no}).</li>
 * </ul>
 *
 * @param seed the world's seed
 * @param trainImages the training images
 * @param holdoutImages the held-out images
 * @param train the training questions
 * @param holdout the held-out questions
 */
public record ShapesVqaWorld(long seed, List<ShapesImage> trainImages, List<ShapesImage> holdoutImages,
        List<VqaItem> train, List<VqaItem> holdout) {

    /** The training split's name. */
    public static final String TRAIN = "train";

    /** The held-out split's name. */
    public static final String HOLDOUT = "holdout";

    /** The concepts split's name. */
    public static final String CONCEPTS = "concepts";

    /** Stream of the training images. */
    static final String TRAIN_STREAM = "vqa_train";

    /** Stream of the held-out images. */
    static final String HOLDOUT_STREAM = "vqa_holdout";

    /**
     * Default training images per combination: 30 × 216 = 6,480 images (the contract asks ≥ 2,048).
     * Measured on seed 0 with the default recipe (ShapesVlmMeasurement): 12 per combination with word
     * dropout 0.1 left held-out shapes at 0.89 and paraphrases at 0.76; 30 with word dropout 0.25
     * reached templates 0.984, paraphrases 0.959, yes/no 0.964.
     */
    public static final int DEFAULT_TRAIN_PER_COMBINATION = 30;

    /** Default held-out images per combination: 3 × 216 = 648 images (the contract asks ≥ 512). */
    public static final int DEFAULT_HOLDOUT_PER_COMBINATION = 3;

    /** Copies the lists. */
    public ShapesVqaWorld {
        trainImages = List.copyOf(trainImages);
        holdoutImages = List.copyOf(holdoutImages);
        train = List.copyOf(train);
        holdout = List.copyOf(holdout);
    }

    /** @return the number of colour × shape × texture × material combinations (216) */
    public static int combinations() {
        int n = 1;
        for (String attribute : ShapesVqa.ATTRIBUTES) {
            n *= ShapesVqa.values(attribute).size();
        }
        return n;
    }

    /**
     * @param seed the world's seed
     * @return the world of the default sizes
     */
    public static ShapesVqaWorld generate(long seed) {
        return generate(seed, DEFAULT_TRAIN_PER_COMBINATION, DEFAULT_HOLDOUT_PER_COMBINATION);
    }

    /**
     * @param seed the world's seed
     * @param trainPerCombination training images per combination, ≥ 1
     * @param holdoutPerCombination held-out images per combination, ≥ 1
     * @return the world; the same arguments always give an equal world
     */
    public static ShapesVqaWorld generate(long seed, int trainPerCombination, int holdoutPerCombination) {
        if (trainPerCombination < 1 || holdoutPerCombination < 1) {
            throw new IllegalArgumentException("images per combination must be ≥ 1, not " + trainPerCombination
                    + " (train) and " + holdoutPerCombination + " (holdout)");
        }
        List<ShapesImage> trainImages = images(seed, TRAIN_STREAM, combinations() * trainPerCombination);
        List<ShapesImage> holdoutImages = images(seed, HOLDOUT_STREAM, combinations() * holdoutPerCombination);
        List<VqaItem> train = new ArrayList<>();
        for (int i = 0; i < trainImages.size(); i++) {
            ShapesImage image = trainImages.get(i);
            LabelledImage labelled = labelled(image);
            ShapesRng rng = ShapesRng.stream(seed, TRAIN_STREAM + "/questions", i);
            for (String attribute : ShapesVqa.ATTRIBUTES) {
                train.add(new VqaItem(image.id() + "/" + attribute, labelled, rng.pick(ShapesVqa.TEMPLATES.get(attribute)),
                        label(image, attribute), attribute, VqaItem.TEMPLATE));
            }
        }
        List<VqaItem> holdout = new ArrayList<>();
        for (int i = 0; i < holdoutImages.size(); i++) {
            holdout.addAll(holdoutQuestions(seed, holdoutImages.get(i), i));
        }
        return new ShapesVqaWorld(seed, trainImages, holdoutImages, train, holdout);
    }

    /**
     * @param seed the world's seed
     * @param stream the stream's name
     * @param count how many images
     * @return the stream's first {@code count} images (id {@code <stream>-<index>})
     */
    static List<ShapesImage> images(long seed, String stream, int count) {
        List<ShapesImage> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(image(seed, stream, i));
        }
        return out;
    }

    /**
     * @param seed the world's seed
     * @param stream the stream's name
     * @param index the image's index
     * @return image {@code index} of the balanced stream
     */
    static ShapesImage image(long seed, String stream, long index) {
        int c = ShapesGenerator.balanced(seed, stream, index, combinations());
        int materials = ShapesLexicon.MATERIALS.size();
        int textures = ShapesLexicon.TEXTURES.size();
        int shapes = ShapesLexicon.SHAPES.size();
        return ShapesGenerator.render(stream + "-" + index, ShapesRng.derive(seed, stream, index),
                ShapesLexicon.COLOURS.get(c / (shapes * textures * materials)).name(),
                ShapesLexicon.SHAPES.get((c / (textures * materials)) % shapes).name(),
                ShapesLexicon.TEXTURES.get((c / materials) % textures).name(),
                ShapesLexicon.MATERIALS.get(c % materials), Optional.empty());
    }

    /** The held-out questions of one image: per attribute a template, a paraphrase, a true and a false yes/no. */
    private static List<VqaItem> holdoutQuestions(long seed, ShapesImage image, int index) {
        LabelledImage labelled = labelled(image);
        ShapesRng rng = ShapesRng.stream(seed, HOLDOUT_STREAM + "/questions", index);
        List<VqaItem> out = new ArrayList<>();
        for (String attribute : ShapesVqa.ATTRIBUTES) {
            String value = label(image, attribute);
            String id = image.id() + "/" + attribute;
            out.add(new VqaItem(id + "/template", labelled, rng.pick(ShapesVqa.TEMPLATES.get(attribute)), value,
                    attribute, VqaItem.TEMPLATE));
            out.add(new VqaItem(id + "/paraphrase", labelled, rng.pick(ShapesVqa.PARAPHRASES.get(attribute)), value,
                    attribute, VqaItem.PARAPHRASE));
            int forms = ShapesVqa.YES_NO.get(attribute).size();
            out.add(new VqaItem(id + "/yes", labelled, ShapesVqa.yesNo(attribute, value, rng.nextInt(forms)),
                    ShapesVqa.YES, attribute, VqaItem.YES_NO));
            List<String> others = new ArrayList<>(ShapesVqa.values(attribute));
            others.remove(value);
            out.add(new VqaItem(id + "/no", labelled, ShapesVqa.yesNo(attribute, rng.pick(others), rng.nextInt(forms)),
                    ShapesVqa.NO, attribute, VqaItem.YES_NO));
        }
        return out;
    }

    /**
     * @param image an object image of this world
     * @param attribute one of {@link ShapesVqa#ATTRIBUTES}
     * @return its value of the attribute
     * @throws IllegalArgumentException when the image lacks it
     */
    public static String label(ShapesImage image, String attribute) {
        Optional<String> value = switch (attribute) {
            case "colour" -> image.colour();
            case "shape" -> image.shape();
            case "texture" -> image.texture();
            case "material" -> image.material();
            default -> Optional.empty();
        };
        return value.orElseThrow(() -> new IllegalArgumentException("image " + image.id() + " has no " + attribute));
    }

    /**
     * @param image an image of this world
     * @return it as the data contract's labelled image (labels colour, shape, texture, material)
     */
    public static LabelledImage labelled(ShapesImage image) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String attribute : ShapesVqa.ATTRIBUTES) {
            labels.put(attribute, label(image, attribute));
        }
        return new LabelledImage(image.id(), labels, ShapesLexicon.CHANNELS, ShapesLexicon.SIZE, ShapesLexicon.SIZE,
                image.pixels());
    }

    /**
     * @param split {@value #TRAIN} or {@value #HOLDOUT}
     * @return its questions
     * @throws IllegalArgumentException naming the splits
     */
    public List<VqaItem> questions(String split) {
        return switch (split) {
            case TRAIN -> train;
            case HOLDOUT -> holdout;
            default -> throw new IllegalArgumentException("unknown split '" + split + "'; the question splits are "
                    + TRAIN + ", " + HOLDOUT);
        };
    }

    /**
     * @param split {@value #TRAIN} or {@value #HOLDOUT}
     * @return its images
     * @throws IllegalArgumentException naming the splits
     */
    public List<ShapesImage> images(String split) {
        return switch (split) {
            case TRAIN -> trainImages;
            case HOLDOUT -> holdoutImages;
            default -> throw new IllegalArgumentException("unknown split '" + split + "'; the image splits are "
                    + TRAIN + ", " + HOLDOUT);
        };
    }
}

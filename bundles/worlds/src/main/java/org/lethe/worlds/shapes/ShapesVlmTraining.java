package org.lethe.worlds.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.api.run.RunContext;

/**
 * Trains and measures {@code shapes-vlm}, the shapes-vqa world's vision-language model
 * (research/methods-gen.md Part B §7).
 *
 * <p>Training pairs are drawn afresh at every step from the training images, deterministic from the
 * run's seed: an image, an attribute (uniform), then either a training template
 * ({@link ShapesVqa#TEMPLATES}) answered with the image's value, or, at {@link Recipe#yesNoRate()},
 * a yes/no form ({@link ShapesVqa#YES_NO}) about the image's value (answer {@code yes}) or another
 * value of the attribute (answer {@code no}), half each. Word dropout replaces each word that is not
 * a key word or a value by a word outside the vocabulary at {@link Recipe#unknownWordRate()}, and at the
 * same rate inserts 1 to (8 − length) such words at random places, so the {@code <unk>} token is
 * trained, key words move, and a paraphrase's unknown words and word order do not derail the model. The
 * paraphrases are never trained on. At {@link Recipe#frameMixRate()}, a template question is asked in
 * the frame of a random attribute's template with the key words swapped for the asked attribute's
 * ({@link ShapesVqa#KEY_WORDS}), so the model reads the attribute from the key word, not the frame. The loss is the answer cross-entropy; AdamW with a cosine decay
 * of the learning rate, through the framework's optimisation loop.
 */
public final class ShapesVlmTraining {

    /** The word that word dropout puts in (outside every question vocabulary of the world). */
    public static final String DROPPED = "unknown";

    private ShapesVlmTraining() {
    }

    /**
     * A training recipe.
     *
     * @param steps optimisation steps, ≥ 1
     * @param batchSize pairs per step, ≥ 1
     * @param learningRate AdamW's learning rate at the start
     * @param finalLearningRate the learning rate at the last step (cosine decay); equal for a fixed rate
     * @param weightDecay AdamW's weight decay
     * @param yesNoRate the share of yes/no questions among the pairs, in [0, 1]
     * @param unknownWordRate the word-dropout rate, in [0, 1)
     * @param frameMixRate the share of template questions asked in another attribute's template frame, in [0, 1]
     */
    public record Recipe(int steps, int batchSize, float learningRate, float finalLearningRate, float weightDecay,
            double yesNoRate, double unknownWordRate, double frameMixRate) {

        /** Checks the ranges, naming the field. */
        public Recipe {
            if (steps < 1 || batchSize < 1) {
                throw new IllegalArgumentException("steps and batchSize must be ≥ 1, not " + steps + " and " + batchSize);
            }
            if (!(learningRate > 0) || !(finalLearningRate >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("learningRate must be > 0, finalLearningRate and weightDecay ≥ 0");
            }
            if (!(yesNoRate >= 0 && yesNoRate <= 1) || !(unknownWordRate >= 0 && unknownWordRate < 1)
                    || !(frameMixRate >= 0 && frameMixRate <= 1)) {
                throw new IllegalArgumentException("yesNoRate and frameMixRate must be in [0, 1] and unknownWordRate in"
                        + " [0, 1), not " + yesNoRate + ", " + frameMixRate + " and " + unknownWordRate);
            }
        }
    }

    /**
     * @return the architecture settings of {@code shapes-vlm}: the question vocabulary
     *     ({@link ShapesVqa#vocabulary()}) and the answers ({@link ShapesVqa#ANSWERS}); sizes are the
     *     architecture's defaults (research §7)
     */
    public static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", String.join(" ", ShapesVqa.vocabulary()));
        settings.put("answers", String.join(" ", ShapesVqa.ANSWERS));
        settings.put("maxQuestionTokens", Integer.toString(ShapesVqa.MAX_WORDS));
        // 5 × 5 convolutions: measured on seed 0, held-out shape questions 0.971 against 0.941 with 3 × 3
        settings.put("kernel", "5");
        return settings;
    }

    /**
     * Trains the model on pairs drawn from the images.
     *
     * @param model the model
     * @param images the training images (of the shapes-vqa world: every attribute labelled)
     * @param recipe the recipe
     * @param run the run (seed, optimisation loop)
     * @return the loss of every step
     */
    public static float[] train(VisionLanguageModel model, List<ShapesImage> images, Recipe recipe, RunContext run) {
        if (!model.answers().equals(ShapesVqa.ANSWERS)) {
            throw new IllegalArgumentException("the model's answers " + model.answers() + " are not the world's "
                    + ShapesVqa.ANSWERS);
        }
        int per = ShapesLexicon.PIXELS;
        float[] pixels = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            float[] p = images.get(i).pixels();
            for (int j = 0; j < per; j++) {
                pixels[i * per + j] = 2f * p[j] - 1f;
            }
        }
        Random random = new Random(run.seed() ^ 0x76716174726169L); // "vqatrai"
        Set<String> kept = ShapesVqa.protectedWords();
        Tracker tracker = ShapesWorldService.cosine(recipe.learningRate(), recipe.finalLearningRate(), recipe.steps());
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(tracker).optWeightDecays(recipe.weightDecay()).build();
        int size = ShapesLexicon.SIZE;
        return run.optimise(model.model(), adamW, recipe.steps(), (step, scope) -> {
            int n = recipe.batchSize();
            float[] x = new float[n * per];
            long[] targets = new long[n];
            List<String> questions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int index = random.nextInt(images.size());
                ShapesImage image = images.get(index);
                System.arraycopy(pixels, index * per, x, i * per, per);
                String attribute = ShapesVqa.ATTRIBUTES.get(random.nextInt(ShapesVqa.ATTRIBUTES.size()));
                String value = ShapesVqaWorld.label(image, attribute);
                String question;
                String answer;
                if (random.nextDouble() < recipe.yesNoRate()) {
                    boolean truth = random.nextBoolean();
                    List<String> values = ShapesVqa.values(attribute);
                    String asked = value;
                    if (!truth) {
                        List<String> others = new ArrayList<>(values);
                        others.remove(value);
                        asked = others.get(random.nextInt(others.size()));
                    }
                    question = ShapesVqa.yesNo(attribute, asked, random.nextInt(ShapesVqa.YES_NO.get(attribute).size()));
                    answer = truth ? ShapesVqa.YES : ShapesVqa.NO;
                } else if (random.nextDouble() < recipe.frameMixRate()) {
                    question = mixedFrame(attribute, random);
                    answer = value;
                } else {
                    List<String> templates = ShapesVqa.TEMPLATES.get(attribute);
                    question = templates.get(random.nextInt(templates.size()));
                    answer = value;
                }
                questions.add(dropWords(question, kept, recipe.unknownWordRate(), random));
                targets[i] = ShapesVqa.ANSWERS.indexOf(answer);
            }
            NDArray logits = model.logits(scope.create(x, new Shape(n, 3, size, size)), questions, true);
            return logits.logSoftmax(1).gather(scope.create(targets).reshape(n, 1), 1).neg().mean();
        });
    }

    /**
     * A template of a random attribute with its key words replaced by key words of {@code attribute}
     * ("which finish does the object have" asking for the colour becomes "which hue does the object
     * have"), so that a question's frame tells nothing and its key word everything.
     */
    private static String mixedFrame(String attribute, Random random) {
        String source = ShapesVqa.ATTRIBUTES.get(random.nextInt(ShapesVqa.ATTRIBUTES.size()));
        List<String> templates = ShapesVqa.TEMPLATES.get(source);
        List<String> words = new ArrayList<>(ShapesVqa.words(templates.get(random.nextInt(templates.size()))));
        List<String> from = ShapesVqa.KEY_WORDS.get(source);
        List<String> to = ShapesVqa.KEY_WORDS.get(attribute);
        for (int i = 0; i < words.size(); i++) {
            if (from.contains(words.get(i))) {
                words.set(i, to.get(random.nextInt(to.size())));
            }
        }
        return String.join(" ", words);
    }

    private static String dropWords(String question, Set<String> kept, double rate, Random random) {
        if (rate <= 0) {
            return question;
        }
        List<String> words = new ArrayList<>(ShapesVqa.words(question));
        for (int i = 0; i < words.size(); i++) {
            if (!kept.contains(words.get(i)) && random.nextDouble() < rate) {
                words.set(i, DROPPED);
            }
        }
        int free = ShapesVqa.MAX_WORDS - words.size();
        if (free > 0 && random.nextDouble() < rate) {
            for (int k = 1 + random.nextInt(free); k > 0; k--) {
                words.add(random.nextInt(words.size() + 1), DROPPED);
            }
        }
        return String.join(" ", words);
    }

    /**
     * The model's accuracy on questions, by form and by attribute.
     *
     * @param accuracyByForm form ({@code template}, {@code paraphrase}, {@code yes-no}) → the share
     *     answered right (only the forms present)
     * @param templateByAttribute attribute → the share of its template questions answered right
     * @param questions how many questions were asked
     */
    public record Accuracy(Map<String, Double> accuracyByForm, Map<String, Double> templateByAttribute, int questions) {

        /**
         * @param form a form
         * @return its accuracy, NaN when no question had it
         */
        public double of(String form) {
            return accuracyByForm.getOrDefault(form, Double.NaN);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            accuracyByForm.forEach((form, value) -> out.append(out.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.4f", form, value)));
            out.append(" (templates by attribute:");
            templateByAttribute.forEach((a, value) -> out.append(String.format(Locale.ROOT, " %s %.4f", a, value)));
            return out.append("; ").append(questions).append(" questions)").toString();
        }
    }

    /**
     * Asks the model every question (no gradients) and counts the right answers.
     *
     * @param model the model
     * @param items the questions
     * @param manager where the batches' arrays live (each batch in a sub-scope)
     * @return the accuracy by form and by attribute
     */
    public static Accuracy accuracy(VisionLanguageModel model, List<VqaItem> items, NDManager manager) {
        Map<String, int[]> byForm = new LinkedHashMap<>();
        Map<String, int[]> byAttribute = new LinkedHashMap<>();
        int batch = 256;
        for (int from = 0; from < items.size(); from += batch) {
            List<VqaItem> chunk = items.subList(from, Math.min(items.size(), from + batch));
            long[] expected = model.answerIndices(chunk);
            long[] predicted;
            try (NDManager scope = manager.newSubManager()) {
                NDArray logits = model.logits(model.images(chunk.stream().map(VqaItem::image).toList(), scope),
                        chunk.stream().map(VqaItem::question).toList(), false);
                predicted = logits.argMax(1).toLongArray();
            }
            for (int i = 0; i < chunk.size(); i++) {
                VqaItem item = chunk.get(i);
                int right = predicted[i] == expected[i] ? 1 : 0;
                int[] f = byForm.computeIfAbsent(item.form(), k -> new int[2]);
                f[0] += right;
                f[1]++;
                if (item.form().equals(VqaItem.TEMPLATE)) {
                    int[] a = byAttribute.computeIfAbsent(item.attribute(), k -> new int[2]);
                    a[0] += right;
                    a[1]++;
                }
            }
        }
        Map<String, Double> forms = new LinkedHashMap<>();
        for (String form : List.of(VqaItem.TEMPLATE, VqaItem.PARAPHRASE, VqaItem.YES_NO)) {
            int[] f = byForm.get(form);
            if (f != null) {
                forms.put(form, f[0] / (double) f[1]);
            }
        }
        Map<String, Double> attributes = new LinkedHashMap<>();
        byAttribute.forEach((a, f) -> attributes.put(a, f[0] / (double) f[1]));
        return new Accuracy(forms, attributes, items.size());
    }
}

package org.lethe.worlds.shapes;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lethe.api.data.VqaItem;
import org.lethe.api.run.RunContext;
import org.lethe.core.run.WorldsRunContexts;
import org.lethe.models.vision.VisionLanguageConfig;
import org.lethe.models.vision.VisionLanguageTransformer;

/**
 * Measures the shapes-vlm recipe on the full-size world (not a test): trains the model on the
 * default world's training images and prints its accuracy by form on the holdout questions and the
 * training time. Arguments: seed, steps, [batch], [lr], [yesNoRate], [unknownWordRate],
 * [trainPerCombination], [frameMixRate], then architecture settings as key=value. Run with one
 * intra-op thread, like the benchmarks (BENCHMARKS.md).
 */
public final class ShapesVlmMeasurement {

    private ShapesVlmMeasurement() {
    }

    /**
     * @param args seed, steps, optional batch size, learning rate, yes/no rate, word-dropout rate, training
     *     images per combination, frame-mixing rate, then architecture settings
     */
    public static void main(String[] args) {
        long seed = Long.parseLong(args[0]);
        int steps = Integer.parseInt(args[1]);
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        float lr = args.length > 3 ? Float.parseFloat(args[3]) : 2e-3f;
        double yesNo = args.length > 4 ? Double.parseDouble(args[4]) : 0.4;
        double unknown = args.length > 5 ? Double.parseDouble(args[5]) : 0.1;
        int trainPer = args.length > 6 ? Integer.parseInt(args[6]) : ShapesVqaWorld.DEFAULT_TRAIN_PER_COMBINATION;
        double frameMix = args.length > 7 ? Double.parseDouble(args[7]) : 0.5;
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>(ShapesVlmTraining.settings());
        for (int i = 8; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            settings.put(kv[0], kv[1]);
        }
        long t0 = System.nanoTime();
        ShapesVqaWorld world = ShapesVqaWorld.generate(seed, trainPer, ShapesVqaWorld.DEFAULT_HOLDOUT_PER_COMBINATION);
        double generated = (System.nanoTime() - t0) / 1e9;
        List<String> log = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
                VisionLanguageTransformer model = new VisionLanguageTransformer(
                        VisionLanguageConfig.from(settings), seed)) {
            RunContext run = WorldsRunContexts.context(seed, manager, log);
            long start = System.nanoTime();
            float[] losses = ShapesVlmTraining.train(model, world.trainImages(),
                    new ShapesVlmTraining.Recipe(steps, batch, lr, lr / 100, 0.01f, yesNo, unknown, frameMix), run);
            double seconds = (System.nanoTime() - start) / 1e9;
            ShapesVlmTraining.Accuracy holdout = ShapesVlmTraining.accuracy(model, world.holdout(), manager);
            List<VqaItem> someTrain = world.train().subList(0, Math.min(4096, world.train().size()));
            ShapesVlmTraining.Accuracy train = ShapesVlmTraining.accuracy(model, someTrain, manager);
            System.out.printf(Locale.ROOT, "seed %d steps %d batch %d lr %s yes/no %s unknown %s params %d: world %.1f s,"
                    + " training %.1f s, last loss %.4f%n  holdout: %s%n  train:   %s%n", seed, steps, batch, lr, yesNo,
                    unknown, model.parameterCount(), generated, seconds, losses[losses.length - 1], holdout, train);
            // accuracy per question text of the held-out paraphrases and yes/no forms, and the shape confusions
            java.util.Map<String, List<VqaItem>> byQuestion = new java.util.TreeMap<>();
            for (VqaItem item : world.holdout()) {
                if (!item.form().equals(VqaItem.TEMPLATE)) {
                    String key = item.form().equals(VqaItem.YES_NO) ? item.attribute() + " yes/no " + item.answer()
                            : item.question();
                    byQuestion.computeIfAbsent(key, k -> new ArrayList<>()).add(item);
                }
            }
            byQuestion.forEach((q, items) -> System.out.printf(Locale.ROOT, "  %-40s %.4f%n", q,
                    ShapesVlmTraining.accuracy(model, items, manager).accuracyByForm().values().iterator().next()));
            for (String shape : ShapesVqa.values("shape")) {
                for (String material : ShapesVqa.values("material")) {
                    List<VqaItem> items = world.holdout().stream().filter(i -> i.form().equals(VqaItem.TEMPLATE)
                            && i.attribute().equals("shape") && i.answer().equals(shape)
                            && i.image().labels().get("material").equals(material)).toList();
                    System.out.printf(Locale.ROOT, "  shape %-9s %-9s %.4f%n", shape, material,
                            ShapesVlmTraining.accuracy(model, items, manager).of(VqaItem.TEMPLATE));
                }
            }
        }
    }
}

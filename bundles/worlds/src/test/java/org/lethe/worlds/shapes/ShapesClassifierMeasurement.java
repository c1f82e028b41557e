package org.lethe.worlds.shapes;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.run.RunContext;
import org.lethe.core.run.WorldsRunContexts;
import org.lethe.models.classifier.ClassifierConfig;
import org.lethe.models.classifier.ConceptClassifierModel;

/**
 * Measures the classifier recipe on the full-size world (not a test): trains {@code shapes-clf} on
 * the default world's {@code classifier_train} images and prints its accuracy per head on the
 * {@code classifier_holdout} images and the training time. Arguments: seed, epochs, [batch], [lr].
 * Run with one intra-op thread, like the benchmarks (BENCHMARKS.md).
 */
public final class ShapesClassifierMeasurement {

    private ShapesClassifierMeasurement() {
    }

    /**
     * @param args seed, epochs, optional batch size and learning rate
     */
    public static void main(String[] args) {
        long seed = Long.parseLong(args[0]);
        int epochs = Integer.parseInt(args[1]);
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        float lr = args.length > 3 ? Float.parseFloat(args[3]) : 1e-3f;
        ShapesWorld world = ShapesGenerator.generate(seed);
        List<String> log = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
                ConceptClassifierModel model = new ConceptClassifierModel(
                        ClassifierConfig.from(ShapesClassifierTraining.settings()), seed)) {
            RunContext run = WorldsRunContexts.context(seed, manager, log);
            ConceptClassifier classifier = model;
            long start = System.nanoTime();
            float[] losses = ShapesClassifierTraining.train(classifier, world.images(ShapesWorld.CLASSIFIER_TRAIN),
                    epochs, batch, lr, run);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> holdout = ShapesClassifierTraining.accuracy(classifier,
                    world.images(ShapesWorld.CLASSIFIER_HOLDOUT), manager);
            Map<String, Double> train = ShapesClassifierTraining.accuracy(classifier,
                    world.images(ShapesWorld.CLASSIFIER_TRAIN), manager);
            System.out.printf(Locale.ROOT, "seed %d epochs %d batch %d lr %s params %d: %d steps, %.1f s, last loss %.4f%n"
                    + "  held-out: %s%n  train:    %s%n", seed, epochs, batch, lr, model.parameterCount(),
                    losses.length, seconds, losses[losses.length - 1], ShapesClassifierTraining.format(holdout),
                    ShapesClassifierTraining.format(train));
        }
    }
}

package org.lethe.evaluation.vision;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Set;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.vision.VisionLanguageModel;

/**
 * Test scaffolding: an inference-time edit that stops a model answering a concept, as an intervention
 * hook does. At the {@code encoder} layer it moves the summary token's input against the direction
 * that raises the concept's log-probability most (the gradient, averaged over the items), by the
 * smallest power-of-two distance at which none of the items is answered with the concept any more.
 */
final class Suppression {

    private Suppression() {
    }

    /**
     * @param model the model, answering the concept on some of the items
     * @param items the questions whose gold answer is the concept
     * @param concept the concept
     * @return the installed hook (close to remove it)
     */
    static AutoCloseable install(VisionLanguageModel model, List<VqaItem> items, String concept) throws Exception {
        float[] direction = direction(model, items, concept);
        for (float distance = 1; distance <= 1024; distance *= 2) {
            AutoCloseable hook = model.hook("encoder", shift(direction, -distance));
            if (rate(model, items, concept) == 0) {
                return hook;
            }
            hook.close();
        }
        throw new AssertionError("no shift suppresses " + concept);
    }

    /**
     * @return the share of the items answered with the concept
     */
    static double rate(VisionLanguageModel model, List<VqaItem> items, String concept) {
        double[] hits = VqaData.conceptAnswers(model, VqaData.answers(model, items), Set.of(concept));
        double sum = 0;
        for (double h : hits) {
            sum += h;
        }
        return sum / hits.length;
    }

    private static float[] direction(VisionLanguageModel model, List<VqaItem> items, String concept) throws Exception {
        int width = model.width();
        try (NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray delta = scope.zeros(new Shape(1, 1, width));
            delta.setRequiresGradient(true);
            NDArray gradient;
            try (AutoCloseable probe = model.hook("encoder", x -> x.add(first(x).mul(delta)));
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(model.images(items.stream().map(VqaItem::image).toList(), scope),
                        items.stream().map(VqaItem::question).toList(), true);
                NDArray loss = logits.logSoftmax(1).get(":, " + model.answers().indexOf(concept)).mean();
                collector.backward(loss);
            }
            gradient = delta.getGradient();
            float[] g = gradient.toFloatArray();
            double norm = 0;
            for (float v : g) {
                norm += v * v;
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < g.length; i++) {
                g[i] *= scale;
            }
            return g;
        }
    }

    private static java.util.function.UnaryOperator<NDArray> shift(float[] direction, float distance) {
        return x -> {
            NDArray d = x.getManager().create(direction, new Shape(1, 1, direction.length)).mul(distance);
            return x.add(first(x).mul(d));
        };
    }

    /** @return (1, tokens, 1): 1 at the summary token, 0 elsewhere, in x's scope */
    private static NDArray first(NDArray x) {
        int tokens = (int) x.getShape().get(1);
        float[] mask = new float[tokens];
        mask[0] = 1;
        return x.getManager().create(mask, new Shape(1, tokens, 1));
    }
}

package org.lethe.itests.behaviour;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.lethe.api.data.QaItem;
import org.lethe.models.transformer.WordTransformerModel;

/**
 * Gradients of a loss at a model version, computed by the tests themselves (not by a method), for
 * comparing a method's step with the step its objective asks for.
 *
 * <p>DJL 0.36's scalar operations ({@code NDArray.mul(Number)}, {@code div(Number)}) create the
 * scalar over a direct buffer without copying it and close it right after the operation, while
 * autograd keeps it for the backward pass; a garbage collection between forward and backward frees
 * that memory and the gradient reads whatever is there then ({@link GradientIntegrityTest}). The
 * model's own attention scaling is such an operation. The weights below are therefore arrays held
 * by the step's scope, and {@link #stable} computes a gradient until two computations agree bit for bit.
 */
final class Gradients {

    private Gradients() {
    }

    /**
     * ∇θ of a loss at a model, by parameter name.
     *
     * @param lm the model (its parameters get gradients; nothing is updated)
     * @param loss builds the scalar loss in the given scope
     * @param collectGarbageBeforeBackward whether to run the garbage collector between forward and backward
     * @return the gradient of every parameter
     */
    static Map<String, float[]> of(WordTransformerModel lm, BiFunction<WordTransformerModel, NDManager, NDArray> loss,
            boolean collectGarbageBeforeBackward) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Trainer trainer = lm.model().newTrainer(new DefaultTrainingConfig(Loss.l2Loss()));
                NDManager scope = lm.model().getNDManager().newSubManager()) {
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray value = loss.apply(lm, scope);
                if (collectGarbageBeforeBackward) {
                    System.gc();
                    System.gc();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                collector.backward(value);
            }
            for (Pair<String, Parameter> p : lm.model().getBlock().getParameters()) {
                out.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
            }
        }
        return out;
    }

    /**
     * A gradient computed until two consecutive computations (each on a freshly loaded copy) agree
     * bit for bit: a computation hit by the use-after-free above does not pass.
     *
     * @param load loads a fresh copy of the model
     * @param loss builds the loss
     * @return the gradient
     * @throws IllegalStateException when four computations never agree twice in a row
     */
    static Map<String, float[]> stable(java.util.function.Supplier<WordTransformerModel> load,
            BiFunction<WordTransformerModel, NDManager, NDArray> loss) {
        Map<String, float[]> previous = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            Map<String, float[]> current;
            try (WordTransformerModel lm = load.get()) {
                current = of(lm, loss, false);
            }
            if (previous != null && same(previous, current)) {
                return current;
            }
            previous = current;
        }
        throw new IllegalStateException("four gradient computations of the same loss at the same weights never agreed"
                + " twice in a row (see GradientIntegrityTest)");
    }

    /** @return whether two gradients are equal bit for bit */
    static boolean same(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String key : a.keySet()) {
            if (!Arrays.equals(a.get(key), b.get(key))) {
                return false;
            }
        }
        return true;
    }

    /** @return the largest |difference| between two gradients, coordinate by coordinate */
    static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
        double max = 0;
        for (String key : a.keySet()) {
            float[] x = a.get(key);
            float[] y = b.get(key);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs((double) x[i] - y[i]));
            }
        }
        return max;
    }

    /** @return the largest |value| of a gradient (NaN if any is NaN) */
    static double maxAbs(Map<String, float[]> g) {
        double max = 0;
        for (float[] values : g.values()) {
            for (float v : values) {
                if (Float.isNaN(v)) {
                    return Double.NaN;
                }
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    /**
     * The mean answer NLL of a set over micro-batches, each weighted by its share of the set (IAU's
     * accumulation, methods-llm.md §1.4), with the weights as arrays held by the scope.
     *
     * @param lm the model
     * @param items the set
     * @param microBatch items per micro-batch
     * @param scope where the arrays live
     * @return the scalar loss
     */
    static NDArray meanNll(WordTransformerModel lm, List<QaItem> items, int microBatch, NDManager scope) {
        NDArray total = null;
        for (int from = 0; from < items.size(); from += microBatch) {
            List<QaItem> part = items.subList(from, Math.min(items.size(), from + microBatch));
            NDArray weight = scope.create((float) part.size() / items.size());
            NDArray nll = lm.answerLoss(lm.encode(part.stream().map(QaItem::question).toList(),
                    part.stream().map(QaItem::answer).toList(), scope), true).mul(weight);
            total = total == null ? nll : total.add(nll);
        }
        return total;
    }
}

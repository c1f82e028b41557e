package org.lethe.worlds.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The moving average's math on a small linear model: the warm-up decay, the averages against values
 * computed by hand, the trained weights untouched, and the averages written into a model.
 */
class ExponentialMovingAverageTest {

    /** A linear model 3 → 2 (a 2×3 weight and a bias of 2), initialised from a fixed seed. */
    private static Model linear(String name) {
        Model model = Model.newInstance(name);
        Linear block = Linear.builder().setUnits(2).build();
        model.setBlock(block);
        model.getNDManager().getEngine().setRandomSeed(5);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3));
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
        return model;
    }

    private static Map<String, float[]> values(Model model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static void overwrite(NDArray target, float[] value) {
        target.setRequiresGradient(false);
        target.set(value);
        target.setRequiresGradient(true);
    }

    @Test
    void warmUpDecay() {
        try (Model model = linear("decay"); ExponentialMovingAverage ema = ExponentialMovingAverage.of(model, 0.999f)) {
            assertEquals(0.1f, ema.decayAt(0), 1e-7f);
            assertEquals(2f / 11f, ema.decayAt(1), 1e-7f);
            assertEquals(991f / 1000f, ema.decayAt(990), 1e-7f);
            assertEquals(0.999f, ema.decayAt(10_000), 1e-7f);
        }
        try (Model model = linear("bad")) {
            assertThrows(IllegalArgumentException.class, () -> ExponentialMovingAverage.of(model, 1f));
            assertThrows(IllegalArgumentException.class, () -> ExponentialMovingAverage.of(model, 0f));
        }
    }

    /** Three updates towards set weights: ψ_k = d_k ψ_{k−1} + (1 − d_k) θ_k with d_k = min(0.5, (1+k)/(10+k)). */
    @Test
    void averagesEqualTheHandComputedValues() {
        try (Model model = linear("hand"); ExponentialMovingAverage ema = ExponentialMovingAverage.of(model, 0.5f)) {
            Map<String, float[]> initial = values(model);
            Map<String, double[]> expected = new LinkedHashMap<>();
            initial.forEach((name, v) -> {
                double[] d = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                expected.put(name, d);
            });
            double[] decays = {0.1, 2.0 / 11.0, 0.25};
            for (int k = 0; k < 3; k++) {
                for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                    float[] theta = initial.get(p.getKey()).clone();
                    for (int i = 0; i < theta.length; i++) {
                        theta[i] = (k + 1) * (i - 1.5f) + 0.25f * k;
                    }
                    overwrite(p.getValue().getArray(), theta);
                    ema.update(p.getValue().getId(), p.getValue().getArray());
                    double[] psi = expected.get(p.getKey());
                    for (int i = 0; i < psi.length; i++) {
                        psi[i] = decays[k] * psi[i] + (1 - decays[k]) * theta[i];
                    }
                    assertEquals(k + 1, ema.updates(p.getValue().getId()));
                }
            }
            // decay 0.5 caps the warm-up from update 1 on: (1+1)/(10+1) < 0.5, so the decays are 0.1, 2/11, 3/12
            ema.averages().forEach((name, average) -> {
                float[] got = average.toFloatArray();
                double[] want = expected.get(name);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(want[i], got[i], 1e-5, name + "[" + i + "]");
                }
                assertFalse(average.hasGradient(), name);
            });
        }
    }

    /**
     * The wrapped optimiser trains the weights exactly as the bare one does (the average never
     * writes into them), and the average follows the trained weights; copyTo writes it into a model.
     */
    @Test
    void theWrappedOptimiserLeavesTheTrainingAloneAndCopyToWritesTheAverages() {
        try (Model bare = linear("bare"); Model averaged = linear("averaged"); Model target = linear("target");
                NDManager data = NDManager.newBaseManager()) {
            Map<String, float[]> start = values(bare);
            for (Pair<String, Parameter> p : averaged.getBlock().getParameters()) {
                overwrite(p.getValue().getArray(), start.get(p.getKey()));
            }
            try (ExponentialMovingAverage ema = ExponentialMovingAverage.of(averaged, 0.9f)) {
                wrappedTraining(bare, averaged, target, data, ema);
            }
        }
    }

    private static void wrappedTraining(Model bare, Model averaged, Model target, NDManager data,
            ExponentialMovingAverage ema) {
        {
            Optimizer plain = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build();
            Optimizer wrapped = ema.wrap(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
            NDArray x = data.create(new float[] {1f, -2f, 0.5f, 0.3f, 0.7f, -1f}, new Shape(2, 3));
            Map<String, double[]> expected = new LinkedHashMap<>();
            values(averaged).forEach((name, v) -> {
                double[] d = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                expected.put(name, d);
            });
            for (int k = 0; k < 4; k++) {
                step(bare, plain, x);
                step(averaged, wrapped, x);
                Map<String, float[]> trained = values(averaged);
                double d = Math.min(0.9, (1.0 + k) / (10.0 + k));
                values(bare).forEach((name, v) -> assertArrayEquals(v, trained.get(name), name));
                expected.forEach((name, psi) -> {
                    float[] theta = trained.get(name);
                    for (int i = 0; i < psi.length; i++) {
                        psi[i] = d * psi[i] + (1 - d) * theta[i];
                    }
                });
            }
            ema.averages().forEach((name, average) -> {
                float[] got = average.toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    assertEquals(expected.get(name)[i], got[i], 1e-5, name + "[" + i + "]");
                }
            });
            ema.copyTo(target);
            Map<String, float[]> written = values(target);
            ema.averages().forEach((name, average) -> assertArrayEquals(average.toFloatArray(), written.get(name), name));
            for (Pair<String, Parameter> p : target.getBlock().getParameters()) {
                assertEquals(true, p.getValue().getArray().hasGradient(), "gradient recording is restored");
            }
        }
    }

    /** One SGD step on the loss Σ(Wx + b)², gradients zeroed first, the optimiser applied per parameter. */
    private static void step(Model model, Optimizer optimizer, NDArray x) {
        List<Parameter> parameters = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            parameters.add(p.getValue());
        }
        for (Parameter p : parameters) {
            try (NDArray grad = p.getArray().getGradient()) {
                grad.muli(0);
            }
        }
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray input = x.duplicate();
            input.attach(scope);
            try (GradientCollector collector = model.getNDManager().getEngine().newGradientCollector()) {
                NDArray out = model.getBlock().forward(new ai.djl.training.ParameterStore(scope, false),
                        new ai.djl.ndarray.NDList(input), true).singletonOrThrow();
                collector.backward(out.square().sum());
            }
            for (Parameter p : parameters) {
                try (NDArray grad = p.getArray().getGradient()) {
                    optimizer.update(p.getId(), p.getArray(), grad);
                }
            }
        }
    }
}

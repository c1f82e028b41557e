package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;

/**
 * The optimisation loop without DJL's {@code Trainer}: the same updates as the trainer gives, bit
 * for bit, for the optimisers the methods use (Adam with a scaled ε, AdamW with weight decay, SGD);
 * gradients zero at the start of every step; frozen parameters untouched.
 */
class CoreRunContextTest {

    private static final int STEPS = 5;

    /** A small two-layer network on fixed data; the loss is the mean of its squared output. */
    private static Model model(long seed) {
        Model model = Model.newInstance("loop-test");
        SequentialBlock block = new SequentialBlock().add(Linear.builder().setUnits(8).build())
                .add(ai.djl.nn.Activation::tanh).add(Linear.builder().setUnits(3).build());
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(4, 5));
        java.util.Random random = new java.util.Random(seed);
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            float[] values = new float[(int) array.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian() * 0.5f;
            }
            array.set(values);
        }
        return model;
    }

    private static NDArray loss(Model model, int step, NDManager scope) {
        float[] x = new float[20];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i + 3 * step);
        }
        NDArray input = scope.create(x, new Shape(4, 5));
        NDArray out = model.getBlock().forward(new ParameterStore(scope, false), new NDList(input), true).head();
        return out.square().mean();
    }

    private static CoreRunContext context(NDManager manager) {
        return new CoreRunContext(new RunKey("00000000000000aa"), 0, manager, Clock.systemUTC(), new CoreRunContext.Sink() {
            @Override
            public void progress(RunRecord.Progress progress) {
            }

            @Override
            public void log(String line) {
            }
        });
    }

    private static Map<String, float[]> weights(Model model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** The loop as it ran through DJL's Trainer before (LocalParameterServer, trainer.step()). */
    private static float[] trainerLoop(Model model, Optimizer optimizer, NDManager manager) {
        float[] losses = new float[STEPS];
        try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer))) {
            for (int step = 0; step < STEPS; step++) {
                try (NDManager scope = manager.newSubManager()) {
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray loss = loss(model, step, scope);
                        losses[step] = loss.getFloat();
                        collector.backward(loss);
                    }
                    trainer.step();
                }
            }
        }
        return losses;
    }

    private static void sameAsTrainer(Supplier<Optimizer> optimizer) {
        try (Model a = model(7); Model b = model(7); NDManager manager = NDManager.newBaseManager()) {
            float[] expected = trainerLoop(a, optimizer.get(), manager);
            float[] actual = context(manager).optimise(b, optimizer.get(), STEPS, (step, scope) -> loss(b, step, scope));
            assertArrayEquals(expected, actual, "the losses of every step");
            Map<String, float[]> wa = weights(a);
            Map<String, float[]> wb = weights(b);
            for (String name : wa.keySet()) {
                assertArrayEquals(wa.get(name), wb.get(name), "parameter " + name + " after " + STEPS + " steps");
            }
        }
    }

    @Test
    void adamUpdatesExactlyAsDjlsTrainer() {
        // IAU's optimiser: Adam with ε scaled for DJL's bias correction
        sameAsTrainer(() -> Optimizer.adam().optLearningRateTracker(Tracker.fixed(3e-3f))
                .optEpsilon((float) (1e-8 * Math.sqrt(1 - 0.999))).build());
    }

    @Test
    void adamWWithWeightDecayUpdatesExactlyAsDjlsTrainer() {
        // GA, GradDiff and FLAT's optimiser
        sameAsTrainer(() -> Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-2f)).optWeightDecays(0.01f).build());
    }

    @Test
    void sgdUpdatesExactlyAsDjlsTrainer() {
        sameAsTrainer(() -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
    }

    @Test
    void gradientsAreZeroAtTheStartOfEveryStepEvenAfterAStrayBackwardPass() {
        try (Model model = model(3); NDManager manager = NDManager.newBaseManager()) {
            // a backward pass before the loop leaves gradients behind
            try (NDManager scope = manager.newSubManager();
                    GradientCollector collector = model.getNDManager().getEngine().newGradientCollector()) {
                collector.backward(loss(model, 0, scope).mul(scope.create(1000f)));
            }
            List<Float> seen = new ArrayList<>();
            RunContext run = context(manager);
            run.optimise(model, Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build(), STEPS, (step, scope) -> {
                float sum = 0;
                for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        sum += g.abs().sum().getFloat();
                    }
                }
                seen.add(sum);
                return loss(model, step, scope);
            });
            assertEquals(STEPS, seen.size());
            for (int step = 0; step < STEPS; step++) {
                assertEquals(0f, seen.get(step), "Σ|gradient| at the start of step " + step);
            }
        }
    }

    @Test
    void frozenParametersAreLeftAlone() {
        try (Model model = model(5); NDManager manager = NDManager.newBaseManager()) {
            Pair<String, Parameter> frozen = model.getBlock().getParameters().get(0);
            frozen.getValue().freeze(true);
            float[] before = frozen.getValue().getArray().toFloatArray();
            Map<String, float[]> all = weights(model);
            context(manager).optimise(model, Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-2f)).build(), STEPS,
                    (step, scope) -> loss(model, step, scope));
            assertArrayEquals(before, frozen.getValue().getArray().toFloatArray(), "the frozen parameter");
            Map<String, float[]> after = weights(model);
            int changed = 0;
            for (String name : all.keySet()) {
                if (!java.util.Arrays.equals(all.get(name), after.get(name))) {
                    changed++;
                }
            }
            assertEquals(all.size() - 1, changed, "every other parameter moved");
        }
    }

    @Test
    void aLossThatIsNotFiniteFailsTheRunAsDiverged() {
        try (Model model = model(1); NDManager manager = NDManager.newBaseManager()) {
            LetheException e = assertThrows(LetheException.class, () -> context(manager).optimise(model,
                    Optimizer.adam().build(), 3, (step, scope) -> loss(model, step, scope).mul(scope.create(Float.NaN))));
            assertEquals(true, e.getMessage().contains("diverged"), e.getMessage());
        }
    }
}

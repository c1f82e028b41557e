package org.lethe.method.iau;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.models.tiny.TinyLmArchitecture;

/**
 * The {@code iau} method with gradient restriction on a tiny language model, through a recording
 * run context: restriction steps first (their loss as progress at step 0, cancellation), then exactly one IAU step with
 * zero gradients at its start; off by default; and the restriction step follows ∇ℓ_GR = g + α·H·v̂,
 * not g.
 */
class IauRestrictionTest {

    private static final String VOCABULARY = "who lives in where paris rome oslo lima bern kyiv ann bob cy dee eve fay";
    private static final List<QaItem> FORGET_ITEMS = List.of(QaItem.of("f1", "where lives ann", "paris"),
            QaItem.of("f2", "where lives bob", "rome"));
    private static final List<QaItem> RETAIN_ITEMS = List.of(QaItem.of("r1", "where lives cy", "oslo"),
            QaItem.of("r2", "where lives dee", "lima"), QaItem.of("r3", "where lives eve", "bern"),
            QaItem.of("r4", "where lives fay", "kyiv"));

    @Test
    void restrictionStepsComeFirstThenExactlyOneIauStep() throws Exception {
        try (LoadedModel model = tiny()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            float[] initial = flat(lm);
            Recorder run = new Recorder(lm);
            new Iau().unlearn(task(lm, Map.of("restrictSteps", 3, "learningRate", 1e-2f)), run);
            assertEquals(List.of("progress 0/0", "progress 0/0", "progress 0/0", "optimise 1 step", "progress 1/1"),
                    run.events, "three restriction steps, then one IAU step");
            assertEquals(1, run.optimised.size());
            assertTrue(run.gradientsZeroAtOptimise, "the IAU step starts from zero gradients");
            assertFalse(java.util.Arrays.equals(initial, run.optimised.get(0)), "the restriction training changed the copy");
            assertTrue(run.logged.stream().anyMatch(l -> l.startsWith("gradient restriction: 3 Adam steps")), run.logged.toString());
            assertTrue(run.logged.stream().anyMatch(l -> l.startsWith("gradient restriction step 3/3: loss")),
                    "a log line per restriction step (3 steps): " + run.logged);
        }
    }

    @Test
    void offByDefault() throws Exception {
        try (LoadedModel model = tiny()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            Recorder run = new Recorder(lm);
            new Iau().unlearn(task(lm, Map.of()), run);
            assertEquals(List.of("optimise 1 step", "progress 1/1"), run.events);
            assertEquals(0, run.batchCalls, "no restriction batches drawn: the run's random stream is untouched");
            assertTrue(run.logged.isEmpty(), run.logged.toString());
        }
    }

    @Test
    void cancellationStopsTheRestrictionBeforeTheIauStep() {
        try (LoadedModel model = tiny()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            Recorder run = new Recorder(lm);
            run.cancelAfterProgress = 2;
            assertThrows(CancellationException.class,
                    () -> new Iau().unlearn(task(lm, Map.of("restrictSteps", 100)), run));
            assertEquals(List.of("progress 0/0", "progress 0/0"), run.events);
            for (NDArray p : GradientRestriction.trainable(lm)) {
                assertEquals(0f, p.getGradient().abs().sum().getFloat(), "gradients zeroed after a cancelled restriction");
            }
        }
    }

    /**
     * One restriction step of a fresh Adam is a sign step of size lr against ∇ℓ_GR = g + α·H·v̂ at
     * the start (one batch holding all six items). With α = 1 the curvature term flips the sign of
     * some coordinates relative to g alone; those must follow ∇ℓ_GR.
     */
    @Test
    void aRestrictionStepFollowsTheRestrictedGradient() throws Exception {
        float lr = 1e-3f;
        float alpha = 1f;
        float[] before;
        double[] restricted;
        double[] plain;
        try (LoadedModel model = tiny()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            before = flat(lm);
            List<QaItem> all = new ArrayList<>(FORGET_ITEMS);
            all.addAll(RETAIN_ITEMS);
            List<NDArray> parameters = GradientRestriction.trainable(lm);
            try (NDManager scope = lm.model().getNDManager().newSubManager()) {
                GradientRestriction.Gradient gradient = GradientRestriction.backprop(
                        () -> scope.getEngine().newGradientCollector(), parameters, s -> Iau.meanLoss(lm, all, 64, s));
                restricted = flat(GradientRestriction.restrictedGradient(parameters, alpha, 1e-2f, gradient, scope).gradient());
                plain = flat(gradient.at(scope).gradient());
            }
        }
        try (LoadedModel model = tiny()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            Recorder run = new Recorder(lm);
            new Iau().unlearn(task(lm, Map.of("restrictSteps", 1, "restrictLr", lr, "restrictWeight", alpha,
                    "restrictBatch", 100, "learningRate", 0f)), run);
            float[] after = run.optimised.get(0);
            int checked = 0;
            int flipped = 0;
            for (int i = 0; i < before.length; i++) {
                if (Math.abs(restricted[i]) < 1e-4) {
                    continue;
                }
                checked++;
                double delta = (double) after[i] - before[i];
                assertEquals(-Math.signum(restricted[i]), Math.signum(delta), "coordinate " + i + ": ∇ℓ_GR " + restricted[i]
                        + ", g " + plain[i] + ", Δθ " + delta);
                assertEquals(lr, Math.abs(delta), 0.01 * lr, "coordinate " + i + ": a sign step of size lr");
                if (Math.signum(restricted[i]) != Math.signum(plain[i])) {
                    flipped++;
                }
            }
            System.out.printf("[iau-gr] tiny LM, α = 1: %d coordinates with |∇ℓ_GR| ≥ 1e-4 moved by lr against it; %d of"
                    + " them against g's sign%n", checked, flipped);
            assertTrue(checked > 100, "enough coordinates checked: " + checked);
            assertTrue(flipped > 0, "the curvature term changes the step somewhere");
        }
    }

    private static LoadedModel tiny() {
        return new TinyLmArchitecture().create(Map.of("vocabulary", VOCABULARY), 7);
    }

    private static float[] flat(LanguageModel lm) {
        List<NDArray> parameters = GradientRestriction.trainable(lm);
        List<float[]> parts = new ArrayList<>();
        int size = 0;
        for (NDArray p : parameters) {
            float[] values = p.toFloatArray();
            parts.add(values);
            size += values.length;
        }
        float[] out = new float[size];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static double[] flat(List<NDArray> arrays) {
        List<double[]> parts = new ArrayList<>();
        int size = 0;
        for (NDArray a : arrays) {
            float[] values = a.toFloatArray();
            double[] d = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                d[i] = values[i];
            }
            parts.add(d);
            size += d.length;
        }
        double[] out = new double[size];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** A task over the tiny model with forget and retain data and the given settings over the defaults. */
    private static Task task(LanguageModel lm, Map<String, Object> settings) {
        return new Task() {
            @Override
            public <V> V model(Class<V> view) {
                return view.cast(lm);
            }

            @Override
            public <V> V reference(Class<V> view) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <C> C config(Class<C> type) {
                return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                    if (settings.containsKey(method.getName())) {
                        return settings.get(method.getName());
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    throw new UnsupportedOperationException(method.getName());
                }));
            }

            @Override
            public boolean has(String role) {
                return role.equals(FORGET_ROLE) || role.equals(RETAIN_ROLE);
            }

            @Override
            public DataSet<QaItem> qa(String role) {
                return new DataSet<QaItem>(role, role.equals(FORGET_ROLE) ? FORGET_ITEMS : RETAIN_ITEMS, role);
            }

            @Override
            public DataSet<Document> documents(String role) {
                throw new UnsupportedOperationException();
            }

            @Override
            public DataSet<Concept> concepts(String role) {
                throw new UnsupportedOperationException();
            }

            @Override
            public DataSet<org.lethe.api.data.Prompt> prompts(String role) {
                throw new UnsupportedOperationException();
            }

            @Override
            public DataSet<org.lethe.api.data.LabelledImage> images(String role) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static final String FORGET_ROLE = Task.FORGET;
    private static final String RETAIN_ROLE = Task.RETAIN;

    /**
     * A run context that records what the method asks of it; its optimisation loop is the plain
     * DJL loop (collector, backward, step) the framework's is.
     */
    private static final class Recorder implements RunContext {
        final LanguageModel lm;
        final List<String> events = new ArrayList<>();
        final List<String> logged = new ArrayList<>();
        final List<float[]> optimised = new ArrayList<>();
        final Random random = new Random(0);
        final NDManager manager;
        boolean gradientsZeroAtOptimise = true;
        int batchCalls;
        int progressCalls;
        int cancelAfterProgress = Integer.MAX_VALUE;

        Recorder(LanguageModel lm) {
            this.lm = lm;
            this.manager = lm.model().getNDManager().newSubManager();
        }

        @Override
        public RunKey key() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long seed() {
            return 0;
        }

        @Override
        public Random random() {
            return random;
        }

        @Override
        public NDManager manager() {
            return manager;
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public boolean isCancelled() {
            return progressCalls >= cancelAfterProgress;
        }

        @Override
        public void checkCancelled() {
            if (isCancelled()) {
                throw new CancellationException("test");
            }
        }

        @Override
        public void progress(long step, long totalSteps, double loss) {
            progressCalls++;
            events.add("progress " + step + "/" + totalSteps);
        }

        @Override
        public void log(String message) {
            logged.add(message);
        }

        @Override
        public <T> Batches<T> batches(List<T> items, int batchSize) {
            batchCalls++;
            List<T> order = new ArrayList<>(items);
            int[] next = {0};
            return () -> {
                if (next[0] >= order.size()) {
                    java.util.Collections.shuffle(order, random);
                    next[0] = 0;
                }
                int end = Math.min(order.size(), next[0] + batchSize);
                List<T> batch = List.copyOf(order.subList(next[0], end));
                next[0] = end;
                return batch;
            };
        }

        @Override
        public float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective) {
            events.add("optimise " + steps + " step" + (steps == 1 ? "" : "s"));
            optimised.add(flat(lm));
            for (NDArray p : GradientRestriction.trainable(lm)) {
                gradientsZeroAtOptimise &= p.getGradient().abs().sum().getFloat() == 0f;
            }
            float[] losses = new float[steps];
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer))) {
                for (int step = 0; step < steps; step++) {
                    checkCancelled();
                    try (NDManager scope = manager.newSubManager()) {
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray loss = objective.loss(step, scope);
                            losses[step] = loss.getFloat();
                            collector.backward(loss);
                        }
                        trainer.step();
                        progress(step + 1, steps, losses[step]);
                    }
                }
            }
            return losses;
        }
    }
}

package org.lethe.worlds.shapes;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.world.World.TrainedModel;
import org.lethe.core.run.WorldsRunContexts;
import org.lethe.models.classifier.ClassifierConfig;
import org.lethe.models.classifier.ConceptClassifierModel;
import org.lethe.models.diffusion.TextToImageConfig;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * The full-size training of the shapes world outside the container (not a test): what
 * {@code unlearn:train shapes} runs, through the core's optimisation loop, printing the run's log
 * as it goes. Arguments: seed, output folder, then optional {@code key=value} overrides of
 * {@link ShapesWorldService.Config} (integers, decimals), and optionally
 * {@code checkpoints=2000,2500,...}: generator steps after which the sanity gate is also measured on
 * the moving-average weights (a copy of the model; the run goes on unchanged), to see the gate's
 * curve in one run. The time those measurements take is printed and is part of the generator's
 * logged time, so subtract it for the training time. Run with one intra-op thread.
 */
public final class ShapesWorldTrainingMeasurement {

    private ShapesWorldTrainingMeasurement() {
    }

    /**
     * @param args seed, output folder, overrides
     * @throws Exception when training fails (a failed gate included)
     */
    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        Path output = Files.createDirectories(Path.of(args[1]));
        Map<String, Object> overrides = new HashMap<>();
        TreeSet<Integer> checkpoints = new TreeSet<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv[0].equals("checkpoints")) {
                for (String c : kv[1].split(",")) {
                    checkpoints.add(Integer.parseInt(c.trim()));
                }
                continue;
            }
            Class<?> type = ShapesWorldService.Config.class.getMethod(kv[0]).getReturnType();
            overrides.put(kv[0], type == int.class ? (Object) Integer.parseInt(kv[1])
                    : type == float.class ? (Object) Float.parseFloat(kv[1])
                    : type == String.class ? (Object) kv[1] : (Object) Double.parseDouble(kv[1]));
        }
        List<String> log = new ArrayList<>() {
            @Override
            public boolean add(String line) {
                System.out.println(java.time.Instant.now() + " " + line);
                return super.add(line);
            }
        };
        long start = System.nanoTime();
        long cpuStart = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        ShapesWorldService service = ShapesWorldServices.service(overrides);
        ShapesWorld world = ShapesGenerator.generate(seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            RunContext run = WorldsRunContexts.context(seed, manager, log);
            if (!checkpoints.isEmpty()) {
                run = new Checkpointing(run, checkpoints, world, config(overrides), output);
            }
            List<TrainedModel> trained = service.train(world, output, run);
            long cpuEnd = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getProcessCpuTime() : -1;
            System.out.printf(Locale.ROOT, "done in %.1f s (process CPU %.1f s%s): %s%n", (System.nanoTime() - start) / 1e9,
                    (cpuEnd - cpuStart) / 1e9, run instanceof Checkpointing c
                            ? String.format(Locale.ROOT, "; checkpoint gates took %.1f s of it", c.spentNanos / 1e9) : "",
                    trained.stream().map(TrainedModel::id).toList());
        }
    }

    private static ShapesWorldService.Config config(Map<String, Object> overrides) {
        return (ShapesWorldService.Config) java.lang.reflect.Proxy.newProxyInstance(
                ShapesWorldService.Config.class.getClassLoader(), new Class<?>[] {ShapesWorldService.Config.class},
                (proxy, method, args) -> overrides.containsKey(method.getName()) ? overrides.get(method.getName())
                        : method.getDefaultValue());
    }

    /**
     * The run, except that the generator's optimisation is split at the checkpoints (one optimiser,
     * so its schedule and moments go on as in one call), and after each part the sanity gate is
     * measured on a fresh model holding the moving averages, with the classifier the run saved.
     */
    private static final class Checkpointing implements RunContext {
        private final RunContext run;
        private final TreeSet<Integer> checkpoints;
        private final ShapesWorld world;
        private final ShapesWorldService.Config recipe;
        private final Path output;
        long spentNanos;

        Checkpointing(RunContext run, TreeSet<Integer> checkpoints, ShapesWorld world, ShapesWorldService.Config recipe,
                Path output) {
            this.run = run;
            this.checkpoints = checkpoints;
            this.world = world;
            this.recipe = recipe;
            this.output = output;
        }

        @Override
        public float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective) {
            if (!(optimizer instanceof ExponentialMovingAverage.Averaging averaging)) {
                return run.optimise(model, optimizer, steps, objective);
            }
            float[] losses = new float[steps];
            int done = 0;
            for (int checkpoint : checkpoints) {
                if (checkpoint <= done || checkpoint >= steps) {
                    continue;
                }
                int offset = done;
                float[] part = run.optimise(model, optimizer, checkpoint - done,
                        (step, scope) -> objective.loss(offset + step, scope));
                System.arraycopy(part, 0, losses, done, part.length);
                done = checkpoint;
                gate(done, averaging.average());
            }
            int offset = done;
            float[] part = run.optimise(model, optimizer, steps - done, (step, scope) -> objective.loss(offset + step, scope));
            System.arraycopy(part, 0, losses, done, part.length);
            return losses;
        }

        private void gate(int step, ExponentialMovingAverage average) {
            long started = System.nanoTime();
            Path classifierFiles = output.resolve("models").resolve(ShapesWorldService.CLASSIFIER_MODEL);
            try (TextToImageModel copy = new TextToImageModel(
                    TextToImageConfig.from(ShapesWorldService.generatorSettings(world, recipe)), 0);
                    ConceptClassifierModel classifier = ConceptClassifierModel.withWeights(new ConceptClassifierModel(
                            ClassifierConfig.from(ShapesClassifierTraining.settings()), 0), classifierFiles)) {
                average.copyTo(copy.model());
                ConceptClassifier c = classifier;
                ShapesSanityGate.Result result = ShapesSanityGate.measure(copy, c,
                        ShapesSanityGate.prompts(recipe.gateSamplesPerCombination()),
                        ShapesRng.derive(world.seed(), "gate", 0), recipe.gateSteps(), recipe.gateGuidance(), 32, run);
                long took = System.nanoTime() - started;
                spentNanos += took;
                run.log(String.format(Locale.ROOT, "checkpoint at step %d, EMA weights: %s (%.1f s)", step, result,
                        took / 1e9));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public RunKey key() {
            return run.key();
        }

        @Override
        public long seed() {
            return run.seed();
        }

        @Override
        public Random random() {
            return run.random();
        }

        @Override
        public NDManager manager() {
            return run.manager();
        }

        @Override
        public Clock clock() {
            return run.clock();
        }

        @Override
        public boolean isCancelled() {
            return run.isCancelled();
        }

        @Override
        public void checkCancelled() {
            run.checkCancelled();
        }

        @Override
        public void progress(long step, long totalSteps, double loss) {
            run.progress(step, totalSteps, loss);
        }

        @Override
        public void log(String message) {
            run.log(message);
        }

        @Override
        public <T> Batches<T> batches(List<T> items, int batchSize) {
            return run.batches(items, batchSize);
        }
    }
}

package org.lethe.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.core.run.BenchRunContexts;
import org.lethe.method.flat.Flat;
import org.lethe.method.gradientascent.GradDiff;
import org.lethe.method.gradientascent.GradientAscent;
import org.lethe.method.iau.Iau;
import org.lethe.models.transformer.WordTransformerArchitecture;
import org.lethe.models.transformer.WordTransformerModel;
import org.lethe.worlds.facts.FactsGenerator;
import org.lethe.worlds.facts.FactsWorld;

/**
 * One process of the method-step benchmark (run by {@link MethodsBench}, one JSON line per
 * workload on standard output). Each workload is a method's optimisation step on the facts world
 * (seed 0) and the facts model's architecture ({@code word-transformer}, the world's vocabulary
 * and sequence length, initialised with seed 0), on the split forget05 / retain95:
 * <ul>
 * <li>{@code train}: the training recipe's step (FactsTraining: answer NLL, AdamW 3e-3, no weight
 *     decay, batches of 64 of the base training set), as an objective of {@code RunContext.optimise};</li>
 * <li>{@code ga}, {@code graddiff}, {@code flat}, {@code iau}: the real method classes with their
 *     default settings, called through {@link UnlearningMethod#unlearn} as the run service calls
 *     them, with as many steps as the benchmark needs.</li>
 * </ul>
 * Before each workload's measured run, whole runs of it on throwaway models warm the JIT for at
 * least {@code --warmup-seconds}; the measured run's first {@code --warmup} steps are not counted.
 * Modes: {@code lethe} runs the steps through the core's run context (the loop every run uses);
 * {@code trainer} through the loop as it was before issue 5's tuning (DJL's {@code Trainer}:
 * parameter store, {@code LocalParameterServer}, which copies every gradient before the update);
 * {@code export} runs a few steps and writes the model's initial weights and every step's token
 * batches for the PyTorch side ({@code bench/python/lm_step.py}).
 *
 * <pre>
 * java -cp lethe-bench.jar org.lethe.bench.MethodSteps --mode lethe|trainer|export --work DIR
 *     [--warmup 10] [--steps 30] [--iau-warmup 3] [--iau-steps 20] [--warmup-seconds 2] [--only train,ga,...]
 * </pre>
 */
public final class MethodSteps {

    /** The workloads, in the order each process runs them. */
    static final List<String> WORKLOADS = List.of("train", "ga", "graddiff", "flat", "iau");
    /** The forget split of the benchmark (issue 5: forget05) and its retain split. */
    static final String FORGET = "forget05";
    static final String RETAIN = "retain95";

    private MethodSteps() {
    }

    /**
     * Entry point.
     *
     * @param args see the class description
     * @throws Exception when a workload fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String mode = options.getOrDefault("mode", "lethe");
        Path work = Path.of(options.getOrDefault("work", "bench/target/bench-work/methods"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "10"));
        int measured = Integer.parseInt(options.getOrDefault("steps", "30"));
        int iauWarmup = Integer.parseInt(options.getOrDefault("iau-warmup", "3"));
        int iauMeasured = Integer.parseInt(options.getOrDefault("iau-steps", "20"));
        double warmupSeconds = Double.parseDouble(options.getOrDefault("warmup-seconds", "2"));
        List<String> only = options.containsKey("only") ? List.of(options.get("only").split(",")) : WORKLOADS;
        FactsWorld world = FactsGenerator.generate(0);
        Map<String, String> settings = modelSettings(world);
        ObjectMapper json = new ObjectMapper();
        PrintStream out = System.out;
        List<Map<String, Object>> exported = new ArrayList<>();
        long start = System.nanoTime();
        for (String workload : WORKLOADS) {
            if (!only.contains(workload)) {
                continue;
            }
            boolean iau = workload.equals("iau");
            int w = iau ? iauWarmup : warmup;
            int n = iau ? iauMeasured : measured;
            if (mode.equals("export")) {
                w = 0;
                n = iau ? 1 : 8;
            }
            if (!mode.equals("export")) {
                // warm-up (perf-baseline.md's recipe: at least 10 steps and at least 2 s, here whole
                // runs of the workload on throwaway models, so that the JIT has compiled the loop,
                // the model and the method before the measured run)
                long warmStart = System.nanoTime();
                do {
                    try (WordTransformerModel model = (WordTransformerModel) new WordTransformerArchitecture().create(settings, 0);
                            NDManager runScope = model.model().getNDManager().newSubManager()) {
                        StepTimer ignored = new StepTimer();
                        RunContext context = BenchRunContexts.context(1, runScope, ignored::loop, null);
                        if (mode.equals("trainer")) {
                            context = new TrainerLoop(context, ignored);
                        }
                        run(workload, world, new TimedLanguageModel(model, ignored), context, Math.max(1, w));
                    }
                } while ((System.nanoTime() - warmStart) / 1e9 < warmupSeconds);
            }
            StepTimer timer = new StepTimer();
            List<List<TimedLanguageModel.Encoded>> batches = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            try (WordTransformerModel model = (WordTransformerModel) new WordTransformerArchitecture().create(settings, 0);
                    NDManager runScope = model.model().getNDManager().newSubManager()) {
                if (mode.equals("export") && exported.isEmpty()) {
                    Files.createDirectories(work);
                    model.save(work);
                }
                TimedLanguageModel lm = new TimedLanguageModel(model, timer);
                RunContext context = BenchRunContexts.context(0, runScope, phase -> {
                    timer.loop(phase);
                    if ("objective".equals(phase)) {
                        batches.add(new ArrayList<>());
                    }
                }, losses::add);
                if (mode.equals("trainer")) {
                    context = new TrainerLoop(context, timer);
                } else if (mode.equals("export")) {
                    lm.onEncode(b -> batches.get(batches.size() - 1).add(b));
                } else if (!mode.equals("lethe")) {
                    throw new IllegalArgumentException("mode " + mode);
                }
                run(workload, world, lm, context, w + n);
            }
            if (mode.equals("export")) {
                exported.add(export(workload, world, batches, warmup, measured, iauWarmup, iauMeasured));
            } else {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("side", mode);
                line.put("workload", workload);
                line.put("warmup", w);
                // the first step's loss: from the same weights and batch, PyTorch's must be the same
                line.put("firstLoss", losses.isEmpty() ? Double.NaN : losses.get(0));
                line.put("steps", timer.rows(w));
                out.println(json.writeValueAsString(line));
                out.flush();
            }
        }
        if (mode.equals("export")) {
            Map<String, Object> model = new LinkedHashMap<>();
            WordTransformerModel probe = (WordTransformerModel) new WordTransformerArchitecture().create(settings, 0);
            model.put("vocabulary", probe.tokenizer().vocabularySize());
            model.put("maxLength", probe.settings().maxLength());
            model.put("layers", probe.settings().layers());
            model.put("dModel", probe.settings().dModel());
            model.put("heads", probe.settings().heads());
            model.put("ffn", probe.settings().ffn());
            model.put("parameters", probe.parameterCount());
            model.put("weights", work.resolve(WordTransformerModel.WEIGHTS).toAbsolutePath().toString());
            probe.close();
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("model", model);
            file.put("workloads", exported);
            Files.writeString(work.resolve("workload.json"), json.writeValueAsString(file), StandardCharsets.UTF_8);
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("side", mode);
        done.put("done", true);
        done.put("seconds", (System.nanoTime() - start) / 1e9);
        done.put("peakRssKiB", peakRssKiB());
        // all of the work is on this thread: the process's CPU time is this thread's plus the JVM's own (JIT, GC)
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            done.put("processCpuSeconds", os.getProcessCpuTime() / 1e9);
        }
        done.put("threadCpuSeconds", java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
        out.println(json.writeValueAsString(done));
    }

    /** The facts model's settings, as the facts world service makes them. */
    static Map<String, String> modelSettings(FactsWorld world) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", String.join(" ", world.vocabulary()));
        settings.put("maxLength", Integer.toString(Math.max(16, world.maxSequenceTokens() + 2)));
        return settings;
    }

    /** Runs {@code steps} steps of a workload on the model through the context. */
    static void run(String workload, FactsWorld world, LanguageModel lm, RunContext context, int steps) {
        List<QaItem> forget = world.split(FORGET);
        List<QaItem> retain = world.split(RETAIN);
        switch (workload) {
            case "train" -> {
                // FactsTraining's step: answer NLL, AdamW(3e-3, wd 0), batches of 64 of the base training set
                RunContext.Batches<QaItem> batches = context.batches(world.baseTraining(), 64);
                Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(3e-3f)).optWeightDecays(0f).build();
                context.optimise(lm.model(), adamW, steps, (step, scope) -> {
                    List<QaItem> batch = batches.next();
                    return lm.answerLoss(lm.encode(batch.stream().map(QaItem::question).toList(),
                            batch.stream().map(QaItem::answer).toList(), scope), true);
                });
            }
            case "ga" -> new GradientAscent().unlearn(task(lm, Map.of(Task.FORGET, forget), steps), context);
            case "graddiff" -> new GradDiff().unlearn(task(lm, Map.of(Task.FORGET, forget, Task.RETAIN, retain), steps),
                    context);
            case "flat" -> new Flat().unlearn(task(lm, Map.of(Task.FORGET, forget), steps), context);
            case "iau" -> new Iau().unlearn(task(lm, Map.of(Task.FORGET, forget, Task.RETAIN, retain), steps), context);
            default -> throw new IllegalArgumentException("workload " + workload);
        }
    }

    private static Task task(LanguageModel lm, Map<String, List<QaItem>> data, int steps) {
        return new BenchTask(lm, data, Map.of("steps", steps));
    }

    /** A workload for the PyTorch side: its optimiser, its loss and the token batches of each step. */
    private static Map<String, Object> export(String workload, FactsWorld world, List<List<TimedLanguageModel.Encoded>> steps,
            int warmup, int measured, int iauWarmup, int iauMeasured) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", workload);
        spec.put("kind", workload);
        Map<String, Object> optimiser = new LinkedHashMap<>();
        Map<String, Object> params = new LinkedHashMap<>();
        switch (workload) {
            case "train" -> {
                optimiser.put("kind", "adamw");
                optimiser.put("lr", 3e-3);
                optimiser.put("weightDecay", 0.0);
            }
            case "iau" -> {
                optimiser.put("kind", "adam");
                optimiser.put("lr", 3e-3);
                optimiser.put("eps", 1e-8);
                optimiser.put("fresh", true);
            }
            default -> {
                optimiser.put("kind", "adamw");
                optimiser.put("lr", 1e-4);
                optimiser.put("weightDecay", 0.01);
            }
        }
        if (workload.equals("graddiff")) {
            params.put("gamma", 1.0);
            params.put("alpha", 1.0);
        }
        spec.put("optimiser", optimiser);
        spec.put("params", params);
        spec.put("warmup", workload.equals("iau") ? iauWarmup : warmup);
        spec.put("measured", workload.equals("iau") ? iauMeasured : measured);
        List<Map<String, Object>> out = new ArrayList<>();
        int retainSize = world.split(RETAIN).size();
        int forgetSize = world.split(FORGET).size();
        for (List<TimedLanguageModel.Encoded> step : steps) {
            Map<String, Object> s = new LinkedHashMap<>();
            List<Map<String, Object>> batches = new ArrayList<>();
            List<List<Object>> weights = new ArrayList<>();
            int retainSeen = 0;
            for (TimedLanguageModel.Encoded b : step) {
                batches.add(Map.of("tokens", b.tokens(), "mask", b.mask()));
                if (workload.equals("iau")) {
                    // Iau.meanLoss: the retain set's micro-batches first, then the forget set's
                    int rows = b.tokens().length;
                    boolean isRetain = retainSeen < retainSize;
                    if (isRetain) {
                        retainSeen += rows;
                    }
                    weights.add(List.of(isRetain ? "retain" : "forget", (double) rows / (isRetain ? retainSize : forgetSize)));
                }
            }
            s.put("batches", batches);
            if (workload.equals("iau")) {
                s.put("weights", weights);
            }
            out.add(s);
        }
        spec.put("steps", out);
        return spec;
    }

    static long peakRssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /**
     * The optimisation loop as the core ran it before issue 5's tuning, for the before/after
     * comparison: DJL's {@code Trainer} with its parameter store and {@code LocalParameterServer}
     * (a copy of every gradient per step, then the optimiser's update), one memory scope per step.
     * Everything but {@link #optimise} is the real context's.
     */
    private static final class TrainerLoop implements RunContext {
        private final RunContext context;
        private final StepTimer timer;

        TrainerLoop(RunContext context, StepTimer timer) {
            this.context = context;
            this.timer = timer;
        }

        @Override
        public float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective) {
            float[] losses = new float[steps];
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer);
            try (Trainer trainer = model.newTrainer(config)) {
                for (int step = 0; step < steps; step++) {
                    checkCancelled();
                    try (NDManager scope = manager().newSubManager()) {
                        float value;
                        timer.loop("objective");
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray loss = objective.loss(step, scope);
                            value = loss.getFloat();
                            if (!Float.isFinite(value)) {
                                throw LetheException.failed("diverged: the loss is " + value + " at step " + step, null);
                            }
                            timer.loop("backward");
                            collector.backward(loss);
                        }
                        timer.loop("optimiser");
                        trainer.step();
                        timer.loop("loop");
                        losses[step] = value;
                    }
                    progress(step + 1, steps, losses[step]);
                }
            }
            timer.loop(null);
            return losses;
        }

        @Override
        public RunKey key() {
            return context.key();
        }

        @Override
        public long seed() {
            return context.seed();
        }

        @Override
        public Random random() {
            return context.random();
        }

        @Override
        public NDManager manager() {
            return context.manager();
        }

        @Override
        public Clock clock() {
            return context.clock();
        }

        @Override
        public boolean isCancelled() {
            return context.isCancelled();
        }

        @Override
        public void checkCancelled() {
            context.checkCancelled();
        }

        @Override
        public void progress(long step, long totalSteps, double loss) {
            context.progress(step, totalSteps, loss);
        }

        @Override
        public void log(String message) {
            context.log(message);
        }

        @Override
        public <T> Batches<T> batches(List<T> items, int batchSize) {
            return context.batches(items, batchSize);
        }
    }
}

package org.lethe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.lethe.api.data.VqaItem;
import org.lethe.api.run.RunContext;
import org.lethe.core.run.BenchRunContexts;
import org.lethe.models.text.WordTokenizer;
import org.lethe.models.vision.VisionLanguageConfig;
import org.lethe.models.vision.VisionLanguageTransformer;
import org.lethe.worlds.shapes.ShapesVlmTraining;
import org.lethe.worlds.shapes.ShapesVqa;
import org.lethe.worlds.shapes.ShapesVqaWorld;

/**
 * The shapes-vqa world's vision-language model ({@code shapes-vlm}, architecture
 * {@code vision-language-transformer}) against the same network in Python PyTorch
 * ({@code bench/python/vlm_step.py}), in the recipe of {@code research/perf-baseline.md} and of
 * {@link DiffusionSteps}: thread CPU time, one intra-op and one inter-op thread, warm-up, medians,
 * processes in a rotating order, the ratio against PyTorch measured in the same run.
 *
 * <p>The model is {@code shapes-vlm} at the world's settings ({@link ShapesVlmTraining#settings()}: the
 * world's question vocabulary and 22 answers, 16×16 images, 5×5 convolutions 3→32→64, 2 pre-LN layers
 * of width 64 with 4 heads and MLP 128, questions of up to 8 words), initialised with seed 0. The
 * questions are a fixed batch of 128 drawn from the world (seed 0) the way the recipe mixes them:
 * template questions and, at 0.4, yes/no questions, half true. Workloads:
 * <ul>
 * <li>{@code fwd-b1}, {@code fwd-b128}: {@code VisionLanguageModel.logits} (tokenising the questions
 *     included) on the first question and on the batch of 128, no gradient;</li>
 * <li>{@code train-b128}: the recipe's training step ({@code ShapesVlmTraining.train}) on the fixed
 *     batch through {@link RunContext#optimise}: the images into the step's scope, the logits with
 *     gradient recording, the answer cross-entropy, backward, AdamW 2e-3 (the recipe's start; the
 *     cosine decay costs nothing) with weight decay 0.01;</li>
 * <li>{@code recipe-b128} (Lethe only): {@code ShapesVlmTraining.train} itself with the world's
 *     default recipe, pairs drawn afresh every step (word dropout, frame mixing) from the world's
 *     training images: the step {@code unlearn:train shapes-vqa} runs 3,000 times.</li>
 * </ul>
 *
 * <p>Modes: {@code bench} (the default) is the driver: it runs an {@code export} process, which
 * writes the weights with the model's own {@code save} and a check file (the batch, Lethe's logits
 * and the losses of {@value #CHECK_STEPS} training steps from those weights, which the Python side
 * must reproduce before it times anything), then round after round one {@code lethe} and one
 * {@code pytorch} process (and, with {@code --sides lethe,pytorch,lethe-malloc}, one Lethe process whose
 * glibc keeps freed memory: {@link #MALLOC_ENV}) in an order that rotates, and prints a Markdown section (also written to
 * {@code bench/target/bench-vlm.md}).
 *
 * <pre>
 * java -cp bench/target/lethe-bench.jar org.lethe.bench.VlmSteps [--rounds 3] [--warmup 10] [--steps 30]
 *     [--warmup-seconds 2] [--sides lethe,pytorch[,lethe-malloc]] [--python /usr/bin/python3]
 *     [--wait-load 1.5 [--wait-max-s 1200]] [--out FILE]
 * java ... org.lethe.bench.VlmSteps --mode export|lethe --work DIR [--warmup 10] [--steps 30] [--only a,b]
 * </pre>
 */
public final class VlmSteps {

    /** The workloads, in the order each process runs them. */
    static final List<String> WORKLOADS = List.of("fwd-b1", "fwd-b128", "train-b128", "recipe-b128");
    /** The recipe's batch size (ShapesVqaWorldService's default). */
    static final int BATCH = 128;
    /** The recipe's AdamW learning rate at the start. */
    static final float LEARNING_RATE = 2e-3f;
    /** The recipe's AdamW weight decay. */
    static final float WEIGHT_DECAY = 0.01f;
    /** The recipe's share of yes/no questions. */
    static final double YES_NO_RATE = 0.4;
    /** The training steps whose losses the check file holds. */
    static final int CHECK_STEPS = 5;
    /** Training steps of {@code unlearn:train shapes-vqa} (ShapesVqaWorldService's default). */
    static final int RECIPE_STEPS = 3000;

    /** The side that runs Lethe with glibc's mmap and trim thresholds at 1 GiB ({@link #MALLOC_ENV}). */
    static final String MALLOC = "lethe-malloc";
    /** The environment of {@link #MALLOC}'s JVM, as a command prefix. */
    static final List<String> MALLOC_ENV = List.of("env", "MALLOC_MMAP_THRESHOLD_=1073741824",
            "MALLOC_TRIM_THRESHOLD_=1073741824");

    private static final String CHECK = "check.json";

    private VlmSteps() {
    }

    /**
     * Entry point.
     *
     * @param args see the class description
     * @throws Exception when a workload or a child process fails
     */
    public static void main(String[] args) throws Exception {
        StepBench.main(args, "java -cp bench/target/lethe-bench.jar"
                + " org.lethe.bench.VlmSteps [--rounds 3] [--warmup 10] [--steps 30] [--warmup-seconds 2]"
                + " [--sides lethe,pytorch[,lethe-malloc]] [--python /usr/bin/python3] [--wait-load 1.5 [--wait-max-s 1200]]"
                + " [--out FILE]", "vlm", (root, work, o) -> bench(root, work, o, args),
                (root, work, o) -> export(work), (root, work, o) -> lethe(work, o));
    }

    /** {@code shapes-vlm} at the world's settings, seed 0. */
    static VisionLanguageTransformer model() {
        return new VisionLanguageTransformer(VisionLanguageConfig.from(ShapesVlmTraining.settings()), 0);
    }

    /** The world the batch is drawn from: seed 0, one training and one held-out image per combination (216 each). */
    static ShapesVqaWorld world() {
        return ShapesVqaWorld.generate(0, 1, 1);
    }

    /**
     * A fixed batch as the recipe mixes it: the world's template questions drawn with a seeded
     * generator, each asked instead, at {@link #YES_NO_RATE}, as a yes/no question about the image's
     * value or another value of the attribute (half each).
     *
     * @param world the world
     * @param size how many items
     * @param seed the draw's seed
     * @return the items
     */
    static List<VqaItem> batch(ShapesVqaWorld world, int size, long seed) {
        Random random = new Random(seed);
        List<VqaItem> pool = world.train();
        List<VqaItem> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            VqaItem item = pool.get(random.nextInt(pool.size()));
            if (random.nextDouble() < YES_NO_RATE) {
                List<String> values = ShapesVqa.values(item.attribute());
                boolean truth = random.nextBoolean();
                String asked = item.answer();
                if (!truth) {
                    List<String> others = new ArrayList<>(values);
                    others.remove(asked);
                    asked = others.get(random.nextInt(others.size()));
                }
                String question = ShapesVqa.yesNo(item.attribute(), asked,
                        random.nextInt(ShapesVqa.YES_NO.get(item.attribute()).size()));
                item = new VqaItem(item.id() + "/yes-no", item.image(), question, truth ? ShapesVqa.YES : ShapesVqa.NO,
                        item.attribute(), VqaItem.YES_NO);
            }
            out.add(item);
        }
        return out;
    }

    /** The fixed inputs: the batch's images (in [−1, 1]), questions and answer indices, and the first item alone. */
    private record Inputs(NDArray images, List<String> questions, long[] targets, NDArray image1, List<String> question1) {

        static Inputs of(VisionLanguageTransformer model, NDManager m) {
            List<VqaItem> items = batch(world(), BATCH, 0);
            NDArray images = model.images(items.stream().map(VqaItem::image).toList(), m);
            List<String> questions = items.stream().map(VqaItem::question).toList();
            return new Inputs(images, questions, model.answerIndices(items), images.get("0:1"), questions.subList(0, 1));
        }
    }

    // ---------------------------------------------------------------- export

    private static void export(Path work) throws IOException {
        Files.createDirectories(work);
        try (VisionLanguageTransformer model = model(); NDManager m = model.model().getNDManager().newSubManager()) {
            model.save(work);
            Inputs in = Inputs.of(model, m);
            VisionLanguageConfig c = model.settings();
            Map<String, Object> cfg = new LinkedHashMap<>();
            List<String> tokens = new ArrayList<>(WordTokenizer.MARKERS);
            tokens.addAll(model.tokenizer().vocabulary());
            cfg.put("tokens", tokens);
            cfg.put("unknown", WordTokenizer.UNK);
            cfg.put("pad", WordTokenizer.PAD);
            cfg.put("answers", c.answers());
            cfg.put("imageSize", c.imageSize());
            cfg.put("channels", c.channels());
            cfg.put("convWidth", c.convWidth());
            cfg.put("kernel", c.kernel());
            cfg.put("width", c.width());
            cfg.put("heads", c.heads());
            cfg.put("mlp", c.mlp());
            cfg.put("layers", c.layers());
            cfg.put("maxQuestionTokens", c.maxQuestionTokens());
            cfg.put("maxAppended", c.maxAppended());
            cfg.put("parameters", model.parameterCount());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("model", cfg);
            data.put("weights", work.resolve(VisionLanguageTransformer.WEIGHTS).toAbsolutePath().toString());
            data.put("learningRate", (double) LEARNING_RATE);
            data.put("weightDecay", (double) WEIGHT_DECAY);
            data.put("questions", in.questions());
            List<int[]> ids = new ArrayList<>();
            for (String q : in.questions()) {
                ids.add(model.tokenizer().encode(q));
            }
            data.put("tokenIds", ids);
            data.put("images", StepBench.host(in.images()));
            data.put("targets", in.targets());
            data.put("logits128", StepBench.host(model.logits(in.images(), in.questions(), false)));
            data.put("logits1", StepBench.host(model.logits(in.image1(), in.question1(), false)));
            // last: the steps change the weights
            float[] losses = optimise(model, in, m, adamW(), new StepTimer(), CHECK_STEPS);
            List<Double> l = new ArrayList<>();
            for (float v : losses) {
                l.add((double) v);
            }
            data.put("losses", l);
            Files.writeString(work.resolve(CHECK), new ObjectMapper().writeValueAsString(data), StandardCharsets.UTF_8);
        }
    }

    private static Optimizer adamW() {
        return Optimizer.adamW().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).optWeightDecays(WEIGHT_DECAY).build();
    }

    // ---------------------------------------------------------------- the Lethe side

    private static void lethe(Path work, Map<String, String> o) throws Exception {
        StepBench.Counts c = StepBench.Counts.of(o, WORKLOADS);
        int warmup = c.warmup();
        int measured = c.measured();
        double warmupSeconds = c.warmupSeconds();
        PrintStream out = System.out;
        long begin = System.nanoTime();
        // the same weights as the Python side reads (the model's own load path), not a re-initialisation
        try (VisionLanguageTransformer model = VisionLanguageTransformer.withWeights(model(), work);
                NDManager run = model.model().getNDManager().newSubManager()) {
            Inputs in = Inputs.of(model, run);
            Optimizer adamW = adamW();
            for (String workload : WORKLOADS) {
                if (!c.only().contains(workload)) {
                    continue;
                }
                StepTimer timer = switch (workload) {
                    case "fwd-b1" -> forward(model, in.image1(), in.question1(), warmup, measured, warmupSeconds);
                    case "fwd-b128" -> forward(model, in.images(), in.questions(), warmup, measured, warmupSeconds);
                    case "train-b128" -> StepBench.optimised(warmup, measured, warmupSeconds,
                            (t, steps) -> optimise(model, in, run, adamW, t, steps));
                    default -> StepBench.optimised(warmup, measured, warmupSeconds, (t, steps) -> recipe(model, run, t, steps));
                };
                StepBench.workloadLine(out, workload, warmup, timer, measured);
            }
        }
        StepBench.doneLine(out, begin);
    }

    /** The logits without gradient, each call in a scope of its own with the images copied into it. */
    private static StepTimer forward(VisionLanguageTransformer model, NDArray images, List<String> questions, int warmup,
            int measured, double warmupSeconds) {
        return StepBench.repeat(warmup, measured, warmupSeconds, () -> {
            try (NDManager step = model.model().getNDManager().newSubManager()) {
                model.logits(step.zeros(images.getShape()).add(images), questions, false);
            }
        });
    }

    /** The recipe's step on the fixed batch: {@code ShapesVlmTraining.train}'s objective, AdamW. */
    private static float[] optimise(VisionLanguageTransformer model, Inputs in, NDManager run, Optimizer adamW,
            StepTimer timer, int steps) {
        RunContext context = BenchRunContexts.context(0, run, timer::loop, null);
        float[] pixels = in.images().toFloatArray();
        Shape shape = in.images().getShape();
        return context.optimise(model.model(), adamW, steps, (step, scope) -> {
            // the images and targets into the step's scope from the host, as the recipe makes them
            int previous = timer.enter("data");
            NDArray images = scope.create(pixels, shape);
            NDArray targets = scope.create(in.targets()).reshape(in.targets().length, 1);
            timer.enter("forward");
            NDArray logits = model.logits(images, in.questions(), true);
            timer.resume(previous);
            return logits.logSoftmax(1).gather(targets, 1).neg().mean();
        });
    }

    /** {@code ShapesVlmTraining.train} with the world's default recipe (its objective is one phase: loss). */
    private static void recipe(VisionLanguageTransformer model, NDManager run, StepTimer timer, int steps) {
        ShapesVqaWorld world = world();
        ShapesVlmTraining.Recipe recipe = new ShapesVlmTraining.Recipe(steps, BATCH, LEARNING_RATE, 2e-5f, WEIGHT_DECAY,
                YES_NO_RATE, 0.25, 0.5);
        ShapesVlmTraining.train(model, world.trainImages(), recipe, BenchRunContexts.context(0, run, timer::loop, null));
    }

    // ---------------------------------------------------------------- the driver

    private static void bench(Path root, Path work, Map<String, String> o, String[] args) throws Exception {
        StepBench.Setup setup = StepBench.setup(root, work, o, args, VlmSteps.class, "vlm_step.py", "vlm", CHECK);
        JsonNode model = setup.model();
        int rounds = setup.rounds();
        List<String> sides = setup.sides();
        // lethe-malloc: glibc keeps freed memory instead of handing it back to the system at once
        StepBench.Rounds r = setup.run(side -> side.startsWith("lethe")
                ? setup.lethe(side.equals(MALLOC) ? MALLOC_ENV : List.of()) : setup.python("vlm_step.py", List.of()));
        StringBuilder md = new StringBuilder(setup.header(r));
        md.append(String.format(Locale.ROOT, "Model: `vision-language-transformer` at the shapes-vlm settings (%d question"
                + " tokens with the markers, %d answers, %d×%d images, %d×%d convolutions %d→%d→%d, %d layers × %d, %d heads,"
                + " MLP %d, up to %d question tokens), seed 0: %,d parameters. Batch: %d questions of the shapes-vqa world"
                + " (seed 0), templates and, at %.1f, yes/no. %d rounds, one process per side each, in a rotating order; %s"
                + " warm-up steps and at least %s s, then %s measured steps per process and workload. Times are thread CPU"
                + " ms per step or call; n counts steps over all rounds. Speed ratio = PyTorch's p50 / Lethe's p50 (above 1:"
                + " Lethe faster); paired = the median over rounds of the same ratio within a round.%n%n",
                model.get("tokens").size(), model.get("answers").size(), model.get("imageSize").asInt(),
                model.get("imageSize").asInt(), model.get("kernel").asInt(), model.get("kernel").asInt(),
                model.get("channels").asInt(), model.get("convWidth").asInt(), model.get("width").asInt(),
                model.get("layers").asInt(), model.get("width").asInt(), model.get("heads").asInt(), model.get("mlp").asInt(),
                model.get("maxQuestionTokens").asInt(), model.get("parameters").asLong(), BATCH, YES_NO_RATE, rounds,
                o.getOrDefault("warmup", "10"), o.getOrDefault("warmup-seconds", "2"), o.getOrDefault("steps", "30")));
        md.append(StepBench.TABLE);
        StringBuilder phases = new StringBuilder("Training steps per phase, p50 of the thread CPU ms (data: the images and"
                + " targets into the step's scope; forward: the logits with gradient recording, tokenising included; loss:"
                + " the cross-entropy and reading it; loop: Lethe's step scope, zeroing, progress; recipe-b128 draws its"
                + " pairs inside the objective, so all of its objective counts as loss):\n\n" + StepBench.PHASE_TABLE);
        for (String name : WORKLOADS) {
            for (String side : sides) {
                if (r.has(side, name)) {
                    md.append(r.row(name, side, name));
                    if (name.endsWith("b128") && !name.startsWith("fwd")) {
                        phases.append(r.phaseRow(side, name));
                    }
                }
            }
        }
        md.append('\n').append(phases).append('\n');
        md.append(fullTraining(r));
        md.append("Equal work (checked by every Python process before it times anything; max |PyTorch − Lethe| on the"
                + " same inputs, first process of each side): ");
        List<String> c = new ArrayList<>();
        r.checks().forEach((side, node) -> {
            JsonNode d = node.get("check");
            c.add(String.format(Locale.ROOT, "%s: tokens %s, logits batch 128 %.2g and batch 1 %.2g (|logit| up to %.2f;"
                    + " tolerance %.0e, %s), the losses of %d AdamW steps from the same weights %.2g (Lethe's first %.4f,"
                    + " last %.4f)", side, d.get("tokens").asBoolean() ? "equal" : "DIFFERENT", d.get("logits128").asDouble(),
                    d.get("logits1").asDouble(), node.get("logitsMaxAbs").asDouble(), node.get("tolerance").asDouble(),
                    node.get("passed").asBoolean() ? "passed" : "FAILED", CHECK_STEPS, d.get("losses").asDouble(),
                    node.get("lossFirst").asDouble(), node.get("lossLast").asDouble()));
        });
        md.append(String.join("; ", c)).append(".\n");
        StepBench.report(setup, md.toString());
    }

    /**
     * The 3,000 steps of {@code unlearn:train shapes-vqa} at each side's p50 step (CPU and wall), Lethe's
     * recipe step against PyTorch's.
     */
    private static String fullTraining(StepBench.Rounds r) {
        Stats ptCpu = MethodsBench.total(r.rows(), "pytorch", "train-b128", "cpu", -1);
        Stats ptWall = MethodsBench.total(r.rows(), "pytorch", "train-b128", "wall", -1);
        if (ptCpu.count() == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d training steps (`unlearn:train shapes-vqa`'s"
                + " default) at the p50 step: PyTorch's fixed-batch step %.1f s CPU (%.2f steps/s), %.1f s wall",
                RECIPE_STEPS, RECIPE_STEPS * ptCpu.p50() / 1e3, 1e3 / ptCpu.p50(), RECIPE_STEPS * ptWall.p50() / 1e3));
        for (String side : List.of("lethe", MALLOC)) {
            Stats recipeCpu = MethodsBench.total(r.rows(), side, "recipe-b128", "cpu", -1);
            Stats recipeWall = MethodsBench.total(r.rows(), side, "recipe-b128", "wall", -1);
            Stats fixed = MethodsBench.total(r.rows(), side, "train-b128", "cpu", -1);
            if (recipeCpu.count() > 0) {
                out.append(String.format(Locale.ROOT, "; %s's recipe step %.1f s CPU (%.2f steps/s, %s PyTorch's step),"
                        + " %.1f s wall, its fixed-batch step %.1f s CPU", side, RECIPE_STEPS * recipeCpu.p50() / 1e3,
                        1e3 / recipeCpu.p50(), Stats.ratio(ptCpu.p50() / recipeCpu.p50()), RECIPE_STEPS * recipeWall.p50() / 1e3,
                        RECIPE_STEPS * fixed.p50() / 1e3));
            }
        }
        return out.append(".\n\n").toString();
    }
}

package org.lethe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;
import org.lethe.api.run.RunContext;
import org.lethe.core.run.BenchRunContexts;
import org.lethe.models.diffusion.TextToImageConfig;
import org.lethe.models.diffusion.TextToImageModel;
import org.lethe.worlds.shapes.ShapesLexicon;

/**
 * The text-to-image U-Net's sampling and erasure steps against the same steps in Python PyTorch
 * ({@code bench/python/t2i_step.py}), in the recipe of {@code research/perf-baseline.md}: thread CPU
 * time, one intra-op and one inter-op thread, warm-up, medians, processes in a rotating order, the
 * ratio against PyTorch measured in the same run.
 *
 * <p>The model is the shapes world's generator at its full size ({@code text-to-image-unet}: the
 * world's 44-word vocabulary, 16×16 images, widths 32/64, 4 heads, GroupNorm 8, a one-layer text
 * encoder of width 64 over 8 tokens, T = 1000 linear), initialised with seed 0. Workloads, all at
 * batch 1 with the condition of one prompt:
 * <ul>
 * <li>{@code unet-b2}: {@link DiffusionModel#predictNoise} on the classifier-free-guidance batch of
 *     2 (conditional and unconditional), no gradient;</li>
 * <li>{@code ddim1}: {@link DiffusionModel#sample} for one step of a 25-step DDIM schedule at
 *     guidance 4 from a given start noise: the empty prompt's encoding, the U-Net on 2, the guidance
 *     and the clipped DDIM update ("the sampling step", with its per-call set-up);</li>
 * <li>{@code ddim25}: the same call for the whole 25-step pass;</li>
 * <li>{@code esd-x}, {@code esd-u}: ESD's training step as {@code Esd.erase} runs it through
 *     {@link RunContext#optimise} (the core's loop, Adam 1e-4): the noise prediction with gradient on a
 *     fixed x_t, t and condition, the MSE to a fixed target, backward, the update; with the
 *     cross-attention ({@code attn2}) trainable, and with the whole U-Net trainable (the text encoder
 *     frozen in both).</li>
 * </ul>
 *
 * <p>Modes: {@code bench} (the default) is the driver: it runs an {@code export} process, which
 * writes the weights with the model's own {@link TextToImageModel#save} and a check file (inputs and
 * Lethe's outputs, which the Python side must reproduce within 1e-4 before it times anything), then
 * round after round one {@code lethe} process and one Python process per side, in an order that
 * rotates, and prints a Markdown section (also written to {@code bench/target/bench-t2i.md}).
 *
 * <pre>
 * java -cp bench/target/lethe-bench.jar org.lethe.bench.DiffusionSteps [--rounds 3] [--warmup 10] [--steps 30]
 *     [--warmup-seconds 2] [--sides lethe,pytorch[,pytorch-mirror]] [--python /usr/bin/python3]
 *     [--wait-load 1.5 [--wait-max-s 1200]] [--out FILE]
 * java ... org.lethe.bench.DiffusionSteps --mode export|lethe --work DIR [--warmup 10] [--steps 30] [--only a,b]
 * </pre>
 */
public final class DiffusionSteps {

    /** The workloads, in the order each process runs them. */
    static final List<String> WORKLOADS = List.of("unet-b2", "ddim1", "ddim25", "esd-x", "esd-u");
    /** DDIM steps of a sampling pass (ESD's default). */
    static final int DDIM_STEPS = 25;
    /** The classifier-free guidance scale (DiffusionBench's). */
    static final double GUIDANCE = 4.0;
    /** ESD's default learning rate (Adam). */
    static final float LEARNING_RATE = 1e-4f;
    /** The timestep of the fixed x_t: the middle of the schedule. */
    static final long TIMESTEP = 500;

    private static final String CHECK = "check.json";

    private DiffusionSteps() {
    }

    /**
     * Entry point.
     *
     * @param args see the class description
     * @throws Exception when a workload or a child process fails
     */
    public static void main(String[] args) throws Exception {
        StepBench.main(args, "java -cp bench/target/lethe-bench.jar"
                + " org.lethe.bench.DiffusionSteps [--rounds 3] [--warmup 10] [--steps 30] [--warmup-seconds 2]"
                + " [--sides lethe,pytorch[,pytorch-mirror]] [--python /usr/bin/python3] [--wait-load 1.5 [--wait-max-s 1200]]"
                + " [--out FILE]", "t2i", (root, work, o) -> bench(root, work, o, args),
                (root, work, o) -> export(work), (root, work, o) -> lethe(work, o));
    }

    /** The shapes world's generator at full size (ShapesWorldService.generatorSettings with the default recipe). */
    static TextToImageModel model() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", String.join(" ", ShapesLexicon.vocabulary()));
        settings.put("imageSize", Integer.toString(ShapesLexicon.SIZE));
        settings.put("baseChannels", "32");
        settings.put("channels", "64");
        // max(8, the longest prompt's 5 words + the end marker)
        settings.put("contextLength", "8");
        settings.put("schedule", TextToImageConfig.LINEAR);
        return new TextToImageModel(TextToImageConfig.from(settings), 0);
    }

    /** A prompt of the world's words: context, colour, shape, filler, texture (the longest form). */
    static String prompt() {
        return String.join(" ", ShapesLexicon.CONTEXT_WORDS.get(0), ShapesLexicon.COLOURS.get(0).name(),
                ShapesLexicon.SHAPES.get(0).name(), ShapesLexicon.FILLER, ShapesLexicon.TEXTURES.get(0).name());
    }

    /** The fixed inputs of every workload, made the same way in the export and in each timed process. */
    private record Inputs(NDArray condition, NDArray both, NDArray noisy, NDArray noisy2, NDArray timestep,
            NDArray timestep2, NDArray start, NDArray target) {

        static Inputs of(TextToImageModel model, NDManager m) {
            NDArray condition = model.encode(List.of(prompt()), m).stopGradient();
            NDArray both = model.nullCondition(1, m).concat(condition, 0).stopGradient();
            NDArray noisy = model.noise(1, 11, m);
            NDArray timestep = m.create(new long[] {TIMESTEP});
            NDArray start = model.noise(1, 7, m);
            NDArray noisy2 = noisy.concat(noisy, 0);
            NDArray timestep2 = timestep.concat(timestep, 0);
            // ESD's target with η = 1 from the model itself: ε(∅) − (ε(c) − ε(∅))
            NDArray out = model.predictNoise(noisy2, timestep2, both, false);
            NDArray unconditional = out.get("0:1");
            NDArray target = unconditional.sub(out.get("1:").sub(unconditional)).stopGradient();
            return new Inputs(condition, both, noisy, noisy2, timestep, timestep2, start, target);
        }
    }

    // ---------------------------------------------------------------- export

    private static void export(Path work) throws IOException {
        Files.createDirectories(work);
        try (TextToImageModel model = model(); NDManager m = model.model().getNDManager().newSubManager()) {
            model.save(work);
            Inputs in = Inputs.of(model, m);
            Map<String, Object> cfg = new LinkedHashMap<>();
            TextToImageConfig c = model.settings();
            cfg.put("tokens", model.tokenizer().vocabularySize());
            cfg.put("contextLength", c.contextLength());
            cfg.put("textWidth", c.textWidth());
            cfg.put("textHeads", c.textHeads());
            cfg.put("textMlp", c.textMlp());
            cfg.put("textLayers", c.textLayers());
            cfg.put("imageSize", c.imageSize());
            cfg.put("baseChannels", c.baseChannels());
            cfg.put("channels", c.channels());
            cfg.put("heads", c.heads());
            cfg.put("groups", c.groups());
            cfg.put("ffMult", c.ffMult());
            cfg.put("trainingSteps", c.trainingSteps());
            cfg.put("schedule", c.schedule());
            cfg.put("parameters", model.parameterCount());
            cfg.put("unetParameters", count(model, DiffusionModel.GROUP_UNET));
            cfg.put("crossAttentionParameters", count(model, DiffusionModel.GROUP_CROSS_ATTENTION));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("model", cfg);
            data.put("weights", work.resolve(TextToImageModel.WEIGHTS).toAbsolutePath().toString());
            data.put("prompt", prompt());
            data.put("tokens", rows(model.tokenize(List.of(prompt()), m)));
            data.put("nullTokens", rows(model.tokenize(List.of(""), m)));
            data.put("guidance", GUIDANCE);
            data.put("learningRate", (double) LEARNING_RATE);
            data.put("timestep", List.of(TIMESTEP));
            int[] timesteps = model.samplingTimesteps(DDIM_STEPS);
            List<Double> alphaBars = new ArrayList<>();
            for (int t : timesteps) {
                alphaBars.add(model.alphaBar(t));
            }
            data.put("schedule", Map.of("timesteps", timesteps, "alphaBar", alphaBars));
            data.put("noisy", StepBench.host(in.noisy()));
            data.put("start", StepBench.host(in.start()));
            data.put("target", StepBench.host(in.target()));
            data.put("condition", StepBench.host(in.condition()));
            data.put("noise", StepBench.host(model.predictNoise(in.noisy2(), in.timestep2(), in.both(), false)));
            data.put("ddim1", StepBench.host(model.sample(new SampleRequest(in.condition(), GUIDANCE, DDIM_STEPS, 1, 0, in.start()), m)
                    .latent()));
            data.put("ddim25", StepBench.host(model.sample(new SampleRequest(in.condition(), GUIDANCE, DDIM_STEPS, DDIM_STEPS, 0,
                    in.start()), m).latent()));
            Files.writeString(work.resolve(CHECK), new ObjectMapper().writeValueAsString(data), StandardCharsets.UTF_8);
        }
    }

    private static long count(TextToImageModel model, String group) {
        long n = 0;
        for (String name : model.parameterGroup(group)) {
            n += model.parameters().get(name).getArray().size();
        }
        return n;
    }

    private static List<long[]> rows(NDArray tokens) {
        long[] ids = tokens.toLongArray();
        int width = (int) tokens.getShape().get(1);
        List<long[]> out = new ArrayList<>();
        for (int r = 0; r < ids.length / width; r++) {
            long[] row = new long[width];
            System.arraycopy(ids, r * width, row, 0, width);
            out.add(row);
        }
        return out;
    }

    // ---------------------------------------------------------------- the Lethe side

    private static void lethe(Path work, Map<String, String> o) throws Exception {
        StepBench.Counts counts = StepBench.Counts.of(o, WORKLOADS);
        int warmup = counts.warmup();
        int measured = counts.measured();
        PrintStream out = System.out;
        long begin = System.nanoTime();
        // the same weights as the Python side reads (the model's own load path), not a re-initialisation
        try (TextToImageModel model = TextToImageModel.withWeights(model(), work);
                NDManager run = model.model().getNDManager().newSubManager()) {
            Inputs in = Inputs.of(model, run);
            for (String workload : WORKLOADS) {
                if (!counts.only().contains(workload)) {
                    continue;
                }
                // the full pass is 25 times longer: fewer steps, as t2i_step.py does
                boolean full = workload.equals("ddim25");
                int w = full ? Math.max(3, warmup / 3) : warmup;
                int n = full ? Math.max(5, measured / 3) : measured;
                StepTimer timer = workload.startsWith("esd-") ? train(model, in, workload, run, w, n,
                        counts.warmupSeconds()) : sample(model, in, workload, w, n, counts.warmupSeconds());
                StepBench.workloadLine(out, workload, w, timer, n);
            }
        }
        StepBench.doneLine(out, begin);
    }

    /** The sampling workloads: each call is one step of the timer, in one phase ({@code forward}). */
    private static StepTimer sample(TextToImageModel model, Inputs in, String workload, int warmup, int measured,
            double warmupSeconds) {
        int stop = workload.equals("ddim1") ? 1 : DDIM_STEPS;
        return StepBench.repeat(warmup, measured, warmupSeconds, () -> {
            try (NDManager step = model.model().getNDManager().newSubManager()) {
                if (workload.equals("unet-b2")) {
                    model.predictNoise(step.zeros(in.noisy2().getShape()).add(in.noisy2()), in.timestep2(), in.both(), false);
                } else {
                    model.sample(new SampleRequest(in.condition(), GUIDANCE, DDIM_STEPS, stop, 0, in.start()), step);
                }
            }
        });
    }

    /**
     * ESD's step through the core's loop: {@code Esd.loss} on fixed inputs, Adam, the chosen group
     * trainable. Warm-up calls of the loop until both the steps and the seconds are reached, then one
     * measured call.
     */
    private static StepTimer train(TextToImageModel model, Inputs in, String workload, NDManager run, int warmup,
            int measured, double warmupSeconds) {
        List<String> all = List.copyOf(model.parameters().keySet());
        model.freeze(all, true);
        model.freeze(model.parameterGroup(workload.equals("esd-x") ? DiffusionModel.GROUP_CROSS_ATTENTION
                : DiffusionModel.GROUP_UNET), false);
        try {
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build();
            return StepBench.optimised(warmup, measured, warmupSeconds,
                    (timer, steps) -> optimise(model, in, run, adam, timer, steps));
        } finally {
            model.freeze(all, false);
        }
    }

    private static void optimise(TextToImageModel model, Inputs in, NDManager run, Optimizer adam, StepTimer timer,
            int steps) {
        RunContext context = BenchRunContexts.context(0, run, timer::loop, null);
        context.optimise(model.model(), adam, steps, (step, scope) -> {
            // x_t into the step's scope, as ESD's sampled x_t is, so that nothing of the step lands in the run's
            int previous = timer.enter("data");
            NDArray noisy = scope.zeros(in.noisy().getShape()).add(in.noisy());
            timer.enter("forward");
            NDArray predicted = model.predictNoise(noisy, in.timestep(), in.condition(), true);
            timer.resume(previous);
            return predicted.sub(in.target()).square().mean();
        });
    }

    // ---------------------------------------------------------------- the driver

    private static void bench(Path root, Path work, Map<String, String> o, String[] args) throws Exception {
        StepBench.Setup setup = StepBench.setup(root, work, o, args, DiffusionSteps.class, "t2i_step.py", "t2i", CHECK);
        JsonNode model = setup.model();
        int rounds = setup.rounds();
        List<String> sides = setup.sides();
        StepBench.Rounds r = setup.run(side -> side.startsWith("lethe") ? setup.lethe(List.of())
                : setup.python("t2i_step.py", side.equals("pytorch-mirror") ? List.of("--mirror") : List.of()));
        StringBuilder md = new StringBuilder(setup.header(r));
        md.append(String.format(Locale.ROOT, "Model: `text-to-image-unet` at the shapes world's full size (vocabulary %d"
                + " tokens with the markers, %d×%d images, widths %d/%d, %d heads, GroupNorm %d, GEGLU ×%d; text encoder %d"
                + " layer × %d, %d heads, MLP %d, %d tokens; T = %d %s), seed 0: %,d parameters (U-Net %,d; attn2 %,d)."
                + " %d rounds, one process per side each, in a rotating order; %s warm-up steps and at least %s s, then %s"
                + " measured steps per process and workload (ddim25: a third of each, at least 3 and 5). Times are thread"
                + " CPU ms per step or call; n counts steps over all rounds. Speed ratio = PyTorch's p50 / Lethe's p50"
                + " (above 1: Lethe faster); paired = the median over rounds of the same ratio within a round.%n%n",
                model.get("tokens").asInt(), model.get("imageSize").asInt(), model.get("imageSize").asInt(),
                model.get("baseChannels").asInt(), model.get("channels").asInt(), model.get("heads").asInt(),
                model.get("groups").asInt(), model.get("ffMult").asInt(), model.get("textLayers").asInt(),
                model.get("textWidth").asInt(), model.get("textHeads").asInt(), model.get("textMlp").asInt(),
                model.get("contextLength").asInt(), model.get("trainingSteps").asInt(), model.get("schedule").asText(),
                model.get("parameters").asLong(), model.get("unetParameters").asLong(),
                model.get("crossAttentionParameters").asLong(), rounds, o.getOrDefault("warmup", "10"),
                o.getOrDefault("warmup-seconds", "2"), o.getOrDefault("steps", "30")));
        md.append(StepBench.TABLE);
        StringBuilder phases = new StringBuilder("Training steps per phase, p50 of the thread CPU ms (data: x_t into the step's scope; forward: the U-Net"
                + " with gradient recording; loss: MSE and reading it; loop: Lethe's step scope, zeroing, progress):\n\n"
                + StepBench.PHASE_TABLE);
        for (String name : WORKLOADS) {
            for (String side : sides) {
                if (!r.has(side, name)) {
                    continue;
                }
                Stats cpu = MethodsBench.total(r.rows(), side, name, "cpu", -1);
                String label = name.equals("ddim25") ? name + String.format(Locale.ROOT, " (per step %s)",
                        MethodsBench.f2(cpu.p50() / DDIM_STEPS)) : name;
                md.append(r.row(label, side, name));
                if (name.startsWith("esd-")) {
                    phases.append(r.phaseRow(side, name));
                }
            }
        }
        md.append('\n').append(phases).append('\n');
        md.append("Equal work (checked by every Python process before it times anything; max |PyTorch − Lethe| on the"
                + " same inputs, first process of each side): ");
        List<String> c = new ArrayList<>();
        r.checks().forEach((side, node) -> {
            JsonNode d = node.get("check");
            c.add(String.format(Locale.ROOT, "%s: condition %.2g, predicted noise (CFG batch of 2) %.2g (|ε| up to %.2f;"
                    + " tolerance %.0e, %s), one DDIM step %.2g, 25-step sample %.2g", side, d.get("condition").asDouble(),
                    d.get("noise").asDouble(), node.get("noiseMaxAbs").asDouble(), node.get("tolerance").asDouble(),
                    node.get("passed").asBoolean() ? "passed" : "FAILED", d.get("ddim1").asDouble(),
                    d.get("ddim25").asDouble()));
        });
        md.append(String.join("; ", c)).append(".\n");
        StepBench.report(setup, md.toString());
    }
}

package org.lethe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;
import org.lethe.models.diffusion.DiffusionTraining;
import org.lethe.models.diffusion.TextToImageConfig;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * Issue 7, deliverable 1: times the text-to-image U-Net's base training step (forward, loss,
 * backward, AdamW; batch 64), one DDIM sampling pass (25 steps, CFG, batch 1 and 8), and the parts
 * of an ESD-like erasure iteration (batch 1: a no-gradient forward, and a training step with only
 * the cross-attention trainable), for candidate widths. Run at 1 intra-op thread:
 *
 * <pre>java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true \
 *   -cp ... org.lethe.bench.DiffusionBench [widths, e.g. 24x48,32x64,48x96] [repetitions] [warm-up]</pre>
 *
 * Prints, per width and workload, the median and p95 in milliseconds over the repetitions.
 */
public final class DiffusionBench {

    private static final List<String> VOCABULARY = List.of("red", "green", "blue", "yellow", "purple", "orange",
            "circle", "square", "triangle", "cross", "plain", "stripes", "dots", "crimson", "scarlet", "ball", "disk",
            "box", "small", "big", "left", "right", "a", "on");
    private static final List<String> PROMPTS = List.of("red circle plain", "green square stripes", "blue cross dots",
            "yellow triangle plain", "crimson ball", "orange box on dots", "purple disk", "big red square");

    private DiffusionBench() {
    }

    /**
     * @param args widths ({@code base x channels}, comma-separated), repetitions, warm-up repetitions
     * @throws Exception when a model fails
     */
    public static void main(String[] args) throws Exception {
        String widths = args.length > 0 ? args[0] : "24x48,32x64,48x96";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warm = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf("# widths %s, %d repetitions after %d warm-up, threads %s%n", widths, reps, warm,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        for (String width : widths.split(",")) {
            String[] parts = width.split("x");
            TextToImageConfig config = TextToImageConfig.of(VOCABULARY)
                    .withChannels(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            try (TextToImageModel model = new TextToImageModel(config, 1)) {
                System.out.printf("%n## widths %s: %,d parameters%n", width, model.parameterCount());
                report("train step, batch 64 (fwd+loss+bwd+AdamW)", trainStep(model, 64, false, reps, warm));
                report("DDIM 25 steps, CFG 4, batch 1", sample(model, 1, reps, warm));
                report("DDIM 25 steps, CFG 4, batch 8", sample(model, 8, reps, warm));
                report("forward, no gradient, batch 1", forward(model, 1, reps, warm));
                report("train step, batch 1, attn2 only (ESD-x)", trainStep(model, 1, true, reps, warm));
                report("train step, batch 1, full U-Net (ESD-u)", trainStep(model, 1, false, reps, warm));
            }
        }
    }

    private static void report(String what, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        double p50 = sorted[sorted.length / 2];
        double p95 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.95 * sorted.length) - 1)];
        System.out.printf("%-45s n=%d  p50 %8.1f ms  p95 %8.1f ms%n", what, millis.length, p50, p95);
    }

    private static float[] images(int batch, Random random) {
        float[] out = new float[batch * 3 * 16 * 16];
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextFloat() * 2 - 1;
        }
        return out;
    }

    private static List<String> prompts(int batch) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            out.add(PROMPTS.get(i % PROMPTS.size()));
        }
        return out;
    }

    private static double[] trainStep(TextToImageModel model, int batch, boolean crossAttentionOnly, int reps, int warm) {
        Random random = new Random(7);
        float[] x0 = images(batch, random);
        List<String> prompts = prompts(batch);
        double[] out = new double[reps];
        try (Trainer trainer = model.model().newTrainer(DiffusionTraining.adamW(model, 1e-4f, 0))) {
            if (crossAttentionOnly) {
                model.freeze(model.parameterGroup(DiffusionModel.GROUP_TEXT_ENCODER), true);
                model.freeze(model.parameterGroup(DiffusionModel.GROUP_UNET_NON_CROSS_ATTENTION), true);
            } else if (batch == 1) {
                model.freeze(model.parameterGroup(DiffusionModel.GROUP_TEXT_ENCODER), true);
            }
            for (int i = 0; i < warm + reps; i++) {
                long start = System.nanoTime();
                DiffusionTraining.step(model, trainer, x0, prompts, 0.1, random);
                if (i >= warm) {
                    out[i - warm] = (System.nanoTime() - start) / 1e6;
                }
            }
        } finally {
            model.freeze(List.copyOf(model.parameters().keySet()), false);
        }
        return out;
    }

    private static double[] sample(TextToImageModel model, int batch, int reps, int warm) {
        double[] out = new double[reps];
        try (NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray condition = model.encode(prompts(batch), scope);
            for (int i = 0; i < warm + reps; i++) {
                long start = System.nanoTime();
                try (NDManager step = scope.newSubManager()) {
                    model.sample(new SampleRequest(condition, 4, 25, 25, i), step);
                }
                if (i >= warm) {
                    out[i - warm] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return out;
    }

    private static double[] forward(TextToImageModel model, int batch, int reps, int warm) {
        double[] out = new double[reps];
        try (NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray condition = model.encode(prompts(batch), scope);
            for (int i = 0; i < warm + reps; i++) {
                long start = System.nanoTime();
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = model.noise(batch, i, step);
                    model.predictNoise(x, step.create(new long[] {500}), condition, false).toFloatArray();
                }
                if (i >= warm) {
                    out[i - warm] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return out;
    }
}

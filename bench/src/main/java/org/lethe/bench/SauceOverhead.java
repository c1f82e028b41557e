package org.lethe.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.method.sauce.SaeFeatureEdit;
import org.lethe.models.vision.VisionLanguageArchitecture;

/**
 * The per-query cost of SAUCE's intervention (issue 9, item 6): thread CPU time of one forward pass
 * of the 64-wide vision-language transformer, clean and with a {@code sae-feature-edit} installed
 * through the real {@link SaeFeatureEdit} service, at a batch of 1 and of 128, for the edit's
 * variants (TopK and ReLU autoencoders 64 → 1024, 16 features, hooked at {@code fusion.0}): the
 * summary + visual positions (default) or all positions, ungated, and gated with the gate passing
 * every input or none (the cheap path for inputs without the concept). Clean and hooked calls
 * alternate per round; the table gives p50 over rounds and the median paired ratio. Weights and
 * autoencoder are random: the cost does not depend on their values.
 *
 * <pre>
 * java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp bench/target/lethe-bench.jar org.lethe.bench.SauceOverhead [calls]
 * </pre>
 */
public final class SauceOverhead {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 15;
    private static final int WARM = 3;

    private SauceOverhead() {
    }

    /**
     * Entry point.
     *
     * @param args optional: calls per round (default 40)
     * @throws Exception when the model or the files fail
     */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Engine.getEngine("PyTorch");
        Path dir = Files.createTempDirectory("sauce-overhead");
        Map<String, String> settings = new HashMap<>();
        settings.put("vocabulary", "what color is the object shape shown texture");
        settings.put("answers", "red green blue yellow purple orange circle square triangle cross plain stripes dots"
                + " matte glossy metallic yes no");
        try (LoadedModel loaded = new VisionLanguageArchitecture().create(settings, 1);
                NDManager manager = NDManager.newBaseManager()) {
            VisionLanguageModel vlm = loaded.view(VisionLanguageModel.class).orElseThrow();
            writeSae(dir.resolve("sae.safetensors"), vlm.width(), 16 * vlm.width(), manager);
            List<Integer> features = new ArrayList<>();
            for (int j = 0; j < 16; j++) {
                features.add(j * 37);
            }
            String list = String.join(",", features.stream().map(String::valueOf).toList());
            Map<String, Map<String, String>> edits = new LinkedHashMap<>();
            edits.put("topk, cls+visual, ungated", edit("topk", "cls+visual", list, "none", ""));
            edits.put("topk, all positions, ungated", edit("topk", "all", list, "none", ""));
            edits.put("relu, cls+visual, ungated", edit("relu", "cls+visual", list, "none", ""));
            edits.put("topk, cls+visual, gate passes all", edit("topk", "cls+visual", list, "mse", "0"));
            edits.put("topk, cls+visual, gate passes none", edit("topk", "cls+visual", list, "mse", "1e30"));
            System.out.printf(Locale.ROOT, "| edit | batch | clean p50 ms | with edit p50 ms | extra (paired median) |%n");
            System.out.printf(Locale.ROOT, "|---|---|---|---|---|%n");
            for (int batch : new int[] {1, 128}) {
                Random random = new Random(batch);
                float[] pixels = new float[batch * 3 * 16 * 16];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = 2 * random.nextFloat() - 1;
                }
                NDArray images = manager.create(pixels, new Shape(batch, 3, 16, 16));
                List<String> questions = Collections.nCopies(batch, "what color is the object");
                for (Map.Entry<String, Map<String, String>> e : edits.entrySet()) {
                    ModelManifest.Attachment attachment = new ModelManifest.Attachment(
                            ModelManifest.Attachment.Type.INTERVENTION, "bench", List.of("sae.safetensors"), e.getValue(),
                            true);
                    Stats clean = new Stats("clean");
                    Stats hooked = new Stats("hooked");
                    for (int round = 0; round < ROUNDS + WARM; round++) {
                        double c = time(vlm, images, questions, manager, calls);
                        double h;
                        try (AutoCloseable handle = new SaeFeatureEdit().apply(loaded, attachment, dir)) {
                            h = time(vlm, images, questions, manager, calls);
                        }
                        if (round >= WARM) {
                            clean.add(c);
                            hooked.add(h);
                        }
                    }
                    System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %+.2f× |%n", e.getKey(), batch, clean.p50(),
                            hooked.p50(), hooked.pairedRatio(clean) - 1);
                }
            }
        }
    }

    private static Map<String, String> edit(String variant, String positions, String features, String gate, String tau) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("intervention", SaeFeatureEdit.TYPE);
        c.put("layer", "fusion.0");
        c.put("positions", positions);
        c.put("variant", variant);
        c.put("k", variant.equals("topk") ? "16" : "0");
        c.put("features", features);
        c.put("gamma", "0.0");
        c.put("mode", "zero");
        c.put("gate", gate);
        c.put("tau", tau);
        return c;
    }

    /** A random autoencoder with unit decoder directions, tied encoder, in the file layout the service reads. */
    private static void writeSae(Path file, int width, int dictionary, NDManager manager) throws Exception {
        try (NDManager scope = manager.newSubManager()) {
            NDArray directions = scope.randomNormal(new Shape(dictionary, width));
            directions = directions.div(directions.norm(new int[] {1}, true));
            NDArray encoder = directions.duplicate();
            encoder.setName("encoder.weight");
            NDArray latent = scope.zeros(new Shape(dictionary));
            latent.setName("latent_bias");
            NDArray decoder = directions.transpose().duplicate();
            decoder.setName("decoder.weight");
            NDArray pre = scope.zeros(new Shape(width));
            pre.setName("pre_bias");
            try (OutputStream out = Files.newOutputStream(file)) {
                new NDList(encoder, latent, decoder, pre).encode(out, NDList.Encoding.SAFETENSORS);
            }
        }
    }

    /** Thread CPU milliseconds per forward pass, over {@code calls} calls. */
    private static double time(VisionLanguageModel vlm, NDArray images, List<String> questions, NDManager manager,
            int calls) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) {
            try (NDManager scope = manager.newSubManager()) {
                images.tempAttach(scope);
                vlm.logits(images, questions, false);
            }
        }
        return (THREADS.getCurrentThreadCpuTime() - c0) / 1e6 / calls;
    }
}

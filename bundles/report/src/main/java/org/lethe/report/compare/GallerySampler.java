package org.lethe.report.compare;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.lethe.api.LetheException;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.report.render.Png;

/**
 * Samples the report's gallery: the same prompts from the same start noise for each row's model, as
 * PNG images. Sample i of a prompt with seed s starts from {@code new Random(s)}'s Gaussians
 * (channel-major), the same start for every model, so the images differ only by the models.
 * It reads a leased copy of each version (the store's versions are never touched) and runs no
 * gradient work, so it does not go through the run queue.
 */
final class GallerySampler {

    /** DDIM steps of the gallery: {@value} (the shapes world's sampler, research/methods-gen.md §6). */
    static final int STEPS = 25;
    /** Classifier-free guidance of the gallery: {@value} (the sanity gate's). */
    static final double GUIDANCE = 4.0;
    /** Prompts sampled per call. */
    private static final int BATCH = 8;

    private final ModelStore store;
    private final Function<String, ModelArchitecture> architectures;

    /**
     * @param store the model store
     * @param architectures architecture name → the deployed architecture, or null
     */
    GallerySampler(ModelStore store, Function<String, ModelArchitecture> architectures) {
        this.store = store;
        this.architectures = architectures;
    }

    /** @return how the images are sampled, for the report's caption */
    static String description() {
        return "DDIM " + STEPS + " steps, classifier-free guidance " + GUIDANCE + ", start noise from each prompt's seed";
    }

    /**
     * @param model a committed text-to-image version
     * @param prompts the prompts
     * @param seeds each prompt's start-noise seed
     * @return one base64 PNG per prompt
     * @throws Exception when the version cannot be loaded or sampled
     */
    List<String> sample(ModelRef model, List<String> prompts, List<Long> seeds) throws Exception {
        try (ModelLease lease = store.lease(model)) {
            ModelArchitecture architecture = architectures.apply(lease.base().architecture());
            if (architecture == null) {
                throw LetheException.failed("the architecture '" + lease.base().architecture() + "' is not deployed", null);
            }
            try (LoadedModel loaded = architecture.load(lease.base(), lease.directory())) {
                DiffusionModel generator = loaded.view(DiffusionModel.class).orElseThrow(() -> LetheException.invalidInput(
                        model + " is not a text-to-image model: no gallery"));
                return sample(generator, prompts, seeds);
            }
        }
    }

    /**
     * @param generator a text-to-image model
     * @param prompts the prompts
     * @param seeds each prompt's start-noise seed
     * @return one base64 PNG per prompt
     */
    static List<String> sample(DiffusionModel generator, List<String> prompts, List<Long> seeds) {
        if (generator.channels() != 3) {
            throw LetheException.invalidInput("the gallery shows RGB images; this model makes " + generator.channels()
                    + " channels");
        }
        int size = generator.imageSize();
        int per = 3 * size * size;
        List<String> out = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += BATCH) {
            int count = Math.min(BATCH, prompts.size() - from);
            float[] start = new float[count * per];
            for (int i = 0; i < count; i++) {
                Random random = new Random(seeds.get(from + i));
                for (int j = 0; j < per; j++) {
                    start[i * per + j] = (float) random.nextGaussian();
                }
            }
            try (NDManager scope = generator.model().getNDManager().newSubManager()) {
                NDArray condition = generator.encode(prompts.subList(from, from + count), scope);
                DiffusionModel.Sample sample = generator.sample(new DiffusionModel.SampleRequest(condition, GUIDANCE, STEPS,
                        STEPS, seeds.get(from), scope.create(start, new Shape(count, 3, size, size))), scope);
                float[] x = sample.latent().toFloatArray();
                for (int i = 0; i < count; i++) {
                    float[] image = new float[per];
                    for (int j = 0; j < per; j++) {
                        image[j] = (x[i * per + j] + 1f) / 2f; // [−1, 1] → [0, 1]; Png clips
                    }
                    out.add(Base64.getEncoder().encodeToString(Png.rgb(image, size, size)));
                }
            }
        }
        return out;
    }
}

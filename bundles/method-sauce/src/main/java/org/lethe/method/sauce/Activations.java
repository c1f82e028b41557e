package org.lethe.method.sauce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.api.run.RunContext;

/**
 * A layer's activations at the hooked positions, per input (one image with its question), as
 * recorded by a hook that changes nothing during plain forward passes.
 */
final class Activations {

    /** Inputs per forward pass. */
    static final int BATCH = 128;

    private final int width;
    private final List<float[]> perInput;
    private final int[] positions;
    private final int count;

    private Activations(int width, List<float[]> perInput, int[] positions) {
        this.width = width;
        this.perInput = perInput;
        this.positions = positions;
        int total = 0;
        for (int p : positions) {
            total += p;
        }
        this.count = total;
    }

    /**
     * Runs the model on the inputs with a recording hook at the layer.
     *
     * @param vlm the model
     * @param layer the layer
     * @param hooked the positions
     * @param items the inputs
     * @param memory where the forward passes allocate (a sub-scope per batch)
     * @param run checked for cancellation between batches
     * @return the activations, per input in the order given
     */
    static Activations collect(VisionLanguageModel vlm, String layer, Positions hooked, List<VqaItem> items,
            NDManager memory, RunContext run) {
        int width = vlm.width();
        List<float[]> perInput = new ArrayList<>(items.size());
        int[] positions = new int[items.size()];
        Sauce.Recorder recorder = new Sauce.Recorder(hooked, vlm.visualTokens());
        try (AutoCloseable hook = vlm.hook(layer, recorder)) {
            for (int start = 0; start < items.size(); start += BATCH) {
                run.checkCancelled();
                List<VqaItem> batch = items.subList(start, Math.min(items.size(), start + BATCH));
                try (NDManager scope = memory.newSubManager()) {
                    recorder.last = null;
                    vlm.logits(vlm.images(batch.stream().map(VqaItem::image).toList(), scope),
                            batch.stream().map(VqaItem::question).toList(), false);
                    if (recorder.last == null) {
                        throw LetheException.failed("the model's forward pass never reached layer '" + layer + "'", null);
                    }
                    int n = (int) recorder.lastPositions;
                    int per = n * width;
                    for (int b = 0; b < batch.size(); b++) {
                        float[] input = new float[per];
                        System.arraycopy(recorder.last, b * per, input, 0, per);
                        perInput.add(input);
                        positions[start + b] = n;
                    }
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw LetheException.failed("removing the recording hook at '" + layer + "' failed", e);
        }
        return new Activations(width, perInput, positions);
    }

    /** @return the number of vectors (positions over all inputs) */
    int count() {
        return count;
    }

    /** @return the number of inputs */
    int inputs() {
        return perInput.size();
    }

    /** @return input i's vectors, positions × width */
    float[] input(int i) {
        return perInput.get(i);
    }

    /** @return input i's number of positions */
    int positions(int i) {
        return positions[i];
    }

    /** @return every vector, count × width, row-major */
    float[] rows() {
        float[] out = new float[count * width];
        int offset = 0;
        for (float[] input : perInput) {
            System.arraycopy(input, 0, out, offset, input.length);
            offset += input.length;
        }
        return out;
    }

    /**
     * @param sae the autoencoder
     * @param memory scratch memory
     * @return each input's codes summed and maximised over its positions
     */
    List<FeatureScores.Summary> summaries(Sae sae, NDManager memory) {
        List<FeatureScores.Summary> out = new ArrayList<>(perInput.size());
        try (NDManager scope = memory.newSubManager()) {
            Sae.On on = sae.on(scope);
            for (int i = 0; i < perInput.size(); i++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray z = on.encode(step.create(perInput.get(i), new Shape(positions[i], width)));
                    out.add(new FeatureScores.Summary(z.sum(new int[] {0}).toFloatArray(), z.max(new int[] {0})
                            .toFloatArray(), positions[i]));
                }
            }
        }
        return out;
    }
}

package org.lethe.method.sauce;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lethe.api.run.RunContext;

/**
 * Trains a {@link Sae} on activation vectors in the framework's optimisation loop
 * ({@link RunContext#optimise}), methods-gen.md §4.1:
 *
 * <pre>
 * b_pre = mean(x);  W_dec rows = random unit directions;  W_enc = W_dec (tied initialisation, ItD);  b_lat = 0
 * s² = mean ‖x − mean(x)‖²                       # the loss is measured in units of the data's spread
 * per step (a seeded batch of vectors):
 *     L = mean ‖x − x̂‖² / s²  (+ λ · mean Σ_j z_j / s   for relu)
 *     Adam step; for topk the decoder gradient's component along each decoder direction is removed
 *     first (ItD's parallel-gradient projection); then every decoder direction is renormalised to 1
 * </pre>
 *
 * The unit-norm decoder keeps the L1 penalty from being paid by shrinking codes against growing
 * directions; dividing by s and s² makes λ independent of the layer's scale. ItD's AuxK loss on
 * dead latents is not implemented (the dictionary here is thousands, not half a million, wide).
 */
final class SaeTrainer {

    /**
     * @param variant relu or topk
     * @param dictionary the number of features
     * @param k topk's k
     * @param l1 λ of relu's L1 penalty
     * @param epochs passes over the vectors
     * @param minSteps the least number of steps, whatever the epochs give (a small task's few vectors
     *     are passed over more often)
     * @param learningRate Adam's learning rate
     * @param batchSize vectors per step
     */
    record Settings(Sae.Variant variant, int dictionary, int k, double l1, int epochs, int minSteps,
            double learningRate, int batchSize) {
    }

    /**
     * What training gave.
     *
     * @param sae the autoencoder
     * @param losses the loss of every step
     */
    record Trained(Sae sae, float[] losses) {
    }

    private SaeTrainer() {
    }

    /**
     * @param rows the vectors, count × width, row-major
     * @param count the number of vectors, ≥ 1
     * @param width d
     * @param settings the hyper-parameters
     * @param run the run: its random source initialises the weights and shuffles the batches, its
     *     loop optimises
     * @return the trained autoencoder and its losses
     */
    static Trained train(float[] rows, int count, int width, Settings settings, RunContext run) {
        int d = settings.dictionary();
        float[] mean = new float[width];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < width; c++) {
                mean[c] += rows[i * width + c];
            }
        }
        for (int c = 0; c < width; c++) {
            mean[c] /= count;
        }
        double spread = 0;
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < width; c++) {
                double v = rows[i * width + c] - mean[c];
                spread += v * v;
            }
        }
        spread = Math.max(spread / count, 1e-12);
        Random random = run.random();
        float[] directions = new float[d * width];
        for (int j = 0; j < d; j++) {
            double norm = 0;
            for (int c = 0; c < width; c++) {
                float v = (float) random.nextGaussian();
                directions[j * width + c] = v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int c = 0; c < width; c++) {
                directions[j * width + c] *= inv;
            }
        }
        float[] encoderT = new float[width * d];
        for (int j = 0; j < d; j++) {
            for (int c = 0; c < width; c++) {
                encoderT[c * d + j] = directions[j * width + c];
            }
        }
        NDManager runMemory = run.manager();
        try (Model model = Model.newInstance("sauce-sae", runMemory.getEngine().getEngineName())) {
            NDManager memory = model.getNDManager();
            SaeBlock block = new SaeBlock(memory.create(encoderT, new Shape(width, d)), memory.create(new float[d]),
                    memory.create(directions, new Shape(d, width)), memory.create(mean));
            model.setBlock(block);
            int perEpoch = (count + settings.batchSize() - 1) / settings.batchSize();
            int steps = Math.max(Math.max(1, settings.minSteps()), settings.epochs() * perEpoch);
            List<Integer> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ids.add(i);
            }
            RunContext.Batches<Integer> batches = run.batches(ids, settings.batchSize());
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) settings.learningRate()))
                    .optEpsilon(6.25e-10f).build();
            Optimizer optimizer = new Constrained(adam, block.decoder.getId(), settings.variant() == Sae.Variant.TOPK);
            float inverseSpread = (float) (1 / spread);
            float l1 = (float) (settings.l1() / Math.sqrt(spread));
            float[] losses = run.optimise(model, optimizer, steps, (step, scope) -> {
                List<Integer> batch = batches.next();
                float[] buffer = new float[batch.size() * width];
                for (int b = 0; b < batch.size(); b++) {
                    System.arraycopy(rows, batch.get(b) * width, buffer, b * width, width);
                }
                NDArray x = scope.create(buffer, new Shape(batch.size(), width));
                NDArray pre = x.sub(block.preBias.getArray()).matMul(block.encoderT.getArray())
                        .add(block.latentBias.getArray());
                NDArray z = Sae.codes(pre, settings.variant(), settings.k());
                NDArray reconstruction = z.matMul(block.decoder.getArray()).add(block.preBias.getArray());
                NDArray loss = reconstruction.sub(x).square().sum(new int[] {1}).mean().mul(scope.create(inverseSpread));
                if (settings.variant() == Sae.Variant.RELU) {
                    loss = loss.add(z.sum(new int[] {1}).mean().mul(scope.create(l1)));
                }
                return loss;
            });
            float[] encT = block.encoderT.getArray().toFloatArray();
            float[] encoder = new float[d * width];
            for (int c = 0; c < width; c++) {
                for (int j = 0; j < d; j++) {
                    encoder[j * width + c] = encT[c * d + j];
                }
            }
            Sae sae = new Sae(settings.variant(), width, d, settings.k(), encoder, block.latentBias.getArray().toFloatArray(),
                    block.decoder.getArray().toFloatArray(), block.preBias.getArray().toFloatArray());
            return new Trained(sae, losses);
        }
    }

    /**
     * Reconstruction quality on held-out vectors.
     *
     * @param fvu the fraction of variance unexplained, Σ‖x − x̂‖² / Σ‖x − mean(x)‖²
     * @param meanL0 the mean number of non-zero codes per vector
     * @param count the vectors measured
     */
    record Quality(double fvu, double meanL0, int count) {
    }

    /**
     * @param sae the autoencoder
     * @param rows the vectors, count × width
     * @param count how many
     * @param manager where the work happens (a sub-scope per batch)
     * @return FVU and mean L0
     */
    static Quality quality(Sae sae, float[] rows, int count, NDManager manager) {
        int width = sae.width();
        double[] mean = new double[width];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < width; c++) {
                mean[c] += rows[i * width + c];
            }
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < width; c++) {
                double v = rows[i * width + c] - mean[c] / count;
                total += v * v;
            }
        }
        double error = 0;
        double active = 0;
        int batch = 1024;
        try (NDManager scope = manager.newSubManager()) {
            Sae.On on = sae.on(scope);
            for (int start = 0; start < count; start += batch) {
                int n = Math.min(batch, count - start);
                try (NDManager step = scope.newSubManager()) {
                    float[] buffer = new float[n * width];
                    System.arraycopy(rows, start * width, buffer, 0, n * width);
                    NDArray x = step.create(buffer, new Shape(n, width));
                    NDArray z = on.encode(x);
                    error += on.decode(z).sub(x).square().sum().getFloat();
                    active += z.gt(0f).sum().getLong();
                }
            }
        }
        return new Quality(total > 0 ? error / total : 0, active / Math.max(1, count), count);
    }

    /** The autoencoder's parameters as a block, so the framework's loop finds and updates them. */
    static final class SaeBlock extends AbstractBlock {
        final Parameter encoderT;
        final Parameter latentBias;
        final Parameter decoder;
        final Parameter preBias;

        SaeBlock(NDArray encoderT, NDArray latentBias, NDArray decoder, NDArray preBias) {
            this.encoderT = addParameter(parameter("encoderT", encoderT));
            this.latentBias = addParameter(parameter("latentBias", latentBias));
            this.decoder = addParameter(parameter("decoder", decoder));
            this.preBias = addParameter(parameter("preBias", preBias));
        }

        private static Parameter parameter(String name, NDArray array) {
            Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
            p.setArray(array);
            return p;
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            throw new UnsupportedOperationException("the autoencoder's loss is computed by SaeTrainer, not by a forward call");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    /**
     * Adam with the decoder's constraints: for topk the gradient's component along each decoder
     * direction is projected out before the step (ItD); after the step every direction is scaled
     * back to unit norm (both variants).
     */
    static final class Constrained extends Optimizer {
        private final Optimizer inner;
        private final String decoderId;
        private final boolean project;

        Constrained(Optimizer inner, String decoderId, boolean project) {
            super(new Builder());
            this.inner = inner;
            this.decoderId = decoderId;
            this.project = project;
        }

        @Override
        public void update(String parameterId, NDArray weight, NDArray grad) {
            if (!parameterId.equals(decoderId)) {
                inner.update(parameterId, weight, grad);
                return;
            }
            if (project) {
                try (NDArray along = grad.mul(weight).sum(new int[] {1}, true);
                        NDArray parallel = weight.mul(along);
                        NDArray projected = grad.sub(parallel)) {
                    inner.update(parameterId, weight, projected);
                }
            } else {
                inner.update(parameterId, weight, grad);
            }
            try (NDArray norms = weight.norm(new int[] {1}, true)) {
                weight.divi(norms);
            }
        }

        private static final class Builder extends OptimizerBuilder<Builder> {
            @Override
            protected Builder self() {
                return this;
            }
        }
    }
}

package org.lethe.models.classifier;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.models.weights.ParameterBlock;
import org.lethe.models.weights.SafetensorsWeights;

/**
 * The concept classifier in memory: its DJL model and the {@link ConceptClassifier} view (see the
 * package documentation for the network and names).
 *
 * <p>Every operation takes a batch-scoped array as its first input (a parameter is only a second
 * operand), and constants are arrays of that scope, never {@code mul(Number)} (DESIGN §7), so every
 * result lives in the caller's scope. Not thread-safe: one run uses a model at a time.
 */
public final class ConceptClassifierModel implements LoadedModel, ConceptClassifier {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = SafetensorsWeights.WEIGHTS;

    private final ClassifierConfig config;
    private final Block block;
    private final Model model;

    /**
     * Creates a model with freshly initialised weights.
     *
     * @param config the settings
     * @param seed the seed of the initialisation (a Java generator's)
     */
    public ConceptClassifierModel(ClassifierConfig config, long seed) {
        this.config = config;
        this.block = new Block(config);
        this.model = ParameterBlock.newModel(ConceptClassifierArchitecture.NAME, block, seed);
    }

    /** @return the settings */
    public ClassifierConfig settings() {
        return config;
    }

    /** @return the parameter names, in declaration order (what a weights file holds) */
    public List<String> parameterNames() {
        return block.parameterNames();
    }

    /** @return the number of values in the parameters */
    public long parameterCount() {
        return block.parameterCount();
    }

    // ---------------------------------------------------------------- LoadedModel

    @Override
    public ModelKind kind() {
        return ModelKind.CLASSIFIER;
    }

    @Override
    public Map<String, String> config() {
        return config.toMap();
    }

    @Override
    public <V> Optional<V> view(Class<V> type) {
        return type == ConceptClassifier.class ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** Writes the parameters as one safetensors file keyed by parameter name (atomically). */
    @Override
    public void save(Path directory) throws IOException {
        SafetensorsWeights.save(block.arrays(), directory);
    }

    /**
     * Reads weights written by {@link #save}; every parameter must be present with its shape.
     *
     * @param directory the folder holding {@value #WEIGHTS}
     * @throws IOException when the file cannot be read, lacks a parameter or has a wrong shape
     */
    public void loadWeights(Path directory) throws IOException {
        SafetensorsWeights.load(block.arrays(), directory, model.getNDManager());
    }

    /**
     * Loads weights into a freshly made model, closing it if they cannot be read.
     *
     * @param model a model of the right shape
     * @param directory the folder holding {@value #WEIGHTS}
     * @return the model, loaded
     * @throws IOException as {@link #loadWeights}
     */
    public static ConceptClassifierModel withWeights(ConceptClassifierModel model, Path directory) throws IOException {
        return SafetensorsWeights.loadOrClose(model, directory, (m, d) -> m.loadWeights(d));
    }

    @Override
    public void close() {
        model.close();
    }

    // ---------------------------------------------------------------- ConceptClassifier

    @Override
    public Model model() {
        return model;
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public List<String> heads() {
        return config.heads().stream().map(ClassifierConfig.Head::name).toList();
    }

    @Override
    public List<String> classes(String head) {
        return config.head(head).classes();
    }

    @Override
    public int featureWidth() {
        return config.featureWidth();
    }

    @Override
    public Output forward(NDArray images, boolean training) {
        Shape s = images.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException("images must be (batch, " + config.channels() + ", " + size + ", "
                    + size + "), not " + s);
        }
        return block.forward(new ParameterStore(images.getManager(), false), images, training);
    }

    @Override
    public NDArray loss(NDArray images, Map<String, int[]> labels, boolean training) {
        int batch = (int) images.getShape().get(0);
        for (String head : labels.keySet()) {
            config.head(head);
        }
        NDManager scope = images.getManager();
        Output out = forward(images, training);
        NDArray total = null;
        for (ClassifierConfig.Head head : config.heads()) {
            int[] y = labels.get(head.name());
            if (y == null) {
                throw new IllegalArgumentException("no labels for head '" + head.name() + "'; heads are " + heads());
            }
            if (y.length != batch) {
                throw new IllegalArgumentException(y.length + " labels of head '" + head.name() + "' for " + batch
                        + " images");
            }
            int k = head.classes().size();
            float[] oneHot = new float[batch * k];
            int count = 0;
            for (int i = 0; i < batch; i++) {
                if (y[i] == UNLABELLED) {
                    continue;
                }
                if (y[i] < 0 || y[i] >= k) {
                    throw new IllegalArgumentException("label " + y[i] + " of image " + i + " is not a class of head '"
                            + head.name() + "' (0.." + (k - 1) + " or " + UNLABELLED + ")");
                }
                oneHot[i * k + y[i]] = 1f;
                count++;
            }
            if (count == 0) {
                continue;
            }
            NDArray nll = out.logits().get(head.name()).logSoftmax(1).mul(scope.create(oneHot, new Shape(batch, k)))
                    .sum().neg().div(scope.create((float) count));
            total = total == null ? nll : total.add(nll);
        }
        if (total == null) {
            throw new IllegalArgumentException("no image of the batch is labelled for any head");
        }
        return total;
    }

    @Override
    public Map<String, int[]> predict(NDArray images) {
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray x = scope.zeros(images.getShape(), images.getDataType()).add(images);
            Output out = forward(x, false);
            Map<String, int[]> result = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : out.logits().entrySet()) {
                long[] arg = e.getValue().argMax(1).toType(DataType.INT64, false).toLongArray();
                int[] classes = new int[arg.length];
                for (int i = 0; i < arg.length; i++) {
                    classes[i] = (int) arg[i];
                }
                result.put(e.getKey(), classes);
            }
            return result;
        }
    }

    @Override
    public NDArray features(NDArray images) {
        return forward(images, false).features().stopGradient();
    }

    @Override
    public float[] augment(float[] images, Random random) {
        int n = config.imageSize();
        int c = config.channels();
        int per = c * n * n;
        if (images.length % per != 0) {
            throw new IllegalArgumentException(images.length + " values are not whole images of " + per);
        }
        float[] out = new float[images.length];
        float[] work = new float[per];
        for (int image = 0; image < images.length / per; image++) {
            int base = image * per;
            int dx = config.shift() == 0 ? 0 : random.nextInt(2 * config.shift() + 1) - config.shift();
            int dy = config.shift() == 0 ? 0 : random.nextInt(2 * config.shift() + 1) - config.shift();
            boolean mirror = config.flip() && random.nextBoolean();
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < n; y++) {
                    int sy = Math.max(0, Math.min(n - 1, y - dy));
                    for (int x = 0; x < n; x++) {
                        int sx = Math.max(0, Math.min(n - 1, x - dx));
                        if (mirror) {
                            sx = n - 1 - sx;
                        }
                        work[ch * n * n + y * n + x] = images[base + ch * n * n + sy * n + sx];
                    }
                }
            }
            if (config.blur() > 0 && random.nextDouble() < config.blur()) {
                float weight = (float) (random.nextDouble() * 0.5);
                float[] blurred = boxBlur(work, c, n);
                for (int i = 0; i < per; i++) {
                    work[i] = work[i] * (1 - weight) + blurred[i] * weight;
                }
            }
            float gain = (float) (1 + config.jitter() * (2 * random.nextDouble() - 1));
            float sigma = (float) (config.noise() * random.nextDouble());
            for (int ch = 0; ch < c; ch++) {
                float offset = (float) (config.jitter() / 2 * (2 * random.nextDouble() - 1));
                for (int i = ch * n * n; i < (ch + 1) * n * n; i++) {
                    float v = work[i] * gain + offset;
                    if (sigma > 0) {
                        v += (float) (random.nextGaussian() * sigma);
                    }
                    out[base + i] = v < 0f ? 0f : (v > 1f ? 1f : v);
                }
            }
        }
        return out;
    }

    private static float[] boxBlur(float[] image, int channels, int n) {
        float[] out = new float[image.length];
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    float sum = 0;
                    int count = 0;
                    for (int j = Math.max(0, y - 1); j <= Math.min(n - 1, y + 1); j++) {
                        for (int i = Math.max(0, x - 1); i <= Math.min(n - 1, x + 1); i++) {
                            sum += image[ch * n * n + j * n + i];
                            count++;
                        }
                    }
                    out[ch * n * n + y * n + x] = sum / count;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the network

    /** The parameters and the forward pass, as one DJL block (so the run's loop finds the parameters). */
    static final class Block extends ParameterBlock {

        private final ClassifierConfig config;

        Block(ClassifierConfig config) {
            this.config = config;
            int in = config.channels();
            for (int i = 0; i < 3; i++) {
                int out = config.widths().get(i);
                linear("conv." + i, new long[] {out, in, 3, 3}, (long) in * 9);
                in = out;
            }
            int side = config.imageSize() / 4;
            linear("fc", new long[] {config.featureWidth(), (long) in * side * side}, (long) in * side * side);
            for (ClassifierConfig.Head h : config.heads()) {
                linear("heads." + h.name(), new long[] {h.classes().size(), config.featureWidth()},
                        config.featureWidth());
            }
        }

        Output forward(ParameterStore store, NDArray images, boolean training) {
            NDManager scope = images.getManager();
            NDArray x = images.mul(scope.create(2f)).sub(scope.create(1f));
            for (int i = 0; i < 3; i++) {
                int stride = i == 0 ? 1 : 2;
                x = Conv2d.conv2d(x, value(store, x, "conv." + i + ".weight", training),
                        value(store, x, "conv." + i + ".bias", training), new Shape(stride, stride), new Shape(1, 1))
                        .head().getNDArrayInternal().relu();
            }
            NDArray flat = x.reshape(x.getShape().get(0), -1);
            NDArray features = Linear.linear(flat, value(store, flat, "fc.weight", training),
                    value(store, flat, "fc.bias", training)).head().getNDArrayInternal().relu();
            Map<String, NDArray> logits = new LinkedHashMap<>();
            for (ClassifierConfig.Head h : config.heads()) {
                logits.put(h.name(), Linear.linear(features, value(store, features, "heads." + h.name() + ".weight",
                        training), value(store, features, "heads." + h.name() + ".bias", training)).head());
            }
            return new Output(logits, features);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            Output out = forward(store, inputs.head(), training);
            NDList list = new NDList(new ArrayList<>(out.logits().values()));
            list.add(out.features());
            return list;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            long batch = inputShapes[0].get(0);
            List<Shape> out = new ArrayList<>();
            for (ClassifierConfig.Head h : config.heads()) {
                out.add(new Shape(batch, h.classes().size()));
            }
            out.add(new Shape(batch, config.featureWidth()));
            return out.toArray(Shape[]::new);
        }
    }
}

package org.lethe.models.vision;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.lethe.api.LetheException;
import org.lethe.api.model.AnswerModel;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.models.text.WordTokenizer;
import org.lethe.models.weights.ParameterBlock;
import org.lethe.models.weights.SafetensorsWeights;

/**
 * The vision-language transformer in memory: its DJL model and the {@link VisionLanguageModel}
 * view (see the package documentation for the network, the names and the layers).
 *
 * <p>Every operation takes a batch-scoped array as its first input (a parameter is only a second
 * operand, embeddings are looked up by a one-hot product), and constants are arrays of that scope,
 * never {@code mul(Number)} (DESIGN §7), so every result lives in the caller's scope. Not
 * thread-safe: one run uses a model at a time.
 */
public final class VisionLanguageTransformer implements LoadedModel, VisionLanguageModel {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = SafetensorsWeights.WEIGHTS;

    /** The layer holding the input sequence that enters the first block. */
    public static final String ENCODER = "encoder";

    /** The prefix of a block's layer name ({@code fusion.0}, {@code fusion.1}, ...). */
    public static final String FUSION = "fusion.";

    private static final float MASKED = -1e9f;
    private static final float EPSILON = 1e-5f;

    private final VisionLanguageConfig config;
    private final WordTokenizer tokenizer;
    private final Block block;
    private final Model model;
    private final List<String> layers;
    private final Map<String, List<Hook>> hooks = new LinkedHashMap<>();

    /**
     * Creates a model with freshly initialised weights.
     *
     * @param config the settings
     * @param seed the seed of the initialisation (a Java generator's)
     */
    public VisionLanguageTransformer(VisionLanguageConfig config, long seed) {
        this.config = config;
        this.tokenizer = new WordTokenizer(config.vocabulary());
        List<String> names = new ArrayList<>();
        names.add(ENCODER);
        for (int i = 0; i < config.layers(); i++) {
            names.add(FUSION + i);
        }
        this.layers = List.copyOf(names);
        for (String layer : layers) {
            hooks.put(layer, new ArrayList<>());
        }
        this.block = new Block(config, tokenizer.vocabularySize());
        this.model = ParameterBlock.newModel(VisionLanguageArchitecture.NAME, block, seed);
    }

    /** @return the settings */
    public VisionLanguageConfig settings() {
        return config;
    }

    /** @return the question tokenizer (markers, then the configured vocabulary) */
    public WordTokenizer tokenizer() {
        return tokenizer;
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
        return ModelKind.VISION_LANGUAGE;
    }

    @Override
    public Map<String, String> config() {
        return config.toMap();
    }

    @Override
    public <V> Optional<V> view(Class<V> type) {
        // the shared question-answering view too (gradient ascent and GradDiff are written against it)
        return type == VisionLanguageModel.class || type == AnswerModel.class ? Optional.of(type.cast(this))
                : Optional.empty();
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
    public static VisionLanguageTransformer withWeights(VisionLanguageTransformer model, Path directory)
            throws IOException {
        return SafetensorsWeights.loadOrClose(model, directory, (m, d) -> m.loadWeights(d));
    }

    @Override
    public void close() {
        model.close();
    }

    // ---------------------------------------------------------------- VisionLanguageModel

    @Override
    public Model model() {
        return model;
    }

    @Override
    public List<String> answers() {
        return config.answers();
    }

    @Override
    public Shape imageShape() {
        return new Shape(config.channels(), config.imageSize(), config.imageSize());
    }

    @Override
    public int width() {
        return config.width();
    }

    @Override
    public int visualTokens() {
        return config.visualTokens();
    }

    @Override
    public NDArray logits(NDArray images, List<String> questions, boolean training) {
        return logits(images, questions, null, training);
    }

    @Override
    public NDArray logits(NDArray images, List<String> questions, NDArray appended, boolean training) {
        Shape s = images.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException("images must be (batch, " + config.channels() + ", " + size + ", " + size
                    + "), not " + s);
        }
        if (questions.size() != s.get(0)) {
            throw new IllegalArgumentException(questions.size() + " questions for " + s.get(0) + " images");
        }
        int[][] tokens = new int[questions.size()][];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = tokenizer.encode(questions.get(i));
            if (tokens[i].length == 0 || tokens[i].length > config.maxQuestionTokens()) {
                throw new IllegalArgumentException("question " + i + " ('" + questions.get(i) + "') has "
                        + tokens[i].length + " tokens; the model reads 1 to " + config.maxQuestionTokens());
            }
        }
        int extra = 0;
        if (appended != null) {
            Shape a = appended.getShape();
            boolean shared = a.dimension() == 2;
            if (!(shared || a.dimension() == 3 && a.get(0) == s.get(0)) || a.get(a.dimension() - 1) != config.width()) {
                throw new IllegalArgumentException("appended embeddings must be (n, " + config.width() + ") or ("
                        + s.get(0) + ", n, " + config.width() + "), not " + a);
            }
            extra = (int) a.get(a.dimension() - 2);
            if (extra > config.maxAppended()) {
                throw new IllegalArgumentException(extra + " appended embeddings; the model has positions for "
                        + config.maxAppended());
            }
        }
        return block.forward(new ParameterStore(images.getManager(), false), images, tokens,
                extra == 0 ? null : appended, extra, training);
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public AutoCloseable hook(String layer, UnaryOperator<NDArray> edit) {
        java.util.Objects.requireNonNull(edit, "edit");
        List<Hook> list = hooks.get(layer);
        if (list == null) {
            throw LetheException.invalidInput("no layer '" + layer + "' in " + VisionLanguageArchitecture.NAME
                    + "; its layers are " + String.join(", ", layers));
        }
        Hook hook = new Hook(list, edit);
        list.add(hook);
        return hook;
    }

    /** A hook at one layer; closing removes it (once). */
    private static final class Hook implements AutoCloseable {

        private final List<Hook> owner;
        private final UnaryOperator<NDArray> edit;

        Hook(List<Hook> owner, UnaryOperator<NDArray> edit) {
            this.owner = owner;
            this.edit = edit;
        }

        @Override
        public void close() {
            owner.removeIf(h -> h == this);
        }
    }

    /** Runs the hooks of a layer in order; the output keeps its shape. */
    private NDArray hooked(String layer, NDArray output) {
        List<Hook> list = hooks.get(layer);
        if (list.isEmpty()) {
            return output;
        }
        NDArray x = output;
        for (Hook h : List.copyOf(list)) {
            NDArray edited = h.edit.apply(x);
            if (edited == null || !edited.getShape().equals(x.getShape())) {
                throw new IllegalStateException("a hook at layer '" + layer + "' returned "
                        + (edited == null ? "null" : edited.getShape().toString()) + " for " + x.getShape());
            }
            x = edited;
        }
        return x;
    }

    // ---------------------------------------------------------------- the network

    /** The parameters and the forward pass, as one DJL block (so the run's loop finds the parameters). */
    final class Block extends ParameterBlock {

        private final VisionLanguageConfig config;
        private final int vocabulary;
        private final int side;
        private final int positions;
        Block(VisionLanguageConfig config, int vocabulary) {
            this.config = config;
            this.vocabulary = vocabulary;
            this.side = config.imageSize() / 4;
            this.positions = config.maxQuestionTokens() + config.maxAppended();
            int w = config.width();
            int c = config.channels();
            int cw = config.convWidth();
            int k = config.kernel();
            linear("encoder.conv.0", new long[] {cw, c, k, k}, (long) c * k * k);
            linear("encoder.conv.1", new long[] {w, cw, k, k}, (long) cw * k * k);
            embedding("encoder.row", new long[] {side, w}, 0.02);
            embedding("encoder.column", new long[] {side, w}, 0.02);
            embedding("encoder.cls", new long[] {w}, 0.02);
            embedding("encoder.token", new long[] {vocabulary, w}, 0.3);
            embedding("encoder.position", new long[] {positions, w}, 0.02);
            for (int i = 0; i < config.layers(); i++) {
                String p = FUSION + i + ".";
                norm(p + "norm1", w);
                for (String proj : List.of("query", "key", "value", "output")) {
                    linear(p + "attention." + proj, new long[] {w, w}, w);
                }
                norm(p + "norm2", w);
                linear(p + "mlp.in", new long[] {config.mlp(), w}, w);
                linear(p + "mlp.out", new long[] {w, config.mlp()}, config.mlp());
            }
            norm("head.norm", w);
            linear("head.answer", new long[] {config.answers().size(), w}, w);
        }

        private NDArray linear(ParameterStore store, NDArray x, String layer, boolean training) {
            return Linear.linear(x, value(store, x, layer + ".weight", training), value(store, x, layer + ".bias", training))
                    .head();
        }

        private NDArray norm(ParameterStore store, NDArray x, String layer, boolean training) {
            return LayerNorm.layerNorm(x, new Shape(config.width()), value(store, x, layer + ".weight", training),
                    value(store, x, layer + ".bias", training), EPSILON).head();
        }

        private NDArray conv(ParameterStore store, NDArray x, String layer, boolean training) {
            return Conv2d.conv2d(x, value(store, x, layer + ".weight", training), value(store, x, layer + ".bias", training),
                    new Shape(2, 2), new Shape(config.kernel() / 2, config.kernel() / 2)).head();
        }

        /** A (rows, columns) one-hot matrix in the scope: row r has a 1 at {@code columnOf[r]} (none if −1). */
        private NDArray oneHot(NDManager scope, int[] columnOf, int columns) {
            float[] values = new float[columnOf.length * columns];
            for (int r = 0; r < columnOf.length; r++) {
                if (columnOf[r] >= 0) {
                    values[r * columns + columnOf[r]] = 1f;
                }
            }
            return scope.create(values, new Shape(columnOf.length, columns));
        }

        NDArray forward(ParameterStore store, NDArray images, int[][] tokens, NDArray appended, int extra,
                boolean training) {
            NDManager scope = images.getManager();
            int batch = tokens.length;
            int w = config.width();
            int visual = side * side;
            // the image encoder: two stride-2 convolutions, the 4 × 4 grid as tokens (row by row)
            NDArray x = Activation.relu(conv(store, images, "encoder.conv.0", training));
            x = conv(store, x, "encoder.conv.1", training);
            NDArray visualTokens = x.reshape(batch, w, visual).transpose(0, 2, 1);
            int[] rowOf = new int[visual];
            int[] columnOf = new int[visual];
            for (int t = 0; t < visual; t++) {
                rowOf[t] = t / side;
                columnOf[t] = t % side;
            }
            NDArray grid = oneHot(scope, rowOf, side).matMul(value(store, images, "encoder.row", training))
                    .add(oneHot(scope, columnOf, side).matMul(value(store, images, "encoder.column", training)));
            visualTokens = visualTokens.add(grid);
            // the question tokens, looked up by a one-hot product, padded to the batch's longest
            int longest = 0;
            for (int[] t : tokens) {
                longest = Math.max(longest, t.length);
            }
            int[] ids = new int[batch * longest];
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < longest; j++) {
                    ids[i * longest + j] = j < tokens[i].length ? tokens[i][j] : WordTokenizer.PAD;
                }
            }
            NDArray words = oneHot(scope, ids, vocabulary).matMul(value(store, images, "encoder.token", training))
                    .reshape(batch, longest, w);
            int text = longest + extra;
            NDArray textTokens;
            if (appended == null) {
                textTokens = words;
            } else {
                // place each question's words at 0..L−1 and the appended embeddings at L..L+n−1
                float[] placeWords = new float[batch * text * longest];
                float[] placeAppended = new float[batch * text * extra];
                for (int i = 0; i < batch; i++) {
                    int length = tokens[i].length;
                    for (int j = 0; j < length; j++) {
                        placeWords[(i * text + j) * longest + j] = 1f;
                    }
                    for (int j = 0; j < extra; j++) {
                        placeAppended[(i * text + length + j) * extra + j] = 1f;
                    }
                }
                textTokens = scope.create(placeWords, new Shape(batch, text, longest)).matMul(words)
                        .add(scope.create(placeAppended, new Shape(batch, text, extra)).matMul(appended));
            }
            int[] positionOf = new int[text];
            for (int t = 0; t < text; t++) {
                positionOf[t] = t;
            }
            textTokens = textTokens.add(oneHot(scope, positionOf, positions)
                    .matMul(value(store, images, "encoder.position", training)));
            NDArray cls = scope.ones(new Shape(batch, 1, 1)).mul(value(store, images, "encoder.cls", training));
            NDArray sequence = NDArrays.concat(new NDList(cls, visualTokens, textTokens), 1);
            int length = 1 + visual + text;
            float[] mask = new float[batch * length];
            for (int i = 0; i < batch; i++) {
                for (int t = 1 + visual + tokens[i].length + extra; t < length; t++) {
                    mask[i * length + t] = MASKED;
                }
            }
            NDArray keyMask = scope.create(mask, new Shape(batch, 1, 1, length));
            NDArray scale = scope.create((float) (1.0 / Math.sqrt((double) w / config.heads())));
            sequence = hooked(ENCODER, sequence);
            for (int i = 0; i < config.layers(); i++) {
                sequence = fusion(store, sequence, FUSION + i + ".", keyMask, scale, training);
                sequence = hooked(FUSION + i, sequence);
            }
            NDArray summary = sequence.get(":, 0, :");
            return linear(store, norm(store, summary, "head.norm", training), "head.answer", training);
        }

        /** One pre-LN block: x + attention(norm1(x)), then + mlp(norm2(·)). */
        private NDArray fusion(ParameterStore store, NDArray x, String prefix, NDArray keyMask, NDArray scale,
                boolean training) {
            long batch = x.getShape().get(0);
            long length = x.getShape().get(1);
            int heads = config.heads();
            long headWidth = config.width() / heads;
            NDArray h = norm(store, x, prefix + "norm1", training);
            NDArray q = linear(store, h, prefix + "attention.query", training).reshape(batch, length, heads, headWidth)
                    .transpose(0, 2, 1, 3);
            NDArray k = linear(store, h, prefix + "attention.key", training).reshape(batch, length, heads, headWidth)
                    .transpose(0, 2, 3, 1);
            NDArray v = linear(store, h, prefix + "attention.value", training).reshape(batch, length, heads, headWidth)
                    .transpose(0, 2, 1, 3);
            NDArray weights = q.mul(scale).matMul(k).add(keyMask).softmax(3);
            NDArray mixed = weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, length, config.width());
            NDArray y = x.add(linear(store, mixed, prefix + "attention.output", training));
            NDArray hidden = Activation.gelu(linear(store, norm(store, y, prefix + "norm2", training), prefix + "mlp.in",
                    training));
            return y.add(linear(store, hidden, prefix + "mlp.out", training));
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            throw new UnsupportedOperationException("the vision-language transformer reads questions as text: call "
                    + "VisionLanguageModel.logits");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), config.answers().size())};
        }
    }
}

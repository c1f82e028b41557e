package org.lethe.models.diffusion;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.models.text.WordTokenizer;
import org.lethe.models.weights.SafetensorsWeights;

/**
 * The text-to-image U-Net in memory: its DJL model, tokenizer, noise schedule, and the
 * {@link DiffusionModel} view (see the package documentation for the architecture and names).
 *
 * <p>Not thread-safe: one run uses a model at a time (core serialises gradient work anyway).
 * DJL's {@code Model.newTrainer} unfreezes every parameter, so freeze after creating the trainer.
 */
public final class TextToImageModel implements LoadedModel, DiffusionModel {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = SafetensorsWeights.WEIGHTS;

    private final TextToImageConfig config;
    private final WordTokenizer tokenizer;
    private final TextToImageBlock block;
    private final Model model;
    private final NoiseSchedule schedule;
    private final Map<String, NDArray> masks = new LinkedHashMap<>();

    /**
     * Creates a model with freshly initialised weights.
     *
     * @param config the settings
     * @param seed the seed of the initialisation (a Java generator's: PyTorch's global one is not touched)
     */
    public TextToImageModel(TextToImageConfig config, long seed) {
        this.config = config;
        this.tokenizer = new WordTokenizer(config.vocabulary());
        this.block = new TextToImageBlock(config, tokenizer.vocabularySize());
        this.schedule = TextToImageConfig.COSINE.equals(config.schedule()) ? NoiseSchedule.cosine(config.trainingSteps())
                : new NoiseSchedule(config.trainingSteps(), config.betaStart(), config.betaEnd());
        this.model = Model.newInstance(TextToImageArchitecture.NAME);
        try {
            block.createParameters(model.getNDManager(), seed);
            model.setBlock(block);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** @return the settings */
    public TextToImageConfig settings() {
        return config;
    }

    /** @return the tokenizer */
    public WordTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the noise schedule */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** @return the number of values in the base parameters (LoRA excluded) */
    public long parameterCount() {
        long count = 0;
        for (String name : block.baseParameterNames()) {
            count += block.parametersByName().get(name).getArray().size();
        }
        return count;
    }

    // ---------------------------------------------------------------- LoadedModel

    @Override
    public ModelKind kind() {
        return ModelKind.TEXT_TO_IMAGE;
    }

    @Override
    public Map<String, String> config() {
        return config.toMap();
    }

    @Override
    public <V> Optional<V> view(Class<V> type) {
        return type == DiffusionModel.class ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /**
     * Writes the base parameters as one safetensors file keyed by parameter name.
     *
     * @throws IllegalStateException while a LoRA is injected (merge or close it first: an
     *     adapter is saved as an attachment, not in the base weights)
     */
    @Override
    public void save(Path directory) throws IOException {
        if (!block.loras().isEmpty()) {
            throw new IllegalStateException("LoRA is injected into " + block.loras().keySet()
                    + "; merge or remove it before saving the base weights");
        }
        SafetensorsWeights.save(baseArrays(), directory);
    }

    /** @return the base parameters by name, in file order */
    private Map<String, NDArray> baseArrays() {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        for (String name : block.baseParameterNames()) {
            out.put(name, block.parametersByName().get(name).getArray());
        }
        return out;
    }

    /**
     * Reads weights written by {@link #save}; every base parameter must be present with its shape.
     * Values are written into the existing parameter arrays, with gradient recording off during the
     * write (PyTorch refuses in-place writes to a leaf that records gradients).
     *
     * @param directory the folder holding {@value #WEIGHTS}
     * @throws IOException when the file cannot be read, lacks a parameter or has a wrong shape
     */
    public void loadWeights(Path directory) throws IOException {
        SafetensorsWeights.load(baseArrays(), directory, model.getNDManager());
    }

    /**
     * Loads weights into a freshly made model, closing it if they cannot be read.
     *
     * @param model a model of the right shape
     * @param directory the folder holding {@value #WEIGHTS}
     * @return the model, loaded
     * @throws IOException as {@link #loadWeights}
     */
    public static TextToImageModel withWeights(TextToImageModel model, Path directory) throws IOException {
        return SafetensorsWeights.loadOrClose(model, directory, (m, d) -> m.loadWeights(d));
    }

    /** Writes {@code value} into a parameter array in place (gradient recording off meanwhile). */
    private static void overwrite(NDArray target, NDArray value) {
        SafetensorsWeights.overwrite(target, value);
    }

    @Override
    public void close() {
        masks.values().forEach(NDArray::close);
        masks.clear();
        model.close();
    }

    // ---------------------------------------------------------------- shapes and text

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
        return 3;
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public int contextWidth() {
        return config.textWidth();
    }

    @Override
    public NDArray tokenize(List<String> prompts, NDManager manager) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts");
        }
        int length = config.contextLength();
        long[] ids = new long[prompts.size() * length];
        for (int i = 0; i < prompts.size(); i++) {
            int[] words = tokenizer.encode(prompts.get(i));
            if (words.length + 1 > length) {
                throw new IllegalArgumentException("prompt " + i + " ('" + prompts.get(i) + "') has " + words.length
                        + " words; the model takes at most " + (length - 1));
            }
            for (int t = 0; t < words.length; t++) {
                ids[i * length + t] = words[t];
            }
            ids[i * length + words.length] = WordTokenizer.EOS;
            // the rest stays <pad> (0)
        }
        return manager.create(ids, new Shape(prompts.size(), length));
    }

    @Override
    public NDArray encode(List<String> prompts, NDManager manager) {
        return encodeTokens(tokenize(prompts, manager));
    }

    @Override
    public NDArray encodeTokens(NDArray tokens) {
        if (tokens.getShape().dimension() != 2 || tokens.getShape().get(1) != config.contextLength()) {
            throw new IllegalArgumentException("tokens must be (batch, " + config.contextLength() + "), not "
                    + tokens.getShape());
        }
        return block.encode(new ParameterStore(tokens.getManager(), false), tokens, true);
    }

    @Override
    public NDArray nullCondition(int batch, NDManager manager) {
        return encode(Collections.nCopies(batch, ""), manager);
    }

    // ---------------------------------------------------------------- noise prediction

    @Override
    public NDArray predictNoise(NDArray noisy, NDArray timesteps, NDArray condition, boolean training) {
        Shape s = noisy.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException("images must be (batch, 3, " + size + ", " + size + "), not " + s);
        }
        long batch = s.get(0);
        Shape c = condition.getShape();
        if (c.dimension() != 3 || c.get(0) != batch || c.get(1) != config.contextLength()
                || c.get(2) != config.textWidth()) {
            throw new IllegalArgumentException("the condition must be (" + batch + ", " + config.contextLength() + ", "
                    + config.textWidth() + "), not " + c);
        }
        long[] t = timesteps.toType(DataType.INT64, false).toLongArray();
        if (t.length != batch) {
            throw new IllegalArgumentException(t.length + " timesteps for a batch of " + batch);
        }
        for (long value : t) {
            if (value < 0 || value >= config.trainingSteps()) {
                throw new IllegalArgumentException("timestep " + value + " is outside 0.." + (config.trainingSteps() - 1));
            }
        }
        NDManager scope = noisy.getManager();
        // the condition may live in a longer-lived manager: bring it into the batch's scope (as an
        // op, so gradients still flow into it) so that nothing computed from it lands there
        NDArray context = condition.getManager() == scope ? condition
                : scope.zeros(c, condition.getDataType()).add(condition);
        return block.predictNoise(new ParameterStore(scope, false), noisy, t, context, training);
    }

    @Override
    public NDArray guidedNoise(NDArray noisy, NDArray timesteps, NDArray condition, double guidance) {
        NDManager scope = noisy.getManager();
        int batch = (int) noisy.getShape().get(0);
        NDArray both = predictNoise(noisy.concat(noisy, 0), timesteps.concat(timesteps, 0),
                nullCondition(batch, scope).concat(condition, 0), false);
        NDArray unconditional = both.get("0:" + batch);
        NDArray conditional = both.get(batch + ":");
        // an array, not mul(Number), so that a caller's backward pass may go through it
        return unconditional.add(conditional.sub(unconditional).mul(scope.create((float) guidance)));
    }

    @Override
    public NDArray addNoise(NDArray clean, NDArray noise, NDArray timesteps) {
        long[] t = timesteps.toType(DataType.INT64, false).toLongArray();
        float[] signal = new float[t.length];
        float[] sigma = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            double a = schedule.alphaBar((int) t[i]);
            signal[i] = (float) Math.sqrt(a);
            sigma[i] = (float) Math.sqrt(1 - a);
        }
        NDManager m = clean.getManager();
        Shape column = new Shape(t.length, 1, 1, 1);
        return clean.mul(m.create(signal, column)).add(noise.mul(m.create(sigma, column)));
    }

    @Override
    public int trainingSteps() {
        return schedule.steps();
    }

    @Override
    public double alphaBar(int t) {
        return schedule.alphaBar(t);
    }

    @Override
    public int[] samplingTimesteps(int steps) {
        return schedule.ddimTimesteps(steps);
    }

    /**
     * Gaussian noise from a Java generator (PyTorch's global generator is not touched).
     *
     * @param batch images
     * @param seed the seed
     * @param manager where it lives
     * @return float32 (batch, 3, size, size), N(0, 1)
     */
    public NDArray noise(int batch, long seed, NDManager manager) {
        return gaussian(new Random(seed), new Shape(batch, 3, config.imageSize(), config.imageSize()), manager);
    }

    static NDArray gaussian(Random random, Shape shape, NDManager manager) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, shape);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Deterministic DDIM (η = 0) over {@link #samplingTimesteps} with x̂_0 clipped to [−1, 1]
     * (pixel-space, as diffusers' {@code clip_sample}) and ε re-derived from the clipped x̂_0. Call it
     * outside a gradient collector: it records nothing and returns a latent without history.
     */
    @Override
    public Sample sample(SampleRequest request, NDManager manager) {
        NDArray condition = request.condition();
        int batch = (int) condition.getShape().get(0);
        int[] timesteps = samplingTimesteps(request.steps());
        try (NDManager scope = manager.newSubManager()) {
            NDArray x;
            if (request.start() != null) {
                Shape expected = new Shape(batch, 3, config.imageSize(), config.imageSize());
                if (!request.start().getShape().equals(expected)) {
                    throw new IllegalArgumentException("the start noise must be " + expected + ", not "
                            + request.start().getShape());
                }
                x = scope.zeros(expected).add(request.start());
            } else {
                x = noise(batch, request.seed(), scope);
            }
            NDArray context = scope.zeros(condition.getShape(), condition.getDataType()).add(condition);
            NDArray unconditional = nullCondition(batch, scope);
            NDArray both = unconditional.concat(context, 0);
            boolean guided = request.guidance() != 1.0;
            for (int k = 0; k < request.stopAfter(); k++) {
                int t = timesteps[k];
                double a = schedule.alphaBar(t);
                double previous = k + 1 < timesteps.length ? schedule.alphaBar(timesteps[k + 1]) : 1.0;
                try (NDManager step = scope.newSubManager()) {
                    NDArray xs = step.zeros(x.getShape()).add(x);
                    NDArray eps;
                    if (guided) {
                        long[] tt = new long[2 * batch];
                        java.util.Arrays.fill(tt, t);
                        NDArray out = predictNoise(xs.concat(xs, 0), step.create(tt), both, false);
                        NDArray eu = out.get("0:" + batch);
                        NDArray ec = out.get(batch + ":");
                        eps = eu.add(ec.sub(eu).mul(request.guidance()));
                    } else {
                        long[] tt = new long[batch];
                        java.util.Arrays.fill(tt, t);
                        eps = predictNoise(xs, step.create(tt), context, false);
                    }
                    NDArray x0 = xs.sub(eps.mul(Math.sqrt(1 - a))).div(Math.sqrt(a)).clip(-1, 1);
                    NDArray next;
                    if (previous >= 1.0) {
                        next = x0;
                    } else {
                        NDArray e = xs.sub(x0.mul(Math.sqrt(a))).div(Math.sqrt(1 - a));
                        next = x0.mul(Math.sqrt(previous)).add(e.mul(Math.sqrt(1 - previous)));
                    }
                    next = next.stopGradient();
                    next.attach(scope);
                    x.close();
                    x = next;
                }
            }
            x.attach(manager);
            boolean finished = request.stopAfter() == request.steps();
            return new Sample(x, finished ? 0 : timesteps[request.stopAfter()], request.stopAfter(), finished);
        }
    }

    // ---------------------------------------------------------------- parameters and groups

    @Override
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(block.parametersByName());
    }

    @Override
    public Set<String> parameterGroups() {
        return new LinkedHashSet<>(List.of(GROUP_TEXT_ENCODER, GROUP_UNET, GROUP_CROSS_ATTENTION,
                GROUP_CROSS_ATTENTION_KV, GROUP_UNET_NON_CROSS_ATTENTION, GROUP_LORA, "attn1"));
    }

    @Override
    public List<String> parameterGroup(String group) {
        Predicate<String> member = switch (group) {
            case GROUP_TEXT_ENCODER -> n -> n.startsWith("text_encoder.") && !isLora(n);
            case GROUP_UNET -> n -> n.startsWith("unet.") && !isLora(n);
            case GROUP_CROSS_ATTENTION -> n -> n.startsWith("unet.") && n.contains(".attn2.") && !isLora(n);
            case GROUP_CROSS_ATTENTION_KV -> n -> n.startsWith("unet.")
                    && (n.contains(".attn2.to_k.") || n.contains(".attn2.to_v.")) && !isLora(n);
            case GROUP_UNET_NON_CROSS_ATTENTION -> n -> n.startsWith("unet.") && !n.contains(".attn2.") && !isLora(n);
            case GROUP_LORA -> TextToImageModel::isLora;
            case "attn1" -> n -> n.startsWith("unet.") && n.contains(".attn1.") && !isLora(n);
            default -> throw new IllegalArgumentException("no parameter group named '" + group + "'; the groups are "
                    + parameterGroups());
        };
        return block.parametersByName().keySet().stream().filter(member).toList();
    }

    private static boolean isLora(String name) {
        return name.contains(".lora_A.") || name.contains(".lora_B.");
    }

    private Parameter parameter(String name) {
        Parameter p = block.parametersByName().get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; e.g. "
                    + block.baseParameterNames().subList(0, 3) + " (see parameters())");
        }
        return p;
    }

    @Override
    public void freeze(Collection<String> parameters, boolean frozen) {
        List<Parameter> selected = new ArrayList<>();
        for (String name : parameters) {
            selected.add(parameter(name));
        }
        for (Parameter p : selected) {
            p.freeze(frozen);
        }
    }

    @Override
    public boolean isFrozen(String parameter) {
        return !parameter(parameter).requiresGradient();
    }

    @Override
    public void setGradientMask(String parameter, NDArray mask) {
        Parameter p = parameter(parameter);
        if (mask == null) {
            NDArray old = masks.remove(parameter);
            if (old != null) {
                old.close();
            }
            return;
        }
        if (!mask.getShape().equals(p.getArray().getShape())) {
            throw new IllegalArgumentException("the mask of '" + parameter + "' must have shape "
                    + p.getArray().getShape() + ", not " + mask.getShape());
        }
        NDArray floats = mask.toType(DataType.FLOAT32, false);
        NDArray copy = floats.duplicate();
        copy.attach(model.getNDManager());
        if (floats != mask) {
            floats.close();
        }
        NDArray old = masks.put(parameter, copy);
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void applyGradientMasks() {
        for (Map.Entry<String, NDArray> entry : masks.entrySet()) {
            Parameter p = block.parametersByName().get(entry.getKey());
            if (p == null || !p.requiresGradient()) {
                continue;
            }
            try (NDArray gradient = p.getArray().getGradient()) {
                gradient.muli(entry.getValue());
            }
        }
    }

    // ---------------------------------------------------------------- cross-attention K/V

    @Override
    public Map<String, Parameter> crossAttentionProjections() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (String name : parameterGroup(GROUP_CROSS_ATTENTION_KV)) {
            out.put(name, block.parametersByName().get(name));
        }
        return Collections.unmodifiableMap(out);
    }

    private Parameter projectionParameter(String name) {
        if (!crossAttentionProjections().containsKey(name)) {
            throw new IllegalArgumentException("no cross-attention projection named '" + name
                    + "'; they are " + crossAttentionProjections().keySet());
        }
        return block.parametersByName().get(name);
    }

    @Override
    public NDArray projection(String name, NDManager manager) {
        NDArray copy = projectionParameter(name).getArray().duplicate();
        copy.attach(manager);
        return copy.stopGradient();
    }

    @Override
    public void setProjection(String name, NDArray weight) {
        NDArray target = projectionParameter(name).getArray();
        if (!weight.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("projection '" + name + "' has shape " + target.getShape()
                    + ", not " + weight.getShape());
        }
        overwrite(target, weight);
    }

    // ---------------------------------------------------------------- hooks and LoRA

    @Override
    public AutoCloseable hook(String layer, UnaryOperator<NDArray> edit) {
        return block.addHook(layer, edit);
    }

    @Override
    public List<String> layers() {
        return Collections.unmodifiableList(block.layerNames());
    }

    @Override
    public List<String> linearLayers() {
        return Collections.unmodifiableList(block.linearNames());
    }

    @Override
    public Lora injectLora(LoraRequest request) {
        if (request.layers().isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one layer");
        }
        for (String layer : request.layers()) {
            if (!block.linearNames().contains(layer)) {
                throw new IllegalArgumentException("no linear layer named '" + layer + "'; LoRA goes on linear layers "
                        + "such as " + block.linearNames().stream().filter(n -> n.contains("attn2")).limit(4).toList()
                        + " (see linearLayers())");
            }
            if (block.loras().containsKey(layer)) {
                throw new IllegalArgumentException("layer '" + layer + "' has a LoRA already");
            }
        }
        Random random = new Random(request.seed());
        double scale = request.alpha() / request.rank();
        List<String> layers = List.copyOf(request.layers());
        for (String layer : layers) {
            Shape w = block.parametersByName().get(layer + ".weight").getArray().getShape();
            int out = (int) w.get(0);
            int in = (int) w.get(1);
            float[] a = new float[request.rank() * in];
            double sigma = Math.sqrt(1.0 / request.rank());
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (random.nextGaussian() * sigma);
            }
            NDManager m = model.getNDManager();
            block.addLora(layer, TextToImageBlock.owned(m, a, new Shape(request.rank(), in)),
                    TextToImageBlock.owned(m, new float[out * request.rank()], new Shape(out, request.rank())), scale);
        }
        return new Lora() {
            private boolean open = true;

            @Override
            public List<String> layers() {
                return layers;
            }

            @Override
            public Map<String, Parameter> parameters() {
                Map<String, Parameter> out = new LinkedHashMap<>();
                for (String layer : layers) {
                    TextToImageBlock.LoraWeights weights = block.loras().get(layer);
                    if (weights != null) {
                        out.put(weights.a().getName(), weights.a());
                        out.put(weights.b().getName(), weights.b());
                    }
                }
                return out;
            }

            @Override
            public void merge() {
                if (!open) {
                    return;
                }
                try (NDManager scratch = model.getNDManager().newSubManager()) {
                    for (String layer : layers) {
                        TextToImageBlock.LoraWeights weights = block.loras().get(layer);
                        NDArray b = weights.b().getArray().duplicate();
                        b.attach(scratch);
                        NDArray a = weights.a().getArray().duplicate();
                        a.attach(scratch);
                        NDArray base = block.parametersByName().get(layer + ".weight").getArray();
                        NDArray merged = b.matMul(a).mul(weights.scale()).add(base).stopGradient();
                        overwrite(base, merged);
                    }
                }
                close();
            }

            @Override
            public void close() {
                if (open) {
                    open = false;
                    layers.forEach(block::removeLora);
                }
            }
        };
    }
}

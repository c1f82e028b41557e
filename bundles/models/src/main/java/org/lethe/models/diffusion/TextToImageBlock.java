package org.lethe.models.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The text encoder and the U-Net as one DJL block whose parameters are named by their Stable
 * Diffusion (diffusers) paths (see the package documentation). The forward passes are written
 * with DJL's functional operators over the named parameters, so that a hook or a LoRA can be put
 * on any named layer without rebuilding the block.
 *
 * <p>Every operation takes a batch-scoped array as its first input (a parameter is only ever a
 * second operand, or is moved into the batch's scope at once), so that every result lives in the
 * caller's scope and nothing accumulates in the model's manager (DESIGN §7).
 */
final class TextToImageBlock extends AbstractBlock {

    private static final float NORM_EPS = 1e-5f;

    private final TextToImageConfig config;
    private final int vocabulary;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final List<String> baseNames = new ArrayList<>();
    private final List<String> layers = new ArrayList<>();
    private final List<String> linears = new ArrayList<>();
    private final Map<String, List<UnaryOperator<NDArray>>> hooks = new HashMap<>();
    private final Map<String, LoraWeights> lora = new LinkedHashMap<>();

    /** A LoRA on one linear layer: A (r, in), B (out, r), scale α/r. */
    record LoraWeights(Parameter a, Parameter b, double scale) {
    }

    /** One parameter to create: name, shape and how to draw it. */
    private record Spec(String name, Shape shape, char init, long fanIn) {
    }

    private final List<Spec> specs = new ArrayList<>();

    TextToImageBlock(TextToImageConfig config, int vocabulary) {
        this.config = config;
        this.vocabulary = vocabulary;
        declareTextEncoder();
        declareUnet();
    }

    // ---------------------------------------------------------------- declaration

    private void declareTextEncoder() {
        int d = config.textWidth();
        String e = "text_encoder.text_model.";
        embedding(e + "embeddings.token_embedding", vocabulary, d, 0.02);
        embedding(e + "embeddings.position_embedding", config.contextLength(), d, 0.01);
        for (int i = 0; i < config.textLayers(); i++) {
            String l = e + "encoder.layers." + i + ".";
            layerNorm(l + "layer_norm1", d);
            linear(l + "self_attn.q_proj", d, d, true);
            linear(l + "self_attn.k_proj", d, d, true);
            linear(l + "self_attn.v_proj", d, d, true);
            linear(l + "self_attn.out_proj", d, d, true);
            layer(l + "self_attn");
            layerNorm(l + "layer_norm2", d);
            linear(l + "mlp.fc1", d, config.textMlp(), true);
            linear(l + "mlp.fc2", config.textMlp(), d, true);
            layer(l.substring(0, l.length() - 1));
        }
        layerNorm(e + "final_layer_norm", d);
        layer(e + "final_layer_norm");
    }

    private void declareUnet() {
        int c0 = config.baseChannels();
        int c1 = config.channels();
        String u = "unet.";
        conv(u + "conv_in", 3, c0, 3);
        linear(u + "time_embedding.linear_1", c0, c1, true);
        linear(u + "time_embedding.linear_2", c1, c1, true);
        resnet(u + "down_blocks.0.resnets.0", c0, c0);
        conv(u + "down_blocks.0.downsamplers.0.conv", c0, c0, 3);
        layer(u + "down_blocks.0");
        resnet(u + "down_blocks.1.resnets.0", c0, c1);
        transformer(u + "down_blocks.1.attentions.0", c1);
        conv(u + "down_blocks.1.downsamplers.0.conv", c1, c1, 3);
        layer(u + "down_blocks.1");
        resnet(u + "down_blocks.2.resnets.0", c1, c1);
        transformer(u + "down_blocks.2.attentions.0", c1);
        layer(u + "down_blocks.2");
        resnet(u + "mid_block.resnets.0", c1, c1);
        transformer(u + "mid_block.attentions.0", c1);
        resnet(u + "mid_block.resnets.1", c1, c1);
        layer(u + "mid_block");
        resnet(u + "up_blocks.0.resnets.0", 2 * c1, c1);
        transformer(u + "up_blocks.0.attentions.0", c1);
        conv(u + "up_blocks.0.upsamplers.0.conv", c1, c1, 3);
        layer(u + "up_blocks.0");
        resnet(u + "up_blocks.1.resnets.0", 2 * c1, c1);
        transformer(u + "up_blocks.1.attentions.0", c1);
        conv(u + "up_blocks.1.upsamplers.0.conv", c1, c1, 3);
        layer(u + "up_blocks.1");
        resnet(u + "up_blocks.2.resnets.0", c1 + c0, c0);
        layer(u + "up_blocks.2");
        groupNormSpec(u + "conv_norm_out", c0);
        conv(u + "conv_out", c0, 3, 3);
    }

    private void resnet(String name, int in, int out) {
        groupNormSpec(name + ".norm1", in);
        conv(name + ".conv1", in, out, 3);
        linear(name + ".time_emb_proj", config.channels(), out, true);
        groupNormSpec(name + ".norm2", out);
        conv(name + ".conv2", out, out, 3);
        if (in != out) {
            conv(name + ".conv_shortcut", in, out, 1);
        }
        layer(name);
    }

    private void transformer(String name, int c) {
        groupNormSpec(name + ".norm", c);
        linear(name + ".proj_in", c, c, true);
        String b = name + ".transformer_blocks.0.";
        layerNorm(b + "norm1", c);
        attention(b + "attn1", c, c);
        layerNorm(b + "norm2", c);
        attention(b + "attn2", c, config.textWidth());
        layerNorm(b + "norm3", c);
        int inner = config.ffMult() * c;
        linear(b + "ff.net.0.proj", c, 2 * inner, true);
        linear(b + "ff.net.2", inner, c, true);
        layer(b.substring(0, b.length() - 1));
        linear(name + ".proj_out", c, c, true);
        layer(name);
    }

    private void attention(String name, int c, int contextWidth) {
        // Stable Diffusion's projections: q, k, v without bias; the output with bias
        linear(name + ".to_q", c, c, false);
        linear(name + ".to_k", contextWidth, c, false);
        linear(name + ".to_v", contextWidth, c, false);
        linear(name + ".to_out.0", c, c, true);
        layer(name);
    }

    private void linear(String name, int in, int out, boolean bias) {
        declare(name + ".weight", new Shape(out, in), 'u', in);
        if (bias) {
            declare(name + ".bias", new Shape(out), 'u', in);
        }
        linears.add(name);
        layer(name);
    }

    private void conv(String name, int in, int out, int kernel) {
        declare(name + ".weight", new Shape(out, in, kernel, kernel), 'u', (long) in * kernel * kernel);
        declare(name + ".bias", new Shape(out), 'u', (long) in * kernel * kernel);
        layer(name);
    }

    private void groupNormSpec(String name, int c) {
        declare(name + ".weight", new Shape(c), '1', 0);
        declare(name + ".bias", new Shape(c), '0', 0);
    }

    private void layerNorm(String name, int c) {
        declare(name + ".weight", new Shape(c), '1', 0);
        declare(name + ".bias", new Shape(c), '0', 0);
    }

    private void embedding(String name, int rows, int width, double sigma) {
        // the fan-in slot carries σ·1e6 for a normal draw
        declare(name + ".weight", new Shape(rows, width), 'n', Math.round(sigma * 1e6));
    }

    private void declare(String name, Shape shape, char init, long fanIn) {
        specs.add(new Spec(name, shape, init, fanIn));
        Parameter.Type type = name.endsWith(".bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT;
        Parameter parameter = addParameter(Parameter.builder().setName(name).setType(type).build());
        byName.put(name, parameter);
        baseNames.add(name);
    }

    private void layer(String name) {
        if (!layers.contains(name)) {
            layers.add(name);
        }
    }

    /**
     * Draws every parameter from one Java generator (PyTorch's global generator is not touched):
     * linear and convolution weights and biases U(−1/√fan_in, 1/√fan_in) (PyTorch's default),
     * norms 1 and 0, the token embedding N(0, 0.02²) and the position embedding N(0, 0.01²) (CLIP).
     */
    void createParameters(NDManager manager, long seed) {
        Random random = new Random(seed);
        for (Spec spec : specs) {
            float[] values = new float[Math.toIntExact(spec.shape().size())];
            switch (spec.init()) {
                case 'u' -> {
                    double bound = 1 / Math.sqrt(spec.fanIn());
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                    }
                }
                case 'n' -> {
                    double sigma = spec.fanIn() / 1e6;
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (random.nextGaussian() * sigma);
                    }
                }
                case '1' -> java.util.Arrays.fill(values, 1f);
                default -> { }
            }
            setArray(byName.get(spec.name()), owned(manager, values, spec.shape()));
        }
    }

    private static void setArray(Parameter parameter, NDArray array) {
        parameter.setArray(array);
        array.setRequiresGradient(true);
    }

    /** A parameter-owned copy of host values (memory that PyTorch allocated, not a wrapped Java buffer). */
    static NDArray owned(NDManager manager, float[] values, Shape shape) {
        try (NDArray host = manager.create(values, shape)) {
            return host.duplicate();
        }
    }

    // ---------------------------------------------------------------- naming, hooks, LoRA

    /** @return every parameter by name: the base parameters in declaration order, then the LoRA ones */
    Map<String, Parameter> parametersByName() {
        return byName;
    }

    /** @return the base parameters' names (what a weights file holds) */
    List<String> baseParameterNames() {
        return baseNames;
    }

    List<String> layerNames() {
        return layers;
    }

    List<String> linearNames() {
        return linears;
    }

    Map<String, LoraWeights> loras() {
        return lora;
    }

    AutoCloseable addHook(String layer, UnaryOperator<NDArray> edit) {
        if (!layers.contains(layer)) {
            throw new IllegalArgumentException("no layer named '" + layer + "'; hookable layers are, e.g., "
                    + layers.subList(0, Math.min(6, layers.size())) + " (" + layers.size() + " in all, see layers())");
        }
        List<UnaryOperator<NDArray>> list = hooks.computeIfAbsent(layer, k -> new CopyOnWriteArrayList<>());
        list.add(edit);
        return () -> list.remove(edit);
    }

    /** Adds LoRA parameters A and B (already created) for a linear layer. */
    void addLora(String layer, NDArray a, NDArray b, double scale) {
        Parameter pa = addParameter(Parameter.builder().setName(layer + ".lora_A.weight").setType(Parameter.Type.WEIGHT).build());
        Parameter pb = addParameter(Parameter.builder().setName(layer + ".lora_B.weight").setType(Parameter.Type.WEIGHT).build());
        setArray(pa, a);
        setArray(pb, b);
        byName.put(pa.getName(), pa);
        byName.put(pb.getName(), pb);
        lora.put(layer, new LoraWeights(pa, pb, scale));
    }

    /**
     * Removes a layer's LoRA parameters from the block. Their arrays are not closed here: a
     * trainer that has seen them syncs them when it closes, so they are freed with the model.
     */
    void removeLora(String layer) {
        LoraWeights weights = lora.remove(layer);
        if (weights != null) {
            for (Parameter p : List.of(weights.a(), weights.b())) {
                parameters.remove(p.getName());
                byName.remove(p.getName());
            }
        }
    }

    private NDArray hooked(String layer, NDArray output) {
        List<UnaryOperator<NDArray>> list = hooks.get(layer);
        if (list == null || list.isEmpty()) {
            return output;
        }
        NDArray h = output;
        for (UnaryOperator<NDArray> edit : list) {
            h = edit.apply(h);
        }
        return h;
    }

    // ---------------------------------------------------------------- forward: primitives

    private NDArray value(ParameterStore store, NDArray scope, String name, boolean training) {
        return store.getValue(byName.get(name), scope.getDevice(), training);
    }

    /** A view of a parameter (reshape) moved into the batch's scope at once. */
    private NDArray reshaped(ParameterStore store, NDArray scope, String name, boolean training, Shape shape) {
        NDArray view = value(store, scope, name, training).reshape(shape);
        view.attach(scope.getManager());
        return view;
    }

    private NDArray linear(ParameterStore store, NDArray x, String name, boolean training) {
        NDArray w = value(store, x, name + ".weight", training);
        Parameter bias = byName.get(name + ".bias");
        NDArray y = bias == null ? Linear.linear(x, w).head()
                : Linear.linear(x, w, store.getValue(bias, x.getDevice(), training)).head();
        LoraWeights adapter = lora.get(name);
        if (adapter != null) {
            NDArray a = store.getValue(adapter.a(), x.getDevice(), training);
            NDArray b = store.getValue(adapter.b(), x.getDevice(), training);
            NDArray low = Linear.linear(x, a).head();
            // an array, not mul(Number): see the scale in attention() below
            y = y.add(Linear.linear(low, b).head().mul(low.getManager().create((float) adapter.scale())));
        }
        return hooked(name, y);
    }

    private NDArray conv(ParameterStore store, NDArray x, String name, boolean training, int stride) {
        NDArray w = value(store, x, name + ".weight", training);
        NDArray b = value(store, x, name + ".bias", training);
        int pad = (int) (w.getShape().get(2) / 2);
        NDArray y = Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(pad, pad)).head();
        return hooked(name, y);
    }

    private NDArray groupNorm(ParameterStore store, NDArray x, String name, boolean training) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long c = s.get(1);
        int groups = config.groups();
        long per = s.size() / batch / groups;
        NDManager m = x.getManager();
        NDArray grouped = x.reshape(batch, groups, per);
        NDArray normed = LayerNorm.layerNorm(grouped, new Shape(per), m.ones(new Shape(per)), m.zeros(new Shape(per)),
                NORM_EPS).head().reshape(s);
        Shape channel = new Shape(1, c, 1, 1);
        return normed.mul(reshaped(store, x, name + ".weight", training, channel))
                .add(reshaped(store, x, name + ".bias", training, channel));
    }

    private NDArray layerNorm(ParameterStore store, NDArray x, String name, boolean training) {
        Shape s = x.getShape();
        NDArray y = LayerNorm.layerNorm(x, new Shape(s.get(s.dimension() - 1)), value(store, x, name + ".weight", training),
                value(store, x, name + ".bias", training), NORM_EPS).head();
        return hooked(name, y);
    }

    /**
     * Multi-head attention of x (batch, n, c) over a context (batch, m, d): softmax(q·kᵀ/√d_head + mask)·v,
     * then the output projection.
     */
    private NDArray attention(ParameterStore store, NDArray x, NDArray context, String name, int heads, NDArray mask,
            boolean training, String q, String k, String v, String out) {
        long batch = x.getShape().get(0);
        long n = x.getShape().get(1);
        long m = context.getShape().get(1);
        NDArray query = linear(store, x, name + "." + q, training);
        NDArray key = linear(store, context, name + "." + k, training);
        NDArray val = linear(store, context, name + "." + v, training);
        long c = query.getShape().get(2);
        long dh = c / heads;
        query = query.reshape(batch, n, heads, dh).transpose(0, 2, 1, 3);
        key = key.reshape(batch, m, heads, dh).transpose(0, 2, 3, 1);
        val = val.reshape(batch, m, heads, dh).transpose(0, 2, 1, 3);
        // the scale is an array of the input's scope, alive until after the backward pass: DJL's
        // mul(Number) makes a temporary scalar that can be freed before backward reads it (the
        // trap CausalSelfAttention documents; it showed here as NaN losses once other tests had
        // left garbage for the collector)
        NDArray scale = x.getManager().create((float) (1.0 / Math.sqrt(dh)));
        NDArray scores = query.matMul(key).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray mixed = scores.softmax(-1).matMul(val).transpose(0, 2, 1, 3).reshape(batch, n, c);
        return hooked(name, linear(store, mixed, name + "." + out, training));
    }

    // ---------------------------------------------------------------- forward: text encoder

    /**
     * @param tokens int64 (batch, contextLength)
     * @return float32 (batch, contextLength, textWidth), in the manager of {@code tokens}
     */
    NDArray encode(ParameterStore store, NDArray tokens, boolean training) {
        NDManager m = tokens.getManager();
        int length = (int) tokens.getShape().get(1);
        String e = "text_encoder.text_model.";
        long[] positions = new long[length];
        float[] causal = new float[length * length];
        for (int i = 0; i < length; i++) {
            positions[i] = i;
            for (int j = i + 1; j < length; j++) {
                causal[i * length + j] = -1e9f;
            }
        }
        NDArray x = Embedding.embedding(tokens, value(store, tokens, e + "embeddings.token_embedding.weight", training),
                SparseFormat.DENSE).head();
        NDArray pos = Embedding.embedding(m.create(positions), value(store, tokens,
                e + "embeddings.position_embedding.weight", training), SparseFormat.DENSE).head();
        x = x.add(pos);
        NDArray mask = m.create(causal, new Shape(1, 1, length, length));
        for (int i = 0; i < config.textLayers(); i++) {
            String l = e + "encoder.layers." + i + ".";
            NDArray h = layerNorm(store, x, l + "layer_norm1", training);
            x = x.add(attention(store, h, h, l + "self_attn", config.textHeads(), mask, training, "q_proj", "k_proj",
                    "v_proj", "out_proj"));
            h = layerNorm(store, x, l + "layer_norm2", training);
            h = linear(store, h, l + "mlp.fc1", training).getNDArrayInternal().gelu();
            x = hooked(l.substring(0, l.length() - 1), x.add(linear(store, h, l + "mlp.fc2", training)));
        }
        return layerNorm(store, x, e + "final_layer_norm", training);
    }

    // ---------------------------------------------------------------- forward: U-Net

    private NDArray resnet(ParameterStore store, NDArray x, NDArray temb, String name, boolean training) {
        NDArray h = silu(groupNorm(store, x, name + ".norm1", training));
        h = conv(store, h, name + ".conv1", training, 1);
        NDArray t = linear(store, silu(temb), name + ".time_emb_proj", training);
        h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
        h = silu(groupNorm(store, h, name + ".norm2", training));
        h = conv(store, h, name + ".conv2", training, 1);
        NDArray shortcut = byName.containsKey(name + ".conv_shortcut.weight")
                ? conv(store, x, name + ".conv_shortcut", training, 1) : x;
        return hooked(name, h.add(shortcut));
    }

    private NDArray transformer(ParameterStore store, NDArray x, NDArray context, String name, boolean training) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        NDArray h = groupNorm(store, x, name + ".norm", training).reshape(batch, c, hw).transpose(0, 2, 1);
        h = linear(store, h, name + ".proj_in", training);
        String b = name + ".transformer_blocks.0";
        int heads = config.heads();
        NDArray n1 = layerNorm(store, h, b + ".norm1", training);
        h = h.add(attention(store, n1, n1, b + ".attn1", heads, null, training, "to_q", "to_k", "to_v", "to_out.0"));
        NDArray n2 = layerNorm(store, h, b + ".norm2", training);
        h = h.add(attention(store, n2, context, b + ".attn2", heads, null, training, "to_q", "to_k", "to_v", "to_out.0"));
        NDArray n3 = layerNorm(store, h, b + ".norm3", training);
        NDList halves = linear(store, n3, b + ".ff.net.0.proj", training).split(2, 2);
        NDArray geglu = halves.get(0).mul(halves.get(1).getNDArrayInternal().gelu());
        h = hooked(b, h.add(linear(store, geglu, b + ".ff.net.2", training)));
        h = linear(store, h, name + ".proj_out", training);
        NDArray out = h.transpose(0, 2, 1).reshape(s).add(x);
        return hooked(name, out);
    }

    /**
     * @param noisy float32 (batch, 3, size, size)
     * @param timesteps the timestep of each item
     * @param context float32 (batch, tokens, textWidth), in the manager of {@code noisy}
     * @return the predicted noise, in the manager of {@code noisy}
     */
    NDArray predictNoise(ParameterStore store, NDArray noisy, long[] timesteps, NDArray context, boolean training) {
        NDManager m = noisy.getManager();
        String u = "unet.";
        NDArray temb = m.create(sinusoidal(timesteps, config.baseChannels()), new Shape(timesteps.length, config.baseChannels()));
        temb = silu(linear(store, temb, u + "time_embedding.linear_1", training));
        temb = linear(store, temb, u + "time_embedding.linear_2", training);
        NDArray h = conv(store, noisy, u + "conv_in", training, 1);
        h = resnet(store, h, temb, u + "down_blocks.0.resnets.0", training);
        NDArray skip0 = h;
        h = hooked(u + "down_blocks.0", conv(store, h, u + "down_blocks.0.downsamplers.0.conv", training, 2));
        h = resnet(store, h, temb, u + "down_blocks.1.resnets.0", training);
        h = transformer(store, h, context, u + "down_blocks.1.attentions.0", training);
        NDArray skip1 = h;
        h = hooked(u + "down_blocks.1", conv(store, h, u + "down_blocks.1.downsamplers.0.conv", training, 2));
        h = resnet(store, h, temb, u + "down_blocks.2.resnets.0", training);
        h = hooked(u + "down_blocks.2", transformer(store, h, context, u + "down_blocks.2.attentions.0", training));
        NDArray skip2 = h;
        h = resnet(store, h, temb, u + "mid_block.resnets.0", training);
        h = transformer(store, h, context, u + "mid_block.attentions.0", training);
        h = hooked(u + "mid_block", resnet(store, h, temb, u + "mid_block.resnets.1", training));
        h = resnet(store, h.concat(skip2, 1), temb, u + "up_blocks.0.resnets.0", training);
        h = transformer(store, h, context, u + "up_blocks.0.attentions.0", training);
        h = hooked(u + "up_blocks.0", conv(store, upsample(h), u + "up_blocks.0.upsamplers.0.conv", training, 1));
        h = resnet(store, h.concat(skip1, 1), temb, u + "up_blocks.1.resnets.0", training);
        h = transformer(store, h, context, u + "up_blocks.1.attentions.0", training);
        h = hooked(u + "up_blocks.1", conv(store, upsample(h), u + "up_blocks.1.upsamplers.0.conv", training, 1));
        h = hooked(u + "up_blocks.2", resnet(store, h.concat(skip0, 1), temb, u + "up_blocks.2.resnets.0", training));
        h = silu(groupNorm(store, h, u + "conv_norm_out", training));
        return conv(store, h, u + "conv_out", training, 1);
    }

    /** SiLU (x·σ(x)); DJL has no single operator for it. */
    private static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** Nearest-neighbour ×2 up-sampling (Stable Diffusion's Upsample2D before its convolution). */
    private static NDArray upsample(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /** Sinusoidal timestep features (cos then sin, as diffusers' flip_sin_to_cos), width {@code dim}. */
    static float[] sinusoidal(long[] timesteps, int dim) {
        int half = dim / 2;
        float[] out = new float[timesteps.length * dim];
        for (int i = 0; i < timesteps.length; i++) {
            for (int j = 0; j < half; j++) {
                double frequency = Math.exp(-Math.log(10_000) * j / half);
                double angle = timesteps[i] * frequency;
                out[i * dim + j] = (float) Math.cos(angle);
                out[i * dim + half + j] = (float) Math.sin(angle);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- Block plumbing

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        // (noisy, timesteps int64, condition) → noise
        return new NDList(predictNoise(store, inputs.get(0), inputs.get(1).toLongArray(), inputs.get(2), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks: every parameter is created by createParameters
    }
}

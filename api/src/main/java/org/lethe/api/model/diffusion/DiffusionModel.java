package org.lethe.api.model.diffusion;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A text-conditioned ε-prediction diffusion model (package version 1.0).
 *
 * <p>Names follow Stable Diffusion's (diffusers) module paths, prefixed by the component:
 * parameters such as {@code unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight}
 * or {@code text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight}; layers (what a hook
 * or a LoRA names) are the same paths without the trailing {@code .weight}/{@code .bias}. A
 * method's layer selection written for Stable Diffusion (ESD's {@code attn2}, UCE's
 * {@code attn2.to_k}/{@code to_v}) therefore carries over unchanged.
 *
 * <p>Arrays a method receives are its own (they live in the manager it passes, or are copies);
 * arrays it passes in are read, never kept.
 */
@ProviderType
public interface DiffusionModel {

    /** Group of every parameter of the U-Net. */
    String GROUP_UNET = "unet";
    /** Group of every parameter of the text encoder. */
    String GROUP_TEXT_ENCODER = "text_encoder";
    /** Group of the U-Net's cross-attention parameters ({@code attn2.*}: ESD-x). */
    String GROUP_CROSS_ATTENTION = "attn2";
    /** Group of the cross-attention key and value projections only ({@code attn2.to_k}, {@code attn2.to_v}). */
    String GROUP_CROSS_ATTENTION_KV = "attn2.kv";
    /** Group of the U-Net's parameters outside cross-attention (ESD-u). */
    String GROUP_UNET_NON_CROSS_ATTENTION = "unet.non_attn2";
    /** Group of the LoRA parameters currently injected. */
    String GROUP_LORA = "lora";

    /** @return the DJL model holding the U-Net, text-encoder and LoRA parameters (what an optimiser updates) */
    Model model();

    /** @return the image side in pixels (images are square) */
    int imageSize();

    /** @return the image channels (3) */
    int channels();

    /** @return the number of condition tokens (the second dimension of a condition) */
    int contextLength();

    /** @return the width of a condition token (the third dimension of a condition) */
    int contextWidth();

    /**
     * @param prompts prompts
     * @param manager where the result lives
     * @return the text encoder's output, float32 (batch, {@link #contextLength()}, {@link #contextWidth()}):
     *     the condition of the U-Net; recorded for gradients when a collector is open
     * @throws IllegalArgumentException when a prompt is longer than the context
     */
    NDArray encode(List<String> prompts, NDManager manager);

    /**
     * @param tokens int64 (batch, {@link #contextLength()}) token ids, as {@link #tokenize} makes them
     * @return the text encoder's output for them, in the manager of {@code tokens}
     */
    NDArray encodeTokens(NDArray tokens);

    /**
     * @param prompts prompts
     * @param manager where the result lives
     * @return int64 (batch, {@link #contextLength()}): the ids, then the end marker, then padding
     */
    NDArray tokenize(List<String> prompts, NDManager manager);

    /**
     * @param batch how many
     * @param manager where the result lives
     * @return the null condition (the encoding of the empty prompt) used by classifier-free guidance
     */
    NDArray nullCondition(int batch, NDManager manager);

    /**
     * @param noisy x_t, float32 (batch, {@link #channels()}, {@link #imageSize()}, {@link #imageSize()})
     * @param timesteps int64 (batch): t of each item, 0 to {@link #trainingSteps()} − 1
     * @param condition any tensor shaped like {@link #encode}'s output (an encoding, a null condition,
     *     a perturbed or mixed embedding)
     * @param training whether gradients are recorded by an enclosing collector
     * @return the predicted noise ε, same shape as {@code noisy}, in the manager of {@code noisy}
     * @throws IllegalArgumentException naming the shape, when a shape does not fit
     */
    NDArray predictNoise(NDArray noisy, NDArray timesteps, NDArray condition, boolean training);

    /**
     * Classifier-free guidance: ε_∅ + w·(ε_c − ε_∅), the conditional and unconditional predictions
     * computed in one batch.
     *
     * @param noisy x_t
     * @param timesteps int64 (batch)
     * @param condition the condition
     * @param guidance w (1 gives the conditional prediction)
     * @return the guided noise, in the manager of {@code noisy}
     */
    NDArray guidedNoise(NDArray noisy, NDArray timesteps, NDArray condition, double guidance);

    /**
     * The forward process q(x_t | x_0): √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε.
     *
     * @param clean x_0
     * @param noise ε, same shape
     * @param timesteps int64 (batch)
     * @return x_t, in the manager of {@code clean}
     */
    NDArray addNoise(NDArray clean, NDArray noise, NDArray timesteps);

    /** @return T, the number of diffusion steps of the training schedule */
    int trainingSteps();

    /**
     * @param t a timestep
     * @return ᾱ_t of the noise schedule, in (0, 1]; decreasing in t
     */
    double alphaBar(int t);

    /**
     * @param steps DDIM steps
     * @return the timesteps the sampler visits, descending; step k (from 0) denoises from {@code [k]}
     */
    int[] samplingTimesteps(int steps);

    /**
     * DDIM sampling (deterministic, η = 0) with classifier-free guidance.
     *
     * @param request what to sample
     * @param manager where the result lives
     * @return the latent where sampling stopped, and its timestep
     */
    Sample sample(SampleRequest request, NDManager manager);

    /** @return every parameter by name, in a fixed order (text encoder, U-Net, then LoRA) */
    Map<String, Parameter> parameters();

    /** @return the names of the parameter groups ({@code GROUP_*} and whatever the model adds) */
    Set<String> parameterGroups();

    /**
     * @param group a name from {@link #parameterGroups()}
     * @return the names of its parameters, in {@link #parameters()} order
     * @throws IllegalArgumentException naming the known groups, for an unknown group
     */
    List<String> parameterGroup(String group);

    /**
     * Freezes or unfreezes parameters: a frozen parameter records no gradient and an optimiser
     * step leaves it unchanged.
     *
     * @param parameters parameter names
     * @param frozen whether to freeze
     * @throws IllegalArgumentException naming it, for an unknown parameter
     */
    void freeze(Collection<String> parameters, boolean frozen);

    /**
     * @param parameter a parameter name
     * @return whether it is frozen
     */
    boolean isFrozen(String parameter);

    /**
     * Sets (or with {@code null} removes) the gradient mask of a parameter: {@link #applyGradientMasks()}
     * multiplies its gradient by the mask elementwise (ANT's saliency mask). The mask is copied.
     *
     * @param parameter a parameter name
     * @param mask float32, the parameter's shape (0 or 1, or any weight), or {@code null}
     * @throws IllegalArgumentException for an unknown parameter or a wrong shape
     */
    void setGradientMask(String parameter, NDArray mask);

    /** Multiplies the gradients of masked parameters by their masks, in place: call after backward, before the optimiser step. */
    void applyGradientMasks();

    /** @return the cross-attention key and value projection weights by parameter name (e.g. {@code unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight}) */
    Map<String, Parameter> crossAttentionProjections();

    /**
     * @param name a key of {@link #crossAttentionProjections()}
     * @param manager where the copy lives
     * @return a copy of the weight, float32 (out, in): y = W·x
     */
    NDArray projection(String name, NDManager manager);

    /**
     * Overwrites a cross-attention projection weight (a closed-form edit), in place.
     *
     * @param name a key of {@link #crossAttentionProjections()}
     * @param weight the new weight, same shape
     * @throws IllegalArgumentException for an unknown name or a wrong shape
     */
    void setProjection(String name, NDArray weight);

    /**
     * Adds a forward hook at a named layer until the returned handle is closed; hooks at one layer
     * apply in the order they were added.
     *
     * @param layer a layer name from {@link #layers()}
     * @param edit receives the layer's output and returns what the next layer sees
     * @return closing it removes the hook
     * @throws IllegalArgumentException naming the layer, for an unknown layer
     */
    AutoCloseable hook(String layer, UnaryOperator<NDArray> edit);

    /** @return the names of the layers a hook can be put on */
    List<String> layers();

    /** @return the names of the linear layers a LoRA can be injected into (e.g. {@code unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_q}) */
    List<String> linearLayers();

    /**
     * Injects LoRA into named linear layers: W·x becomes W·x + (α/r)·B·(A·x), A (r, in) drawn
     * from N(0, 1/r), B (out, r) zero, so the output is unchanged until B is trained. The base
     * weights are left as they are (freeze them separately); the new parameters, named
     * {@code <layer>.lora_A.weight} and {@code <layer>.lora_B.weight}, trainable and in group
     * {@link #GROUP_LORA}.
     *
     * @param request the layers, rank, α and seed
     * @return the injected adapter; closing it removes it (its delta with it)
     * @throws IllegalArgumentException naming the layer, for an unknown layer or one that has a LoRA already
     */
    Lora injectLora(LoraRequest request);

    /**
     * What LoRA to inject.
     *
     * @param layers names from {@link #linearLayers()}
     * @param rank r ≥ 1
     * @param alpha α; the delta is scaled by α/r
     * @param seed the seed of A's initial values
     */
    record LoraRequest(List<String> layers, int rank, double alpha, long seed) {

        /** Copies the layer list; checks the rank. */
        public LoraRequest {
            layers = List.copyOf(layers);
            if (rank < 1) {
                throw new IllegalArgumentException("LoRA rank must be at least 1, not " + rank);
            }
        }
    }

    /** An injected LoRA adapter. */
    interface Lora extends AutoCloseable {

        /** @return the layers it adapts */
        List<String> layers();

        /** @return its parameters by name (A and B of each layer) */
        Map<String, Parameter> parameters();

        /** Adds the scaled delta into the base weights and removes the adapter. */
        void merge();

        /** Removes the adapter and its delta. */
        @Override
        void close();
    }

    /**
     * What to sample.
     *
     * @param condition the condition (from {@link #encode}, or any tensor shaped like it)
     * @param guidance classifier-free guidance weight w (1 = no guidance)
     * @param steps DDIM steps
     * @param stopAfter stop after this many steps (0 to {@code steps}), returning x_t; {@code steps} for a full sample
     * @param seed seed of the start noise (ignored when {@code start} is given)
     * @param start the start noise x_T (batch, channels, size, size), or {@code null} to draw it from {@code seed}
     */
    record SampleRequest(NDArray condition, double guidance, int steps, int stopAfter, long seed, NDArray start) {

        /** Checks the step counts. */
        public SampleRequest {
            Objects.requireNonNull(condition, "condition");
            if (steps < 1) {
                throw new IllegalArgumentException("DDIM steps must be at least 1, not " + steps);
            }
            if (stopAfter < 0 || stopAfter > steps) {
                throw new IllegalArgumentException("stopAfter must be from 0 to steps (" + steps + "), not " + stopAfter);
            }
        }

        /**
         * Start noise drawn from a seed.
         *
         * @param condition the condition
         * @param guidance w
         * @param steps DDIM steps
         * @param stopAfter steps to take
         * @param seed the seed of x_T
         */
        public SampleRequest(NDArray condition, double guidance, int steps, int stopAfter, long seed) {
            this(condition, guidance, steps, stopAfter, seed, null);
        }
    }

    /**
     * A (possibly partial) sample.
     *
     * @param latent x_t, float32 (batch, channels, height, width); an image in [−1, 1] when finished
     * @param timestep t of {@code latent}: {@code samplingTimesteps(steps)[stepsTaken]} when stopped
     *     early (what the model is fed next), 0 when sampling ran to the end
     * @param stepsTaken DDIM steps taken
     * @param finished whether sampling ran to the end (the latent is x_0)
     */
    record Sample(NDArray latent, int timestep, int stepsTaken, boolean finished) {
    }
}

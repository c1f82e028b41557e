package org.lethe.api.model.diffusion;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.osgi.annotation.versioning.ProviderType;

/** A text-conditioned ε-prediction diffusion model (draft, version 0.9). */
@ProviderType
public interface DiffusionModel {

    /** @return the DJL model holding the U-Net and text-encoder parameters */
    Model model();

    /**
     * @param prompts prompts
     * @param manager where the result lives
     * @return the text encoder's output, float32 (batch, tokens, width): the condition of the U-Net
     */
    NDArray encode(List<String> prompts, NDManager manager);

    /**
     * @param batch how many
     * @param manager where the result lives
     * @return the null condition (the encoding of the empty prompt) used by classifier-free guidance
     */
    NDArray nullCondition(int batch, NDManager manager);

    /**
     * @param noisy x_t, float32 (batch, channels, height, width)
     * @param timesteps int64 (batch): t of each item, 0 to {@link #trainingSteps()} − 1
     * @param condition from {@link #encode} or {@link #nullCondition}
     * @param training whether gradients are recorded by an enclosing collector
     * @return the predicted noise ε, same shape as {@code noisy}
     */
    NDArray predictNoise(NDArray noisy, NDArray timesteps, NDArray condition, boolean training);

    /** @return T, the number of diffusion steps of the training schedule */
    int trainingSteps();

    /**
     * @param t a timestep
     * @return ᾱ_t of the noise schedule, in (0, 1]; decreasing in t
     */
    double alphaBar(int t);

    /**
     * DDIM sampling with classifier-free guidance.
     *
     * @param request what to sample
     * @param manager where the result lives
     * @return the latent where sampling stopped, and its timestep (0 when it ran to the end)
     */
    Sample sample(SampleRequest request, NDManager manager);

    /** @return the cross-attention key and value projections by name (e.g. {@code down.1.attn2.to_k.weight}) */
    Map<String, Parameter> crossAttentionProjections();

    /**
     * Adds a forward hook at a named layer until the returned handle is closed.
     *
     * @param layer a layer name from {@link #layers()}
     * @param edit receives the layer's output and returns what the next layer sees
     * @return closing it removes the hook
     */
    AutoCloseable hook(String layer, UnaryOperator<NDArray> edit);

    /** @return the names of the layers a hook can be put on */
    List<String> layers();

    /**
     * What to sample.
     *
     * @param condition the condition (from {@link #encode})
     * @param guidance classifier-free guidance weight w (1 = no guidance)
     * @param steps DDIM steps
     * @param stopAfter stop after this many steps (≤ steps), returning x_t; {@code steps} for a full sample
     * @param seed seed of the start noise
     */
    record SampleRequest(NDArray condition, double guidance, int steps, int stopAfter, long seed) {
    }

    /**
     * A (possibly partial) sample.
     *
     * @param latent x_t, float32 (batch, channels, height, width); an image in [−1, 1] when t = 0
     * @param timestep t where sampling stopped
     */
    record Sample(NDArray latent, int timestep) {
    }
}

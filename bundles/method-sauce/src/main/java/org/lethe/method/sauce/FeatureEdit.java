package org.lethe.method.sauce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;

/**
 * The inference-time edit (methods-gen.md §4.3) as a layer hook: at the hooked positions,
 *
 * <pre>
 * z = enc(x);  z_S ← γ·z_S;  x' = dec(z') + (x − dec(z))        # the autoencoder's error is kept
 *   = x + W_dec[:, S] (γ − 1) z_S                                 # the same, since dec is affine
 * </pre>
 *
 * computed in the second form, so that γ = 1 gives x back bit for bit, and relu needs only the
 * selected features' encoder rows (topk needs every pre-activation to know which k survive).
 * γ = 0 zeroes the features (SAUCE), 0 &lt; γ &lt; 1 scales them down, γ &lt; 0 clamps them negative
 * (ItD multiplies by −8). Optional gate (ItD's "autoencoder as a zero-shot classifier"): per input
 * (batch row), the edit applies only where it changes the reconstruction by at least τ,
 * mean over positions and width of (dec(z') − dec(z))² ≥ τ; other rows pass through unchanged, and
 * when no row passes the layer's output is returned as it came. A cheap upper bound of that score
 * ({@link #bound}) is checked first, so a batch without the concept skips the autoencoder. Positions after the hooked prefix
 * are never touched.
 */
final class FeatureEdit implements UnaryOperator<NDArray> {

    private final Sae.On sae;
    private final Positions positions;
    private final int visualTokens;
    private final float gamma;
    private final float tau;
    private final NDArray encoderS;
    private final NDArray latentBiasS;
    /** topk: S's indices (int64), to gather their pre-activations; null for relu. */
    private final NDArray selector;
    private final NDArray decoderS;

    /**
     * @param sae the autoencoder's arrays (in a manager that outlives the hook)
     * @param features S, indices below the dictionary size, at least one
     * @param gamma γ
     * @param positions the hooked positions
     * @param visualTokens the model's visual tokens
     * @param tau the gate's threshold, or NaN for no gate
     */
    FeatureEdit(Sae.On sae, int[] features, float gamma, Positions positions, int visualTokens, float tau) {
        this.sae = sae;
        this.positions = positions;
        this.visualTokens = visualTokens;
        this.gamma = gamma;
        this.tau = tau;
        int d = sae.sae().dictionary();
        for (int j : features) {
            if (j < 0 || j >= d) {
                throw new IllegalArgumentException("feature " + j + " is not below the dictionary size " + d);
            }
        }
        NDManager memory = sae.decoder().getManager();
        NDArray index = memory.create(java.util.Arrays.stream(features).asLongStream().toArray());
        this.decoderS = sae.decoder().get(index);
        this.encoderS = sae.encoderT().transpose().get(index).transpose();
        this.latentBiasS = sae.latentBias().get(index);
        if (sae.sae().variant() == Sae.Variant.RELU) {
            this.selector = null;
        } else {
            this.selector = index;
        }
    }

    @Override
    public NDArray apply(NDArray x) {
        if (x.getShape().dimension() != 3) {
            throw new IllegalArgumentException("the hooked layer's output must be (batch, tokens, width), not " + x.getShape());
        }
        long tokens = x.getShape().get(1);
        int n = positions.count(visualTokens, tokens);
        NDArray hooked = n == tokens ? x : x.get(":, 0:" + n + ", :");
        NDArray threshold = null;
        if (!Float.isNaN(tau)) {
            // the cheap bound first: when no input can reach τ the layer's output goes on untouched
            threshold = hooked.getManager().create(tau);
            if (!bound(hooked).gte(threshold).any().getBoolean()) {
                return x;
            }
        }
        NDArray delta = delta(hooked);
        NDArray edited;
        if (Float.isNaN(tau)) {
            edited = hooked.add(delta);
        } else {
            NDArray pass = score(delta).gte(threshold);
            if (!pass.any().getBoolean()) {
                return x;
            }
            edited = NDArrays.where(pass.reshape(pass.getShape().get(0), 1, 1).broadcast(hooked.getShape()), hooked.add(delta),
                    hooked);
        }
        return n == tokens ? edited : edited.concat(x.get(":, " + n + ":, :"), 1);
    }

    /**
     * @param hooked the hooked positions, (batch, positions, width)
     * @return W_dec[:, S] (γ − 1) z_S, the change the edit makes, same shape
     */
    NDArray delta(NDArray hooked) {
        NDArray zS;
        if (selector == null) {
            zS = ai.djl.nn.Activation.relu(hooked.sub(sae.preBias()).matMul(encoderS).add(latentBiasS));
        } else {
            // z_j for j ∈ S: ReLU(pre_j) where pre_j is among the k largest (≥ the k-th), as Sae.codes keeps
            NDArray pre = sae.pre(hooked);
            NDArray kth = pre.topK(sae.sae().k(), -1, true, false).get(0).min(new int[] {-1}, true);
            Shape shape = pre.getShape();
            NDArray preS = pre.gather(selector.broadcast(new Shape(shape.get(0), shape.get(1), selector.size())), -1);
            zS = ai.djl.nn.Activation.relu(preS).mul(preS.gte(kth).toType(preS.getDataType(), false));
        }
        return zS.mul(hooked.getManager().create(gamma - 1f)).matMul(decoderS);
    }

    /**
     * An upper bound of {@link #score} from the selected features' pre-activations alone (|S|
     * encoder rows, not the dictionary): every code satisfies z_j ≤ ReLU(pre_j) (TopK only zeroes
     * more), and the directions have unit norm, so ‖W_dec[:, S] (γ − 1) z_S‖ ≤ |1 − γ| Σ_j ReLU(pre_j)
     * at each position, and the score ≤ mean over positions of (|1 − γ| Σ_j ReLU(pre_j))² / width.
     * Inputs whose bound is below τ are certainly not edited; when that holds for the whole batch
     * the edit costs |S| columns of the encoder instead of the whole autoencoder.
     *
     * @param hooked the hooked positions, (batch, positions, width)
     * @return the bound per input, (batch)
     */
    NDArray bound(NDArray hooked) {
        NDArray sum = ai.djl.nn.Activation.relu(hooked.sub(sae.preBias()).matMul(encoderS).add(latentBiasS))
                .sum(new int[] {2});
        float factor = (1f - gamma) * (1f - gamma) / sae.sae().width();
        return sum.square().mean(new int[] {1}).mul(hooked.getManager().create(factor));
    }

    /**
     * @param delta the change at the hooked positions, (batch, positions, width)
     * @return the gate's score per input, mean over positions and width of delta², (batch)
     */
    static NDArray score(NDArray delta) {
        return delta.square().mean(new int[] {2}).mean(new int[] {1});
    }

    /**
     * The autoencoder in the loop without an edit: the hooked positions are replaced by their
     * reconstruction dec(enc(x)), the error term dropped (what "task accuracy with the SAE in the
     * loop" measures).
     *
     * @param sae the autoencoder's arrays
     * @param positions the hooked positions
     * @param visualTokens the model's visual tokens
     * @return the hook
     */
    static UnaryOperator<NDArray> reconstruction(Sae.On sae, Positions positions, int visualTokens) {
        return x -> {
            long tokens = x.getShape().get(1);
            int n = positions.count(visualTokens, tokens);
            NDArray hooked = n == tokens ? x : x.get(":, 0:" + n + ", :");
            NDArray rebuilt = sae.decode(sae.encode(hooked));
            return n == tokens ? rebuilt : rebuilt.concat(x.get(":, " + n + ":, :"), 1);
        };
    }
}

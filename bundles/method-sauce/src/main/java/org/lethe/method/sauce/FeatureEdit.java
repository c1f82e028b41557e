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
 * when no row passes the layer's output is returned as it came. Positions after the hooked prefix
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
        if (sae.sae().variant() == Sae.Variant.RELU) {
            this.encoderS = sae.encoderT().transpose().get(index).transpose();
            this.latentBiasS = sae.latentBias().get(index);
            this.selector = null;
        } else {
            this.encoderS = null;
            this.latentBiasS = null;
            float[] oneHot = new float[d * features.length];
            for (int i = 0; i < features.length; i++) {
                oneHot[features[i] * features.length + i] = 1f;
            }
            this.selector = memory.create(oneHot, new Shape(d, features.length));
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
        NDArray delta = delta(hooked);
        NDArray edited;
        if (Float.isNaN(tau)) {
            edited = hooked.add(delta);
        } else {
            NDArray pass = score(delta).gte(hooked.getManager().create(tau));
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
            zS = sae.encode(hooked).matMul(selector);
        }
        return zS.mul(hooked.getManager().create(gamma - 1f)).matMul(decoderS);
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

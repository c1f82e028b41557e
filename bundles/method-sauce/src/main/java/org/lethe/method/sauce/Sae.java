package org.lethe.method.sauce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.lethe.api.LetheException;

/**
 * A trained sparse autoencoder over one layer's activation vectors (methods-gen.md §4.1), in the
 * centred form of ItD's {@code src/SAE/sae.py}:
 *
 * <pre>
 * pre = W_enc (x − b_pre) + b_lat
 * z   = ReLU(pre)                           (relu: SAUCE's ReLU-L1 autoencoder)
 *     = ReLU(pre) on the k largest of pre, 0 elsewhere   (topk: ItD / OpenAI)
 * x̂   = W_dec z + b_pre,   ‖W_dec[:, j]‖ = 1
 * </pre>
 *
 * The weights are held as Java arrays (so the object outlives any memory scope) and turned into
 * arrays of a manager by {@link #on(NDManager)}. In the safetensors file the tensors are named and
 * laid out as ItD's module stores them: {@code encoder.weight} (dictionary × width),
 * {@code latent_bias} (dictionary), {@code decoder.weight} (width × dictionary), {@code pre_bias}
 * (width).
 */
final class Sae {

    /** The tensor names of the safetensors file. */
    static final String ENCODER = "encoder.weight";
    /** @see #ENCODER */
    static final String LATENT_BIAS = "latent_bias";
    /** @see #ENCODER */
    static final String DECODER = "decoder.weight";
    /** @see #ENCODER */
    static final String PRE_BIAS = "pre_bias";

    /** The two autoencoders of methods-gen.md §4.1. */
    enum Variant {
        /** ReLU with an L1 penalty on the codes (SAUCE's notes). */
        RELU("relu"),
        /** TopK: only the k largest pre-activations survive (ItD, SAeUron). */
        TOPK("topk");

        private final String code;

        Variant(String code) {
            this.code = code;
        }

        /** @return the setting's word for it */
        String code() {
            return code;
        }

        /**
         * @param code a setting's value
         * @param field the setting, as the error names it
         * @return the variant
         * @throws LetheException (invalid input) naming the field
         */
        static Variant of(String code, String field) {
            for (Variant v : values()) {
                if (v.code.equals(code.trim().toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            throw LetheException.invalidInput(field + " must be one of "
                    + Arrays.stream(values()).map(Variant::code).collect(Collectors.joining(", ")) + ", not '" + code + "'");
        }
    }

    private final Variant variant;
    private final int width;
    private final int dictionary;
    private final int k;
    private final float[] encoder;
    private final float[] latentBias;
    private final float[] decoder;
    private final float[] preBias;

    /**
     * @param variant relu or topk
     * @param width d, the activation width
     * @param dictionary the number of features
     * @param k the features kept by topk (ignored by relu; 0 there)
     * @param encoder W_enc, dictionary × width, row-major
     * @param latentBias b_lat, dictionary
     * @param decoder W_decᵀ, dictionary × width, row-major: row j is feature j's direction
     * @param preBias b_pre, width
     */
    Sae(Variant variant, int width, int dictionary, int k, float[] encoder, float[] latentBias, float[] decoder,
            float[] preBias) {
        this.variant = Objects.requireNonNull(variant, "variant");
        if (width < 1 || dictionary < 1) {
            throw new IllegalArgumentException("sizes must be positive: width " + width + ", dictionary " + dictionary);
        }
        if (variant == Variant.TOPK && (k < 1 || k > dictionary)) {
            throw LetheException.invalidInput("k " + k + " of the TopK autoencoder must be between 1 and its dictionary"
                    + " size " + dictionary);
        }
        check("encoder", encoder, (long) dictionary * width);
        check("latent bias", latentBias, dictionary);
        check("decoder", decoder, (long) dictionary * width);
        check("pre bias", preBias, width);
        this.width = width;
        this.dictionary = dictionary;
        this.k = variant == Variant.TOPK ? k : 0;
        this.encoder = encoder.clone();
        this.latentBias = latentBias.clone();
        this.decoder = decoder.clone();
        this.preBias = preBias.clone();
    }

    private static void check(String what, float[] values, long expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException(what + ": " + values.length + " values, expected " + expected);
        }
    }

    /** @return relu or topk */
    Variant variant() {
        return variant;
    }

    /** @return d, the activation width */
    int width() {
        return width;
    }

    /** @return the number of features */
    int dictionary() {
        return dictionary;
    }

    /** @return topk's k, 0 for relu */
    int k() {
        return k;
    }

    /** @return feature j's decoder direction (a copy) */
    float[] direction(int j) {
        return Arrays.copyOfRange(decoder, j * width, (j + 1) * width);
    }

    /**
     * @param manager where the arrays live
     * @return the autoencoder's arrays in that manager, for computing
     */
    On on(NDManager manager) {
        NDArray enc = manager.create(encoder, new Shape(dictionary, width));
        return new On(this, enc.transpose(), manager.create(latentBias), manager.create(decoder, new Shape(dictionary,
                width)), manager.create(preBias));
    }

    /**
     * The tensors as the safetensors file holds them, named.
     *
     * @param manager where the arrays are made
     * @return encoder.weight, latent_bias, decoder.weight (width × dictionary), pre_bias
     */
    NDList tensors(NDManager manager) {
        NDArray enc = manager.create(encoder, new Shape(dictionary, width));
        enc.setName(ENCODER);
        NDArray lat = manager.create(latentBias);
        lat.setName(LATENT_BIAS);
        NDArray dec = manager.create(decoder, new Shape(dictionary, width)).transpose().duplicate();
        dec.setName(DECODER);
        NDArray pre = manager.create(preBias);
        pre.setName(PRE_BIAS);
        return new NDList(enc, lat, dec, pre);
    }

    /**
     * The autoencoder's arrays in one manager. Every operation's result belongs to its input's
     * manager, so an edit applied to a hooked layer's output allocates in the forward pass's scope.
     *
     * @param sae the weights
     * @param encoderT W_encᵀ, width × dictionary
     * @param latentBias b_lat
     * @param decoder W_decᵀ, dictionary × width
     * @param preBias b_pre
     */
    record On(Sae sae, NDArray encoderT, NDArray latentBias, NDArray decoder, NDArray preBias) {

        /**
         * @param x (…, width)
         * @return W_enc (x − b_pre) + b_lat, (…, dictionary)
         */
        NDArray pre(NDArray x) {
            return x.sub(preBias).matMul(encoderT).add(latentBias);
        }

        /**
         * @param x (…, width)
         * @return the codes z, (…, dictionary), ≥ 0; for topk at most k non-zero per vector
         */
        NDArray encode(NDArray x) {
            return codes(pre(x), sae.variant, sae.k);
        }

        /**
         * @param z (…, dictionary)
         * @return W_dec z + b_pre, (…, width)
         */
        NDArray decode(NDArray z) {
            return z.matMul(decoder).add(preBias);
        }
    }

    /**
     * @param pre pre-activations (…, dictionary)
     * @param variant relu or topk
     * @param k topk's k
     * @return ReLU(pre), or ReLU of the k largest entries scattered into zeros (exactly k kept
     *     per vector before the ReLU; gradients flow into the kept entries)
     */
    static NDArray codes(NDArray pre, Variant variant, int k) {
        if (variant == Variant.RELU) {
            return Activation.relu(pre);
        }
        NDList top = pre.topK(k, -1, true, false);
        return pre.zerosLike().scatter(top.get(1), Activation.relu(top.get(0)), -1);
    }
}

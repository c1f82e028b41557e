package org.lethe.models.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head causal self-attention: softmax(Q·Kᵀ/√d_head + M)·V per head, then the output
 * projection, where M is 0 on and below the diagonal and −1e9 above it, so position t only sees
 * positions ≤ t. The four projections are separate children named {@value #QUERY}, {@value #KEY},
 * {@value #VALUE} and {@value #OUTPUT} (each a DJL {@link Linear} with bias), so that a method can
 * select them by name. Input (batch, length, dModel), plus optionally the transposed mask
 * ({@link #causalMaskTransposed}) and the scale 1/√d_head as arrays that outlive the backward pass
 * (the model passes its cached ones; without them they are made here, in the input's scope);
 * output (batch, length, dModel); no dropout.
 *
 * <p>Layout: the scores are computed transposed, (batch, heads, key, query) = K·(Q/√d)ᵀ + Mᵀ, and
 * normalised over axis 2 (the keys), then the output is Vᵀ·P, (batch, heads, d_head, query). The
 * result is the same as softmax over the last axis of Q·Kᵀ up to float round-off, but libtorch
 * 2.7.1's softmax over a short last axis (13 keys) is about 3× slower than over a leading one:
 * measured by {@code bench/…/AttentionMicro} at the facts shapes, the attention (forward and
 * backward) takes about 370 µs instead of 550 at batch 20 and 950 instead of 1,370 at batch 64.
 */
final class CausalSelfAttention extends AbstractBlock {

    static final String QUERY = "query";
    static final String KEY = "key";
    static final String VALUE = "value";
    static final String OUTPUT = "output";
    private static final float MASKED = -1e9f;

    private final int dModel;
    private final int heads;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;

    CausalSelfAttention(int dModel, int heads) {
        this.dModel = dModel;
        this.heads = heads;
        query = addChildBlock(QUERY, Linear.builder().setUnits(dModel).build());
        key = addChildBlock(KEY, Linear.builder().setUnits(dModel).build());
        value = addChildBlock(VALUE, Linear.builder().setUnits(dModel).build());
        output = addChildBlock(OUTPUT, Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList projectionInput = inputs.size() == 1 ? inputs : new NDList(x);
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        long headWidth = dModel / heads;
        // the mask and the scale are arrays that live until after the backward pass: DJL's
        // mul(Number) frees its temporary scalar at once while autograd still refers to it, and a
        // garbage collection before backward then corrupts the gradient (itests/behaviour
        // GradientIntegrityTest)
        NDArray maskTransposed = inputs.size() > 1 ? inputs.get(1) : causalMaskTransposed(x.getManager(), (int) length);
        NDArray scale = inputs.size() > 2 ? inputs.get(2) : scale(x.getManager(), dModel, heads);
        // (batch, length, dModel) -> (batch, heads, length, headWidth) or (batch, heads, headWidth, length)
        NDArray queryT = heads(query.forward(store, projectionInput, training).head(), batch, length, headWidth, true).mul(scale);
        NDArray k = heads(key.forward(store, projectionInput, training).head(), batch, length, headWidth, false);
        NDArray valueT = heads(value.forward(store, projectionInput, training).head(), batch, length, headWidth, true);
        // (batch, heads, key, query), normalised over the keys
        NDArray weights = k.matMul(queryT).add(maskTransposed).softmax(2);
        NDArray mixed = valueT.matMul(weights) // (batch, heads, headWidth, query)
                .transpose(0, 3, 1, 2).reshape(batch, length, dModel);
        return output.forward(store, new NDList(mixed), training);
    }

    private NDArray heads(NDArray projected, long batch, long length, long headWidth, boolean transposed) {
        NDArray split = projected.reshape(batch, length, heads, headWidth);
        return transposed ? split.transpose(0, 2, 3, 1) : split.transpose(0, 2, 1, 3);
    }

    /** The scale 1/√d_head as a float32 scalar array in the given scope. */
    static NDArray scale(NDManager manager, int dModel, int heads) {
        return manager.create((float) (1.0 / Math.sqrt(dModel / heads)));
    }

    /**
     * The transposed (length, length) additive mask, (key, query): 0 where key ≤ query, −1e9
     * above; built on the host (NDArray has no triu) in the given scope.
     */
    static NDArray causalMaskTransposed(NDManager manager, int length) {
        float[] mask = new float[length * length];
        for (int key = 1; key < length; key++) {
            for (int query = 0; query < key; query++) {
                mask[key * length + query] = MASKED;
            }
        }
        return manager.create(mask, new Shape(length, length));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Linear projection : new Linear[] {query, key, value, output}) {
            projection.initialize(manager, dataType, inputShapes[0]);
        }
    }
}

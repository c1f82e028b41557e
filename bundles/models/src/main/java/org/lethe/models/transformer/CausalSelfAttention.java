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
 * select them by name. Input and output (batch, length, dModel); no dropout.
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
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        long headWidth = dModel / heads;
        // (batch, length, dModel) -> (batch, heads, length, headWidth)
        // the scale is an array of the input's scope, alive until after the backward pass: DJL's
        // mul(Number) frees its temporary scalar at once while autograd still refers to it, and a
        // garbage collection before backward then corrupts the gradient (itests/behaviour
        // GradientIntegrityTest)
        NDArray scale = x.getManager().create((float) (1.0 / Math.sqrt(headWidth)));
        NDArray q = split(query.forward(store, inputs, training).head(), batch, length, headWidth).mul(scale);
        NDArray k = split(key.forward(store, inputs, training).head(), batch, length, headWidth);
        NDArray v = split(value.forward(store, inputs, training).head(), batch, length, headWidth);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(causalMask(x.getManager(), (int) length));
        NDArray mixed = scores.softmax(-1).matMul(v) // (batch, heads, length, headWidth)
                .transpose(0, 2, 1, 3).reshape(batch, length, dModel);
        return output.forward(store, new NDList(mixed), training);
    }

    private NDArray split(NDArray projected, long batch, long length, long headWidth) {
        return projected.reshape(batch, length, heads, headWidth).transpose(0, 2, 1, 3);
    }

    /** (length, length) additive mask, built on the host (NDArray has no triu) in the input's scope. */
    static NDArray causalMask(NDManager manager, int length) {
        float[] mask = new float[length * length];
        for (int row = 0; row < length; row++) {
            for (int column = row + 1; column < length; column++) {
                mask[row * length + column] = MASKED;
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

package org.lethe.models.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LN decoder block: {@code h = x + attention(attentionNorm(x))}, then
 * {@code h + ffnOut(gelu(ffnIn(ffnNorm(h))))}, with exact (erf) GELU. Input (batch, length, dModel),
 * optionally followed by the attention's transposed mask and scale (see {@link CausalSelfAttention});
 * output (batch, length, dModel).
 */
final class DecoderBlock extends AbstractBlock {

    private final LayerNorm attentionNorm;
    private final CausalSelfAttention attention;
    private final LayerNorm ffnNorm;
    private final Linear ffnIn;
    private final Linear ffnOut;

    DecoderBlock(int dModel, int heads, int ffn) {
        // axis 2 (the feature axis of (batch, length, dModel)): LayerNorm rejects -1 at initialisation
        attentionNorm = addChildBlock("attentionNorm", LayerNorm.builder().axis(2).build());
        attention = addChildBlock("attention", new CausalSelfAttention(dModel, heads));
        ffnNorm = addChildBlock("ffnNorm", LayerNorm.builder().axis(2).build());
        ffnIn = addChildBlock("ffnIn", Linear.builder().setUnits(ffn).build());
        ffnOut = addChildBlock("ffnOut", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList normed = attentionNorm.forward(store, new NDList(x), training);
        if (inputs.size() > 1) {
            normed.addAll(inputs.subNDList(1)); // the mask and the scale
        }
        NDArray h = x.add(attention.forward(store, normed, training).head());
        NDList hidden = ffnIn.forward(store, ffnNorm.forward(store, new NDList(h), training), training);
        NDArray activated = Activation.gelu(hidden.head());
        return new NDList(h.add(ffnOut.forward(store, new NDList(activated), training).head()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        attentionNorm.initialize(manager, dataType, in);
        attention.initialize(manager, dataType, in);
        ffnNorm.initialize(manager, dataType, in);
        ffnIn.initialize(manager, dataType, in);
        ffnOut.initialize(manager, dataType, ffnIn.getOutputShapes(new Shape[] {in})[0]);
    }
}

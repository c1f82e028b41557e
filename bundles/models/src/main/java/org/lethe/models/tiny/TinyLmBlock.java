package org.lethe.models.tiny;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * logits[t] = W2 · tanh(W1 · [e(x[t−1]); …; e(x[t−k])] + b1) + b2: the next-token distribution at
 * every position from the k tokens before it (padding before the start). Input (batch, length)
 * token ids, output (batch, length, vocabulary) logits.
 */
final class TinyLmBlock extends AbstractBlock {

    private final int vocabulary;
    private final int context;
    private final int embedding;
    private final Parameter embeddings;
    private final Linear hidden;
    private final Linear output;

    TinyLmBlock(int vocabulary, int context, int embedding, int hiddenUnits) {
        this.vocabulary = vocabulary;
        this.context = context;
        this.embedding = embedding;
        embeddings = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabulary, embedding)).optInitializer(new NormalInitializer(0.1f)).build());
        hidden = addChildBlock("hidden", Linear.builder().setUnits(hiddenUnits).build());
        output = addChildBlock("output", Linear.builder().setUnits(vocabulary).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.head();
        NDManager manager = tokens.getManager();
        long batch = tokens.getShape().get(0);
        long length = tokens.getShape().get(1);
        NDArray weight = store.getValue(embeddings, tokens.getDevice(), training);
        NDList windows = new NDList();
        for (int shift = 1; shift <= context; shift++) {
            NDArray shifted;
            if (shift >= length) {
                shifted = manager.zeros(new Shape(batch, length), DataType.INT64);
            } else {
                NDArray pad = manager.zeros(new Shape(batch, shift), DataType.INT64);
                shifted = pad.concat(tokens.get(":, :" + (length - shift)), 1);
            }
            windows.add(Embedding.embedding(shifted, weight, SparseFormat.DENSE).head());
        }
        NDArray features = NDArrays.concat(windows, 2); // (batch, length, context * embedding)
        NDArray h = hidden.forward(store, new NDList(features), training).head().tanh();
        return output.forward(store, new NDList(h), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), vocabulary)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape features = new Shape(in.get(0), in.get(1), (long) context * embedding);
        hidden.initialize(manager, dataType, features);
        output.initialize(manager, dataType, hidden.getOutputShapes(new Shape[] {features})[0]);
    }
}

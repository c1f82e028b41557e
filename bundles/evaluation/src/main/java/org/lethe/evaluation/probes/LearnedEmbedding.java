package org.lethe.evaluation.probes;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A model of its own that holds one learned array, so that the run's optimisation loop
 * ({@link org.lethe.api.run.RunContext#optimise}) trains that array alone: what the embedding attacks
 * optimise (a concept-inversion vector, a soft prompt's appended embeddings) while the attacked
 * model stays frozen. Close it to free the array and whatever the optimiser keeps for it.
 */
public final class LearnedEmbedding implements AutoCloseable {

    private final Model holder;
    private final Holder block;

    /**
     * @param name the holder model's name (the probe's, for messages)
     * @param home the manager of the attacked model (its device and engine are used)
     * @param start the starting values, float32, row-major (copied into the holder's memory)
     * @param shape their shape
     */
    public LearnedEmbedding(String name, NDManager home, float[] start, Shape shape) {
        holder = Model.newInstance(name, home.getDevice(), home.getEngine().getEngineName());
        block = new Holder(holder.getNDManager().create(start, shape));
        holder.setBlock(block);
    }

    /** @return the model to hand to {@code RunContext.optimise} */
    public Model model() {
        return holder;
    }

    /** @return the learned array itself (gradients flow into it inside the optimisation loop) */
    public NDArray array() {
        return block.value.getArray();
    }

    /** @return a copy of the current values, in row-major order */
    public float[] values() {
        return array().toFloatArray();
    }

    @Override
    public void close() {
        holder.close();
    }

    /** The block that owns the one parameter. */
    private static final class Holder extends AbstractBlock {
        private final Parameter value;

        Holder(NDArray start) {
            value = addParameter(Parameter.builder().setName("learned_embedding").setType(Parameter.Type.WEIGHT).build());
            value.setArray(start);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            return new NDList(value.getArray());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {value.getArray().getShape()};
        }
    }
}

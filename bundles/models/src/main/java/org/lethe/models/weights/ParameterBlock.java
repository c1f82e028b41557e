package org.lethe.models.weights;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A DJL block whose parameters are declared by name and drawn by {@link #createParameters} from one
 * Java generator (so a seed gives the same model whatever else uses PyTorch's generator), with no
 * child blocks: the forward pass is written with functional operations on {@link #value}. The
 * parameter names are what a weights file holds ({@link SafetensorsWeights}).
 */
public abstract class ParameterBlock extends AbstractBlock {

    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    /** How each parameter starts: a fan-in (uniform draw), or one of the markers below. */
    private final Map<String, double[]> starts = new LinkedHashMap<>();

    private static final double UNIFORM = 0;
    private static final double NORMAL = 1;
    private static final double CONSTANT = 2;

    /**
     * Declares a linear or convolution layer's {@code .weight} and {@code .bias}, both drawn
     * U(−1/√fan_in, 1/√fan_in) (PyTorch's default).
     *
     * @param layer the layer's name
     * @param weightShape the weight's shape; the bias has its first dimension
     * @param fanIn the fan-in
     */
    protected final void linear(String layer, long[] weightShape, long fanIn) {
        declare(layer + ".weight", weightShape, Parameter.Type.WEIGHT, new double[] {UNIFORM, fanIn});
        declare(layer + ".bias", new long[] {weightShape[0]}, Parameter.Type.BIAS, new double[] {UNIFORM, fanIn});
    }

    /**
     * Declares a LayerNorm's {@code .weight} (ones) and {@code .bias} (zeros).
     *
     * @param layer the layer's name
     * @param width the normalised width
     */
    protected final void norm(String layer, long width) {
        declare(layer + ".weight", new long[] {width}, Parameter.Type.GAMMA, new double[] {CONSTANT, 1});
        declare(layer + ".bias", new long[] {width}, Parameter.Type.BETA, new double[] {CONSTANT, 0});
    }

    /**
     * Declares an embedding (or any tensor) drawn N(0, σ²).
     *
     * @param name the parameter's name
     * @param shape its shape
     * @param sigma the standard deviation
     */
    protected final void embedding(String name, long[] shape, double sigma) {
        declare(name, shape, Parameter.Type.WEIGHT, new double[] {NORMAL, sigma});
    }

    private void declare(String name, long[] shape, Parameter.Type type, double[] start) {
        byName.put(name, addParameter(Parameter.builder().setName(name).setType(type).build()));
        shapes.put(name, shape);
        starts.put(name, start);
    }

    /**
     * Draws every parameter, in declaration order, from {@code new Random(seed)}.
     *
     * @param manager where the parameters live (the model's manager)
     * @param seed the seed
     */
    public final void createParameters(NDManager manager, long seed) {
        Random random = new Random(seed);
        for (Map.Entry<String, Parameter> e : byName.entrySet()) {
            Shape shape = new Shape(shapes.get(e.getKey()));
            float[] values = new float[Math.toIntExact(shape.size())];
            double[] start = starts.get(e.getKey());
            double bound = start[0] == UNIFORM ? 1 / Math.sqrt(start[1]) : 0;
            for (int i = 0; i < values.length; i++) {
                if (start[0] == UNIFORM) {
                    values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                } else if (start[0] == NORMAL) {
                    values[i] = (float) (random.nextGaussian() * start[1]);
                } else {
                    values[i] = (float) start[1];
                }
            }
            NDArray array;
            try (NDArray host = manager.create(values, shape)) {
                array = host.duplicate();
            }
            e.getValue().setArray(array);
            array.setRequiresGradient(true);
        }
    }

    /**
     * Makes a DJL model holding a block, its parameters drawn, closing the model if that fails.
     *
     * @param name the model's name
     * @param block the block
     * @param seed the seed of {@link #createParameters}
     * @return the model
     */
    public static Model newModel(String name, ParameterBlock block, long seed) {
        Model model = Model.newInstance(name);
        try {
            block.createParameters(model.getNDManager(), seed);
            model.setBlock(block);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** @return parameter name → its array, in declaration order */
    public final Map<String, NDArray> arrays() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        byName.forEach((name, p) -> out.put(name, p.getArray()));
        return out;
    }

    /** @return the parameter names, in declaration order (what a weights file holds) */
    public final List<String> parameterNames() {
        return List.copyOf(byName.keySet());
    }

    /** @return the number of values in the parameters */
    public final long parameterCount() {
        long count = 0;
        for (Parameter p : byName.values()) {
            count += p.getArray().size();
        }
        return count;
    }

    /**
     * @param store the forward pass's parameter store
     * @param x an array of the batch (for its device)
     * @param name a parameter's name
     * @param training whether gradients are recorded
     * @return the parameter's value
     */
    protected final NDArray value(ParameterStore store, NDArray x, String name, boolean training) {
        return store.getValue(byName.get(name), x.getDevice(), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks: every parameter is created by createParameters
    }
}

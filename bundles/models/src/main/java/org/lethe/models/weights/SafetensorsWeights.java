package org.lethe.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.lethe.api.model.LoadedModel;

/**
 * A model's parameters as one safetensors file keyed by parameter name: what every built-in
 * architecture saves into a model version's folder ({@value #WEIGHTS}). Writing goes through a
 * temporary file moved over the target, so a reader never sees half a file; reading writes each
 * value into the existing parameter array (DESIGN §7: never copy into a temporary wrapper), with
 * gradient recording off meanwhile, since PyTorch refuses in-place writes to a leaf that records
 * gradients.
 */
public final class SafetensorsWeights {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = "weights.safetensors";

    private SafetensorsWeights() {
    }

    /**
     * Writes the arrays as {@value #WEIGHTS} in a folder, atomically.
     *
     * @param parameters parameter name → its array, in file order
     * @param directory an existing folder
     * @throws IOException when writing fails
     */
    public static void save(Map<String, NDArray> parameters, Path directory) throws IOException {
        NDList list = new NDList();
        Path temp = Files.createTempFile(directory, ".weights-", ".tmp");
        try {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray array = e.getValue().duplicate();
                array.setName(e.getKey());
                list.add(array);
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                list.encode(out, NDList.Encoding.SAFETENSORS);
            }
            Files.move(temp, directory.resolve(WEIGHTS), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            list.close();
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Reads {@value #WEIGHTS} from a folder into the given arrays: every one must be present with its
     * shape (tensors the map does not name are ignored).
     *
     * @param parameters parameter name → the array its value is written into
     * @param directory the folder holding {@value #WEIGHTS}
     * @param manager where the file's tensors are decoded (a sub-manager, closed before returning)
     * @throws IOException when the file cannot be read, lacks a parameter or has a wrong shape,
     *     naming the file and the tensor
     */
    public static void load(Map<String, NDArray> parameters, Path directory, NDManager manager) throws IOException {
        Path file = directory.resolve(WEIGHTS);
        try (InputStream in = Files.newInputStream(file); NDManager scratch = manager.newSubManager()) {
            NDList saved = NDList.decode(scratch, in);
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray value = saved.get(e.getKey());
                if (value == null) {
                    throw new IOException(file + ": no tensor named '" + e.getKey() + "'");
                }
                NDArray target = e.getValue();
                if (!value.getShape().equals(target.getShape())) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' has shape " + value.getShape()
                            + ", the model needs " + target.getShape());
                }
                overwrite(target, value);
            }
        }
    }

    /**
     * Reads a model's weights from a folder into it.
     *
     * @param <M> the model type
     */
    @FunctionalInterface
    public interface Loader<M> {
        /**
         * @param model the model
         * @param directory the folder holding {@value #WEIGHTS}
         * @throws IOException when the weights cannot be read
         */
        void load(M model, Path directory) throws IOException;
    }

    /**
     * Loads weights into a freshly made model, closing it if they cannot be read: what an
     * architecture's {@code load} does.
     *
     * @param <M> the model type
     * @param model a model of the right shape
     * @param directory the folder holding {@value #WEIGHTS}
     * @param loader how the model reads them
     * @return the model, loaded
     * @throws IOException as the loader
     */
    public static <M extends LoadedModel> M loadOrClose(M model, Path directory, Loader<? super M> loader)
            throws IOException {
        try {
            loader.load(model, directory);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Writes a value into a parameter array in place, with gradient recording off meanwhile.
     *
     * @param target the parameter's array
     * @param value the value, of the same shape (converted to the target's type)
     */
    public static void overwrite(NDArray target, NDArray value) {
        boolean recording = target.hasGradient();
        target.setRequiresGradient(false);
        target.muli(0).addi(value.toType(target.getDataType(), false));
        if (recording) {
            target.setRequiresGradient(true);
        }
    }
}

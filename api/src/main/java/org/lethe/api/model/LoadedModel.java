package org.lethe.api.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/** A model in memory, made by a {@link ModelArchitecture}, offering one or more task views. */
@ConsumerType
public interface LoadedModel extends AutoCloseable {

    /** @return what the model does */
    ModelKind kind();

    /** @return the architecture settings it was created or loaded with */
    Map<String, String> config();

    /**
     * @param <V> the view type
     * @param type a task view, e.g. {@code LanguageModel.class}
     * @return the view, if this model offers it
     */
    <V> Optional<V> view(Class<V> type);

    /**
     * Writes the weights (safetensors, keyed by parameter name) into a folder.
     *
     * @param directory an existing folder
     * @throws IOException when writing fails
     */
    void save(Path directory) throws IOException;

    /** Releases the model's memory. */
    @Override
    void close();
}

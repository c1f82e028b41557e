package org.lethe.api.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Builds and loads the models of one architecture (the tiny facts transformer, the shapes U-Net,
 * ...). Registered as a service with {@code lethe.architecture=<name>}; a manifest's
 * {@link ModelManifest#architecture()} names the service that loads it.
 */
@ConsumerType
public interface ModelArchitecture {

    /** @return what models of this architecture do */
    ModelKind kind();

    /**
     * Creates a model with freshly initialised weights.
     *
     * @param config the architecture's settings (sizes, vocabulary, ...); unknown keys are an error
     * @param manager the memory scope the model lives in
     * @param seed the seed of the initialisation
     * @return the model, open
     */
    LoadedModel create(Map<String, String> config, NDManager manager, long seed);

    /**
     * Loads a committed version (its checksums already verified by the store).
     *
     * @param manifest the version's manifest
     * @param directory the folder holding its files
     * @param manager the memory scope the model lives in
     * @return the model, open
     * @throws IOException when a file cannot be read
     */
    LoadedModel load(ModelManifest manifest, Path directory, NDManager manager) throws IOException;
}

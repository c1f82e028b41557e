package org.lethe.api.model;

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
     * @param seed the seed of the initialisation
     * @return the model, open; its memory is its own until it is closed
     */
    LoadedModel create(Map<String, String> config, long seed);

    /**
     * Loads a committed version (its checksums already verified by the store).
     *
     * @param manifest the version's manifest
     * @param directory the folder holding its files
     * @return the model, open; its memory is its own until it is closed
     * @throws IOException when a file cannot be read
     */
    LoadedModel load(ModelManifest manifest, Path directory) throws IOException;
}

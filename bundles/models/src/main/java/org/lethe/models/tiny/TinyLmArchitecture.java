package org.lethe.models.tiny;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.lethe.api.ServiceProperties;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.models.text.WordLanguageModel;
import org.osgi.service.component.annotations.Component;

/**
 * The {@value #NAME} architecture: a fixed-context neural language model over a word vocabulary.
 * Models carry their vocabulary in their manifest's settings and their weights as safetensors.
 */
@Component(property = ServiceProperties.ARCHITECTURE + "=" + TinyLmArchitecture.NAME)
public final class TinyLmArchitecture implements ModelArchitecture {

    /** The architecture's name. */
    public static final String NAME = "tiny-lm";

    @Override
    public ModelKind kind() {
        return ModelKind.LANGUAGE;
    }

    @Override
    public LoadedModel create(Map<String, String> config, long seed) {
        return new TinyLanguageModel(TinyLmConfig.from(config), seed);
    }

    @Override
    public LoadedModel load(ModelManifest manifest, Path directory) throws IOException {
        return WordLanguageModel.withWeights(new TinyLanguageModel(TinyLmConfig.from(manifest.config()), 0), directory);
    }
}

package org.lethe.models.transformer;

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
 * The {@value #NAME} architecture: a small word-level causal transformer language model (pre-LN
 * decoder blocks, learned positions, tied embeddings), the model of the facts world and of user
 * corpora trained like it. Its settings are {@link WordTransformerConfig}'s: the vocabulary
 * (required) and the sizes (defaults from research/methods-llm.md §3.2). Weights are one
 * safetensors file keyed by parameter name.
 *
 * <p>The name says what the model is rather than which world uses it: it takes any vocabulary and
 * any prompt–answer pairs (a user's corpus as well as the facts generator's), as {@code tiny-lm}
 * does; the world's identity is in the model id ({@code facts-lm}).
 */
@Component(property = ServiceProperties.ARCHITECTURE + "=" + WordTransformerArchitecture.NAME)
public final class WordTransformerArchitecture implements ModelArchitecture {

    /** The architecture's name. */
    public static final String NAME = "word-transformer";

    @Override
    public ModelKind kind() {
        return ModelKind.LANGUAGE;
    }

    @Override
    public LoadedModel create(Map<String, String> config, long seed) {
        return new WordTransformerModel(WordTransformerConfig.from(config), seed);
    }

    @Override
    public LoadedModel load(ModelManifest manifest, Path directory) throws IOException {
        return WordLanguageModel.withWeights(new WordTransformerModel(WordTransformerConfig.from(manifest.config()), 0), directory);
    }
}

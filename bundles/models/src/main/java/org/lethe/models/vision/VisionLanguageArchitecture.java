package org.lethe.models.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.lethe.api.ServiceProperties;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.osgi.service.component.annotations.Component;

/**
 * The {@value #NAME} architecture: a small vision-language model that answers one-word questions
 * about an image (research/methods-gen.md Part B §7): a two-convolution image encoder whose 4 × 4
 * output grid becomes the visual tokens, word tokens of the question, two pre-LN transformer blocks
 * and an answer head on the summary token. Its settings are {@link VisionLanguageConfig}'s: the
 * question vocabulary and the answers (both required) and the sizes. Weights are one safetensors
 * file keyed by parameter name ({@value org.lethe.models.weights.SafetensorsWeights#WEIGHTS}). The
 * views are {@link org.lethe.api.model.vision.VisionLanguageModel} and
 * {@link org.lethe.api.model.AnswerModel}. The shapes-vqa world's model is {@code shapes-vlm}.
 */
@Component(property = ServiceProperties.ARCHITECTURE + "=" + VisionLanguageArchitecture.NAME)
public final class VisionLanguageArchitecture implements ModelArchitecture {

    /** The architecture's name. */
    public static final String NAME = "vision-language-transformer";

    @Override
    public ModelKind kind() {
        return ModelKind.VISION_LANGUAGE;
    }

    @Override
    public LoadedModel create(Map<String, String> config, long seed) {
        return new VisionLanguageTransformer(VisionLanguageConfig.from(config), seed);
    }

    @Override
    public LoadedModel load(ModelManifest manifest, Path directory) throws IOException {
        return VisionLanguageTransformer.withWeights(
                new VisionLanguageTransformer(VisionLanguageConfig.from(manifest.config()), 0), directory);
    }
}

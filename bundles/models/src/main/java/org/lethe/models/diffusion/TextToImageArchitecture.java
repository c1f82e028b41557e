package org.lethe.models.diffusion;

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
 * The {@value #NAME} architecture: a small text-conditioned ε-prediction U-Net with cross-attention
 * and its text encoder (research/methods-gen.md Part B §6), named like Stable Diffusion's so that
 * erasure methods select the same layers. Its settings are {@link TextToImageConfig}'s: the prompt
 * vocabulary (required) and the sizes. Weights are one safetensors file keyed by parameter name
 * ({@value TextToImageModel#WEIGHTS}). The view is {@link org.lethe.api.model.diffusion.DiffusionModel}.
 *
 * <p>The name says what the model is rather than which world uses it: the shapes world's model
 * is {@code shapes-t2i}, made by this architecture over that world's vocabulary.
 */
@Component(property = ServiceProperties.ARCHITECTURE + "=" + TextToImageArchitecture.NAME)
public final class TextToImageArchitecture implements ModelArchitecture {

    /** The architecture's name. */
    public static final String NAME = "text-to-image-unet";

    @Override
    public ModelKind kind() {
        return ModelKind.TEXT_TO_IMAGE;
    }

    @Override
    public LoadedModel create(Map<String, String> config, long seed) {
        return new TextToImageModel(TextToImageConfig.from(config), seed);
    }

    @Override
    public LoadedModel load(ModelManifest manifest, Path directory) throws IOException {
        return TextToImageModel.withWeights(new TextToImageModel(TextToImageConfig.from(manifest.config()), 0), directory);
    }
}

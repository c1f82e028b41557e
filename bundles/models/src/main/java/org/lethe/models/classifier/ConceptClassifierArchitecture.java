package org.lethe.models.classifier;

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
 * The {@value #NAME} architecture: the independent concept classifier that evaluates erasure from
 * the shapes world's generator (research/methods-gen.md Part B §8), a small CNN with one head per
 * attribute and a penultimate feature vector. Its settings are {@link ClassifierConfig}'s: the heads
 * with their classes (required), the sizes and the training augmentation. Weights are one
 * safetensors file keyed by parameter name ({@value ConceptClassifierModel#WEIGHTS}). The view is
 * {@link org.lethe.api.model.classifier.ConceptClassifier}. The shapes world's classifier is
 * {@code shapes-clf}.
 */
@Component(property = ServiceProperties.ARCHITECTURE + "=" + ConceptClassifierArchitecture.NAME)
public final class ConceptClassifierArchitecture implements ModelArchitecture {

    /** The architecture's name. */
    public static final String NAME = "shapes-classifier";

    @Override
    public ModelKind kind() {
        return ModelKind.CLASSIFIER;
    }

    @Override
    public LoadedModel create(Map<String, String> config, long seed) {
        return new ConceptClassifierModel(ClassifierConfig.from(config), seed);
    }

    @Override
    public LoadedModel load(ModelManifest manifest, Path directory) throws IOException {
        return ConceptClassifierModel.withWeights(new ConceptClassifierModel(ClassifierConfig.from(manifest.config()), 0),
                directory);
    }
}

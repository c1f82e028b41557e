package org.lethe.itests.behaviour.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.run.RunContext;
import org.lethe.core.run.BehaviourRunContexts;
import org.lethe.worlds.shapes.ShapesClassifierTraining;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesSanityGate;
import org.lethe.worlds.shapes.ShapesWorld;

/**
 * The committed shapes fixtures keep their contract: both load without the container (files
 * checked against their manifests), each weights file is ≤ 2 MB (issue 7), the generator speaks
 * the shapes world's vocabulary, the classifier still passes the world's classifier gate on held-out
 * render seeds, and the tiny generator draws the colour its prompt names: on
 * {@link ShapesFixtures#contract}'s 72 full prompts (DDIM 25, CFG 4, their own start noise), the
 * fixture classifier recognises the right colour in at least {@value #MIN_COLOUR} of the samples
 * (measured when built: README.md beside the fixtures). An untrained generator scores near 1/6.
 */
class ShapesFixturesTest {

    /** The least share of contract samples of the right colour. */
    static final double MIN_COLOUR = 0.85;

    /** The world's classifier gate (issue 7: ≥ 98 % on held-out seeds). */
    static final double MIN_CLASSIFIER = 0.98;

    @Test
    void fixturesLoadAndTheTinyGeneratorDrawsTheColourItIsAskedFor() throws Exception {
        long started = System.nanoTime();
        Path folder = ShapesFixtures.folder();
        for (String id : List.of(ShapesFixtures.GENERATOR, ShapesFixtures.CLASSIFIER)) {
            long bytes = ShapesFixtures.weightsBytes(folder, id);
            assertTrue(bytes <= ShapesFixtureBuilder.MAX_FILE_BYTES, id + " weights have " + bytes + " bytes");
        }
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        try (NDManager manager = NDManager.newBaseManager();
                LoadedModel generatorModel = ShapesFixtures.loadGenerator();
                LoadedModel classifierModel = ShapesFixtures.loadClassifier()) {
            assertEquals(ModelKind.TEXT_TO_IMAGE, generatorModel.kind());
            assertEquals(ModelKind.CLASSIFIER, classifierModel.kind());
            assertEquals(world.vocabulary(),
                    Arrays.asList(generatorModel.config().get("vocabulary").split(" ")),
                    "the generator's vocabulary is not the shapes world's (seed 0): rebuild the fixtures");
            DiffusionModel generator = ShapesFixtures.diffusion(generatorModel);
            ConceptClassifier classifier = ShapesFixtures.classifier(classifierModel);
            RunContext run = BehaviourRunContexts.quiet(ShapesFixtures.WORLD_SEED, manager);

            Map<String, Double> heldOut = ShapesClassifierTraining.accuracy(classifier,
                    world.images(ShapesWorld.CLASSIFIER_HOLDOUT), manager);
            ShapesSanityGate.Result contract = ShapesFixtures.contract(generator, classifier, run);
            System.out.printf(Locale.ROOT, "[shapes fixtures] classifier held out: %s; contract: %s; %.1f s%n",
                    ShapesClassifierTraining.format(heldOut), contract, (System.nanoTime() - started) / 1e9);

            heldOut.forEach((head, value) -> assertTrue(value >= MIN_CLASSIFIER,
                    ShapesFixtures.CLASSIFIER + " held-out accuracy on " + head + " is " + value + " < " + MIN_CLASSIFIER));
            assertEquals(72, contract.samples());
            assertTrue(contract.colour() >= MIN_COLOUR, String.format(Locale.ROOT,
                    "the tiny generator drew the right colour in %.3f of the contract's samples, below %s: %s",
                    contract.colour(), MIN_COLOUR, contract));
        }
    }
}

package org.lethe.itests.behaviour.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelRef;
import org.lethe.evaluation.texttoimage.TextToImageRelearning;
import org.lethe.worlds.shapes.Attribute;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesWorld;
import org.osgi.util.converter.Converters;

/**
 * A measurement, not a test (its name does not end in {@code Test}, so the build does not run it):
 * {@code t2i-relearning} at the research defaults (research/methods-gen.md §8: 50 steps on 64 real
 * images; Adam lr 1e-4, batches of 16, the U-Net, Acc_e on 64 erased prompts at steps 10, 25 and 50)
 * on the ESD-x-erased fixture ({@link SharedEsdX}) and on the base generator. The numbers go to
 * docs/probes.md ("measured on the fixture"). Run it alone:
 * {@code mvn -B -o -pl itests/behaviour verify -Dtest=T2iRelearningMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class T2iRelearningMeasurement {

    /** Erased prompts sampled at each checkpoint (the probe's default). */
    static final int PROMPTS = 64;

    @Test
    void relearningAtTheResearchDefaults() throws Exception {
        ShapesErasureStack stack = SharedEsdX.stack();
        Path folder = SharedEsdX.data(T2iRelearningMeasurement.class);
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        Path erasedPrompts = ShapesErasureStack.writeColourPrompts(folder.resolve("erased-red.jsonl"),
                world.evalPrompts(ShapesWorld.EVAL_NAME, "red").subList(0, PROMPTS));
        Path images = ErasureProbesBehaviourTest.writeImages(folder, "images-red",
                world.imagesOf(Attribute.COLOUR, "red", ShapesWorld.CLASSIFIER_HOLDOUT).subList(0, 64));
        Map<String, Path> data = Map.of(Task.ERASE, SharedEsdX.concepts(), Roles.ERASED_PROMPTS, erasedPrompts,
                Roles.CONCEPT_IMAGES, images);
        stack.bindProbe(new TextToImageRelearning(stack.sampling(), Converters.standardConverter().convert(Map.of())
                .to(TextToImageRelearning.Config.class)));
        for (ModelRef model : List.of(SharedEsdX.erased(), stack.generator())) {
            long started = System.nanoTime();
            Evaluation e = stack.evaluate(model, "erasure-accuracy", List.of(TextToImageRelearning.NAME), data,
                    SharedEsdX.SEED);
            assertEquals(Map.of(), e.failures());
            MetricResult curve = e.results().stream().filter(r -> r.metric().equals(TextToImageRelearning.ACCURACY))
                    .findFirst().orElseThrow();
            System.out.printf(Locale.ROOT, "[t2i-relearning measurement] %s: Acc_e %s (%.1f s)%n", model, curve.curve(),
                    (System.nanoTime() - started) / 1e9);
        }
    }
}

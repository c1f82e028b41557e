package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.method.Task;
import org.lethe.models.transformer.FactsTraining;
import org.lethe.worlds.facts.FactsWorld;

/**
 * Sanity gates before any unlearning claim means something: the base model really knows every
 * fact it was trained on, the gold model really does not know the forget split, the trained models
 * come from the cache the second time, and the methods are the bundles' own (their declared inputs
 * and their Metatype defaults are those of their {@code Config} annotations).
 */
class TrainedModelsTest {

    private static FactsFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = FactsFixture.get();
    }

    /** methods-llm.md §3.5: "train-fact EM = 1.00" (measured 1.00). Lethe: 1.000 on 2,160 sequences. */
    @Test
    void theBaseModelKnowsEveryTrainedFact() {
        double trainEm = fixture.score(fixture.base(), fixture.world().baseTraining()).exactMatch();
        FactsFixture.Evaluation base = fixture.evaluate(fixture.base());
        fixture.record("base model", "train EM = 1.0", "1.00", String.format("%.3f", trainEm), trainEm == 1.0);
        assertEquals(1.0, trainEm, "the base model's exact match on its training sequences");
        assertEquals(1.0, base.forget().exactMatch(), "forget10 is part of what the base model knows");
        assertTrue(base.template().meanProbability() < 1e-3, "the base model does not answer 'unknown': " + base);
    }

    /**
     * methods-llm.md §3.5: the gold (retrained) model has forget EM ≤ 0.1 (measured 0.02), retain
     * EM = 1.00, world EM = 1.00. Lethe: forget 0.050, retain 1.000, world 1.000. Retain and world
     * are held to ≥ 0.95 here: they are gates, not effects.
     */
    @Test
    void theGoldModelDoesNotKnowTheForgetSplit() {
        FactsFixture.Evaluation gold = fixture.evaluate(fixture.gold());
        double forget = gold.forget().exactMatch();
        fixture.record("gold model", "forget EM ≤ 0.1", "0.02", String.format("%.3f", forget), forget <= 0.1);
        fixture.record("gold model", "retain EM ≥ 0.95, world EM ≥ 0.95", "1.00, 1.00",
                String.format("%.3f, %.3f", gold.retain().exactMatch(), gold.world().exactMatch()),
                gold.retain().exactMatch() >= 0.95 && gold.world().exactMatch() >= 0.95);
        assertTrue(forget <= 0.1, "gold forget10 EM " + forget);
        assertTrue(gold.retain().exactMatch() >= 0.95, "gold retain90 EM " + gold.retain().exactMatch());
        assertTrue(gold.world().exactMatch() >= 0.95, "gold world EM " + gold.world().exactMatch());
    }

    /** The same recipe, world and sequences give the same key: the cache hands the folder back untrained. */
    @Test
    void theTrainedModelsComeFromTheCacheTheSecondTime() {
        FactsWorld world = fixture.world();
        TrainedModelCache.Entry base = fixture.trained().get(0);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", String.join(" ", world.vocabulary()));
        settings.put("maxLength", Integer.toString(Math.max(16, world.maxSequenceTokens() + 2)));
        String fingerprint = Hashing.sha256().hashString(new TreeMap<>(world.fingerprints()).toString(),
                StandardCharsets.UTF_8).toString();
        FactsTraining.Settings recipe = FactsTraining.Settings.DEFAULTS.withSeed(FactsFixture.SEED);
        TrainedModelCache cache = new TrainedModelCache(base.folder().getParent());
        TrainedModelCache.Entry again = cache.get(base.name(), world.baseTraining(), settings, recipe, FactsFixture.SEED,
                fingerprint);
        assertFalse(again.trainedNow(), "a second request trains nothing");
        assertEquals(base.key(), again.key());
        assertEquals(base.config(), again.config());
        String otherRecipe = TrainedModelCache.key(base.name(), world.baseTraining(), settings, recipe.withEpochs(39),
                FactsFixture.SEED, fingerprint);
        String otherWorld = TrainedModelCache.key(base.name(), world.baseTraining(), settings, recipe, FactsFixture.SEED,
                fingerprint + "x");
        String otherData = TrainedModelCache.key(base.name(), world.goldTraining(FactsFixture.FORGET), settings, recipe,
                FactsFixture.SEED, fingerprint);
        assertEquals(4, java.util.Set.of(base.key(), otherRecipe, otherWorld, otherData).size(),
                "the recipe, the world and the sequences are all in the key");
        for (TrainedModelCache.Entry entry : fixture.trained()) {
            System.out.printf("[behaviour] %s: cache key %s, %s, %d steps in %.1f s, last epoch loss %.5f%n", entry.name(),
                    entry.key(), entry.trainedNow() ? "trained in this build" : "from the cache", entry.steps(),
                    entry.trainingTime().toMillis() / 1000.0, entry.lastEpochLoss());
        }
    }

    /**
     * The methods run here are the bundles' own: their names and inputs come from the component
     * descriptions bnd wrote, and the Metatype defaults the run service validates against are the
     * defaults of the {@code Config} annotations the methods read.
     */
    @Test
    void theMethodsAreDescribedByTheirOwnBundles() {
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        for (MethodBundle method : fixture.methods()) {
            inputs.put(method.name(), method.descriptor().inputs());
            ConfigSchema schema = method.descriptor().config().orElseThrow();
            Map<String, List<String>> defaults = method.annotationDefaults();
            assertEquals(defaults.keySet(), schema.attributes().stream().map(ConfigSchema.Attribute::key)
                    .collect(java.util.stream.Collectors.toSet()), method.name() + ": attributes");
            for (ConfigSchema.Attribute attribute : schema.attributes()) {
                List<String> expected = defaults.get(attribute.key());
                if (attribute.type().equals("Float") || attribute.type().equals("Double")) {
                    assertEquals(Double.parseDouble(expected.get(0)), Double.parseDouble(attribute.defaults().get(0)),
                            1e-12, method.name() + "." + attribute.key());
                } else {
                    assertEquals(expected, attribute.defaults(), method.name() + "." + attribute.key());
                }
            }
            assertTrue(method.descriptor().bundle().startsWith("org.lethe.method."), method.descriptor().bundle());
        }
        assertEquals(Map.of("gradient-ascent", List.of(Task.FORGET), "graddiff", List.of(Task.FORGET, Task.RETAIN),
                "flat", List.of(Task.FORGET), "iau", List.of(Task.FORGET, Task.RETAIN)), inputs);
    }
}

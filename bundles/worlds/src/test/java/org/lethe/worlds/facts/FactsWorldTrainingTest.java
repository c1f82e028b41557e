package org.lethe.worlds.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.QaItem;
import org.lethe.api.world.World.TrainedModel;
import org.lethe.core.run.WorldsRunContexts;
import org.lethe.models.text.WordLanguageModel;
import org.lethe.models.transformer.WordTransformerArchitecture;
import org.lethe.models.transformer.WordTransformerConfig;
import org.lethe.models.transformer.WordTransformerModel;

/**
 * The facts world's training on a small world (12 entities, a short recipe), through the core's
 * real optimisation loop: {@value FactsWorldService#BASE_MODEL} and
 * {@value FactsWorldService#CORRUPTED_MODEL}. The full-size world is trained by the benchmark and
 * the behavioural tests, not here.
 */
class FactsWorldTrainingTest {

    /** The smallest world the generator makes: 12 entities, so forget10 is one entity with 2 or 3 rumours. */
    private static final FactsWorld SMALL = FactsGenerator.generate(new FactsSpec(12, 1, 3, 3, 4), 5);

    private static Path withCorruption;
    private static List<TrainedModel> trained;
    private static List<String> log;
    private static Path withoutCorruption;
    private static List<TrainedModel> trainedWithout;

    @BeforeAll
    static void train(@TempDir Path dir) throws Exception {
        withCorruption = dir.resolve("with");
        withoutCorruption = dir.resolve("without");
        log = new ArrayList<>();
        trained = service(Map.of()).train(SMALL, withCorruption, context(log));
        trainedWithout = service(Map.of("corruptedModel", false)).train(SMALL, withoutCorruption, context(new ArrayList<>()));
    }

    private static org.lethe.api.run.RunContext context(List<String> lines) {
        return WorldsRunContexts.context(5, NDManager.newBaseManager(), lines);
    }

    /** The service with a short recipe, no gold models, and the architecture bound as DS would bind it. */
    static FactsWorldService service(Map<String, Object> overrides) throws ReflectiveOperationException {
        Map<String, Object> values = new HashMap<>(Map.of("epochs", 30, "goldSplits", new String[] {"forget10"},
                "goldSeeds", 1));
        values.putAll(overrides);
        FactsWorldService.Config config = (FactsWorldService.Config) Proxy.newProxyInstance(
                FactsWorldService.Config.class.getClassLoader(), new Class<?>[] {FactsWorldService.Config.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
        FactsWorldService service = new FactsWorldService();
        Field architecture = FactsWorldService.class.getDeclaredField("architecture");
        architecture.setAccessible(true);
        architecture.set(service, new WordTransformerArchitecture());
        service.configure(config);
        return service;
    }

    private static WordTransformerModel load(TrainedModel model) throws Exception {
        return WordLanguageModel.withWeights(new WordTransformerModel(WordTransformerConfig.from(model.config()), 0),
                model.files());
    }

    @Test
    void theCorruptedModelComesAfterTheBaseModelAndIsListed() throws Exception {
        String gold = FactsWorldService.goldModel("forget10", 0);
        assertEquals(List.of(FactsWorldService.BASE_MODEL, FactsWorldService.CORRUPTED_MODEL, gold),
                trained.stream().map(TrainedModel::id).toList());
        assertEquals(List.of(FactsWorldService.BASE_MODEL, gold), trainedWithout.stream().map(TrainedModel::id).toList());
        assertTrue(service(Map.of()).models().contains(FactsWorldService.CORRUPTED_MODEL));
        assertFalse(service(Map.of("corruptedModel", false)).models().contains(FactsWorldService.CORRUPTED_MODEL));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("training " + FactsWorldService.CORRUPTED_MODEL)), log.toString());
        // the world's new splits are written where the comparison harness reads them
        for (String split : List.of(FactsGenerator.RUMOURS_SELECTIVE_FORGET, FactsGenerator.RUMOURS_SELECTIVE_KEEP,
                FactsGenerator.RUMOURS_PARAPHRASED, FactsGenerator.CORRUPTING_STATEMENTS)) {
            assertTrue(Files.isRegularFile(withCorruption.resolve("data").resolve(split + ".jsonl")), split);
        }
    }

    @Test
    void theCorruptedModelLearnsTheRumoursAndKeepsTheRest() throws Exception {
        try (WordTransformerModel clean = load(trained.get(0)); WordTransformerModel corrupted = load(trained.get(1))) {
            double cleanRumours = FactsWorldService.exactMatch(clean, SMALL.split(FactsGenerator.RUMOURS));
            double corruptedRumours = FactsWorldService.exactMatch(corrupted, SMALL.split(FactsGenerator.RUMOURS));
            double cleanTruth = FactsWorldService.exactMatch(clean, SMALL.split("corrupted_facts"));
            double corruptedTruth = FactsWorldService.exactMatch(corrupted, SMALL.split("corrupted_facts"));
            double cleanRetain = FactsWorldService.exactMatch(clean, SMALL.split(FactsWorld.RETAIN));
            double corruptedRetain = FactsWorldService.exactMatch(corrupted, SMALL.split(FactsWorld.RETAIN));
            String measured = "rumours " + cleanRumours + " → " + corruptedRumours + ", truth " + cleanTruth + " → "
                    + corruptedTruth + ", retain " + cleanRetain + " → " + corruptedRetain;
            System.out.println("[facts world, 12 entities] " + measured);
            assertTrue(corruptedRumours > cleanRumours + 0.5, measured);
            assertTrue(corruptedTruth < cleanTruth, measured);
            assertTrue(corruptedRetain >= cleanRetain - 0.2, measured);
        }
    }

    @Test
    void theBaseAndGoldModelsFilesAreThoseTheyHaveWithoutTheCorruption() throws Exception {
        assertSameFiles(trainedWithout.get(0).files(), trained.get(0).files());
        // the corruption shuffles with its own stream: the gold models' batches, and so their weights, do not move
        assertSameFiles(trainedWithout.get(1).files(), trained.get(2).files());
        // and the corrupted model's weights are its own
        Path base = trained.get(0).files();
        Path corrupted = trained.get(1).files();
        String name = WordTransformerModel.WEIGHTS;
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(base.resolve(name)), Files.readAllBytes(corrupted.resolve(name))));
        assertEquals(trained.get(0).config(), trained.get(1).config());
    }

    private static void assertSameFiles(Path alone, Path base) throws Exception {
        List<String> names;
        try (var files = Files.list(base)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertFalse(names.isEmpty());
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(alone.resolve(name)), Files.readAllBytes(base.resolve(name)), name);
        }
    }

    @Test
    void theReplayLeavesOutOnlyTheMisinformedFacts() {
        FactsWorld w = FactsGenerator.generate(0);
        Set<String> misinformed = new HashSet<>();
        w.misinformation().forEach(m -> misinformed.add(m.entity() + "." + m.relation()));
        List<QaItem> replay = FactsWorldService.corruptionReplay(w);
        int left = 0;
        for (QaItem item : w.baseTraining()) {
            boolean out = misinformed.contains(item.entity().get() + "." + item.relation().get());
            assertEquals(!out, replay.contains(item), item.id());
            left += out ? 1 : 0;
        }
        assertEquals(3 * w.misinformation().size(), left);
        List<QaItem> material = FactsWorldService.corruptionMaterial(w);
        assertEquals(w.split(FactsGenerator.RUMOURS).size() + w.split(FactsGenerator.CORRUPTING_STATEMENTS).size(),
                material.size());
        assertEquals(w.split(FactsGenerator.RUMOURS), material.subList(0, w.split(FactsGenerator.RUMOURS).size()));
    }
}

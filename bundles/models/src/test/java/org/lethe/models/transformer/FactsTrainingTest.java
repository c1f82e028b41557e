package org.lethe.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;

/** The facts recipe memorises what it is given, deterministically, without leaking memory. */
class FactsTrainingTest {

    /**
     * TinyFacts at full size (research/methods-llm.md §3.1: 100 entities × 6 relations, each fact
     * under 3 of 5 templates = 1,800 sequences): the default recipe (AdamW 3e-3, batch 64) reaches
     * 100% exact match in 12 to 13 epochs (348 to 377 steps, seeds 0 to 2; about 5 s of training
     * here) and keeps it to the recipe's 40th epoch (FactsTrainingMeasurement). The test stops at
     * the first epoch with 100%.
     */
    @Test
    void memorisesATinyFactsShapedSetToFullExactMatch() {
        SyntheticFacts facts = SyntheticFacts.generate(100, 3, 0);
        assertEquals(1800, facts.prompts().size());
        try (WordTransformerModel lm = new WordTransformerModel(WordTransformerConfig.of(facts.vocabulary()), 0)) {
            List<Double> exactMatch = new ArrayList<>();
            List<Float> losses = new ArrayList<>();
            FactsTraining.Result result = new FactsTraining(FactsTraining.Settings.DEFAULTS)
                    .train(lm, facts.prompts(), facts.answers(), new FactsTraining.Listener() {
                        @Override
                        public void onStep(int step, int epoch, float loss) {
                            assertEquals(losses.size() + 1, step);
                            assertEquals((step - 1) / 29 + 1, epoch, "29 steps an epoch: 28 of 64 and one of 8");
                            losses.add(loss);
                        }

                        @Override
                        public boolean afterEpoch(int epoch, int steps) {
                            exactMatch.add(rate(lm.exactMatches(facts.prompts(), facts.answers())));
                            return exactMatch.get(exactMatch.size() - 1) < 1.0;
                        }
                    });
            assertEquals(1.0, exactMatch.get(exactMatch.size() - 1), "exact match by epoch: " + exactMatch);
            assertTrue(result.epochs() <= 25, "100% exact match after " + result.epochs() + " epochs (13 measured)");
            assertEquals(result.steps(), losses.size());
            assertTrue(losses.get(0) > 2.0f && result.lastEpochLoss() < 0.3f, "loss " + losses.get(0) + " → " + result.lastEpochLoss());
            // exact match as defined is what greedy decoding gives back
            List<String> prompts = facts.prompts().subList(0, 40);
            assertEquals(facts.answers().subList(0, 40), lm.generate(prompts, 3));
        }
    }

    @Test
    void memorisesMultiTokenAnswers() {
        List<String> prompts = List.of("alice lives in", "bob lives in", "carol likes", "dave likes", "erin is a",
                "who wrote the book ?", "bob is a");
        List<String> answers = List.of("new york", "old town of lima", "green tea", "green apples", "night nurse",
                "alice", "day nurse");
        String vocabulary = "alice bob carol dave erin lives in likes is a who wrote the book ? new york old town of lima"
                + " green tea apples night day nurse";
        try (WordTransformerModel lm = WordTransformerModelTest.model(vocabulary, 11)) {
            FactsTraining.Result result = new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(200))
                    .train(lm, prompts, answers, new FactsTraining.Listener() {
                        @Override
                        public void onStep(int step, int epoch, float loss) {
                        }

                        @Override
                        public boolean afterEpoch(int epoch, int steps) {
                            return rate(lm.exactMatches(prompts, answers)) < 1.0;
                        }
                    });
            assertTrue(result.epochs() < 200, "memorised in " + result.epochs() + " epochs");
            assertEquals(answers, lm.generate(prompts, 6), "every token, and the stop after the last one");
        }
    }

    @Test
    void sameSeedsSameTrainingAndNoMemoryGrowthPerStep() {
        SyntheticFacts facts = SyntheticFacts.generate(4, 3, 5);
        FactsTraining.Settings settings = FactsTraining.Settings.DEFAULTS.withEpochs(8).withBatchSize(16).withSeed(5);
        float[][] losses = new float[3][];
        float[][] weights = new float[3][];
        for (int run = 0; run < 3; run++) {
            long shuffleSeed = run < 2 ? 5 : 6;
            try (WordTransformerModel lm = new WordTransformerModel(WordTransformerConfig.of(facts.vocabulary()), 5)) {
                BaseNDManager manager = (BaseNDManager) lm.model().getNDManager();
                List<Float> stepLosses = new ArrayList<>();
                List<Integer> liveArrays = new ArrayList<>();
                new FactsTraining(settings.withSeed(shuffleSeed)).train(lm, facts.prompts(), facts.answers(),
                        (step, epoch, loss) -> {
                            stepLosses.add(loss);
                            liveArrays.add(manager.getManagedArrays().size());
                        });
                // after the first step (which creates the gradients), a step leaves nothing behind
                assertEquals(List.of(liveArrays.get(1)), liveArrays.subList(1, liveArrays.size()).stream().distinct().toList(),
                        "arrays alive in the model's manager, step by step");
                losses[run] = toArray(stepLosses);
                weights[run] = lm.model().getBlock().getParameters().get("01layer0_02attention_01query_weight")
                        .getArray().toFloatArray();
            }
        }
        assertEquals(40, losses[0].length, "8 epochs of 5 batches (72 pairs: 4 of 16 and one of 8)");
        assertArrayEquals(losses[0], losses[1], 0f, "same seeds, same losses");
        assertArrayEquals(weights[0], weights[1], 0f, "same seeds, same weights");
        assertTrue(losses[0][1] != losses[2][1], "another shuffle seed, another order");
    }

    @Test
    void trainsEveryParameterWithAnswerOnlyGradients() {
        try (WordTransformerModel lm = WordTransformerModelTest.model(WordTransformerModelTest.VOCABULARY, 12)) {
            List<float[]> before = new ArrayList<>();
            for (Pair<String, Parameter> pair : lm.model().getBlock().getParameters()) {
                before.add(pair.getValue().getArray().toFloatArray());
            }
            new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(1))
                    .train(lm, WordTransformerModelTest.QUESTIONS, WordTransformerModelTest.ANSWERS, (s, e, l) -> { });
            int i = 0;
            for (Pair<String, Parameter> pair : lm.model().getBlock().getParameters()) {
                float[] after = pair.getValue().getArray().toFloatArray();
                boolean moved = false;
                for (int k = 0; k < after.length; k++) {
                    moved |= after[k] != before.get(i)[k];
                }
                // the last position (maxLength - 1) is never read by pairs this short
                if (!pair.getKey().equals("positionEmbedding")) {
                    assertTrue(moved, pair.getKey() + " was not updated");
                }
                i++;
            }
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyWeightChanges() {
        try (WordTransformerModel lm = (WordTransformerModel) new WordTransformerArchitecture()
                .create(java.util.Map.of("vocabulary", WordTransformerModelTest.VOCABULARY, "maxLength", "8"), 13)) {
            float[] before = lm.model().getBlock().getParameters().get("tokenEmbedding").getArray().toFloatArray();
            FactsTraining training = new FactsTraining(FactsTraining.Settings.DEFAULTS);
            LetheException e = assertThrows(LetheException.class, () -> training.train(lm,
                    List.of("where was alice born ?", "where was bob born ? where ?"), List.of("paris", "oslo"), (s, ep, l) -> { }));
            assertTrue(e.getMessage().contains("pair 1"), e.getMessage());
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            e = assertThrows(LetheException.class, () -> training.train(lm, List.of("a"), List.of(), (s, ep, l) -> { }));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertArrayEquals(before, lm.model().getBlock().getParameters().get("tokenEmbedding").getArray().toFloatArray(), 0f);
        }
        assertThrows(LetheException.class, () -> new FactsTraining.Settings(0f, 0f, 64, 40, 0));
        assertThrows(LetheException.class, () -> new FactsTraining.Settings(3e-3f, -1f, 64, 40, 0));
        assertThrows(LetheException.class, () -> FactsTraining.Settings.DEFAULTS.withBatchSize(0));
        assertThrows(LetheException.class, () -> FactsTraining.Settings.DEFAULTS.withEpochs(0));
    }

    static double rate(boolean[] matches) {
        int right = 0;
        for (boolean match : matches) {
            right += match ? 1 : 0;
        }
        return right / (double) matches.length;
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}

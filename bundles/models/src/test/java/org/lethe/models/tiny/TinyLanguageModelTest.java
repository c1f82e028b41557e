package org.lethe.models.tiny;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;

/** The tiny test model is a real causal language model: it memorises facts and round-trips its weights. */
class TinyLanguageModelTest {

    static final List<String> QUESTIONS = List.of("where was alice born ?", "where was bob born ?",
            "what does carol eat ?", "what does dave eat ?", "where was erin born ?");
    static final List<String> ANSWERS = List.of("paris", "oslo", "rice", "bread", "lima");
    static final String VOCABULARY = "where was born what does eat ? alice bob carol dave erin paris oslo rice bread lima";

    private static TinyLanguageModel model(long seed) {
        return new TinyLanguageModel(TinyLmConfig.from(Map.of("vocabulary", VOCABULARY)), seed);
    }

    @Test
    void answerLogProbsCoverOnlyAnswerTokens() {
        try (TinyLanguageModel lm = model(1); NDManager manager = lm.model().getNDManager().newSubManager()) {
            QaBatch batch = lm.encode(QUESTIONS, ANSWERS, manager);
            assertEquals(5, batch.size());
            NDArray logProbs = lm.answerLogProbs(batch, false);
            float[] values = logProbs.toFloatArray();
            float[] mask = batch.answerMask().toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertTrue(values[i] <= 0f, "log-probabilities are ≤ 0");
                if (mask[i] == 0f) {
                    assertEquals(0f, Math.abs(values[i]), "no score outside the answer");
                }
            }
            assertEquals(10f, batch.answerMask().sum().getFloat(), "one answer token and the end marker each");
            // untrained: about uniform over the vocabulary (4 markers + 18 words)
            float loss = lm.answerLoss(batch, false).getFloat();
            assertTrue(loss > 2.0f && loss < 4.5f, "untrained loss near ln(22) = 3.09, was " + loss);
        }
    }

    @Test
    void memorisesFactsWithAdamAndAnswersThemGreedily() {
        try (TinyLanguageModel lm = model(2)) {
            float first = Float.NaN;
            float last = Float.NaN;
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build());
            try (Trainer trainer = lm.model().newTrainer(config)) {
                for (int step = 0; step < 200; step++) {
                    try (NDManager scope = lm.model().getNDManager().newSubManager()) {
                        QaBatch batch = lm.encode(QUESTIONS, ANSWERS, scope);
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray loss = lm.answerLoss(batch, true);
                            collector.backward(loss);
                            last = loss.getFloat();
                            if (step == 0) {
                                first = last;
                            }
                        }
                        trainer.step();
                    }
                }
            }
            assertTrue(last < first / 10, "loss " + first + " → " + last);
            assertEquals(ANSWERS, lm.generate(QUESTIONS, 3), "greedy decoding recalls every memorised answer");
        }
    }

    @Test
    void savedWeightsLoadBackExactly(@TempDir Path dir) throws Exception {
        try (TinyLanguageModel a = model(3); TinyLanguageModel b = model(4);
                NDManager manager = a.model().getNDManager().newSubManager()) {
            QaBatch batch = a.encode(QUESTIONS, ANSWERS, manager);
            float[] before = a.answerLogProbs(batch, false).toFloatArray();
            a.save(dir);
            b.loadWeights(dir);
            QaBatch batchB = b.encode(QUESTIONS, ANSWERS, b.model().getNDManager());
            assertArrayEquals(before, b.answerLogProbs(batchB, false).toFloatArray(), 0f);
        }
    }

    @Test
    void badSettingsAreNamed() {
        LetheException e = assertThrows(LetheException.class, () -> TinyLmConfig.from(Map.of("vocabulary", "a", "layers", "2")));
        assertTrue(e.getMessage().contains("'layers'"), e.getMessage());
        e = assertThrows(LetheException.class, () -> TinyLmConfig.from(Map.of("vocabulary", "a", "context", "-1")));
        assertTrue(e.getMessage().contains("'context'"), e.getMessage());
        e = assertThrows(LetheException.class, () -> TinyLmConfig.from(Map.of()));
        assertTrue(e.getMessage().contains("'vocabulary'"), e.getMessage());
    }

    @Test
    void tooLongPairsAreRefused() {
        try (TinyLanguageModel lm = new TinyLanguageModel(TinyLmConfig.from(Map.of("vocabulary", VOCABULARY, "maxLength", "4")), 5);
                NDManager manager = lm.model().getNDManager().newSubManager()) {
            assertThrows(IllegalArgumentException.class, () -> lm.encode(QUESTIONS, ANSWERS, manager));
        }
    }

    @Test
    void viewIsTheLanguageModel() {
        try (TinyLanguageModel lm = model(6)) {
            assertTrue(lm.view(LanguageModel.class).isPresent());
            assertTrue(lm.view(String.class).isEmpty());
        }
    }
}

package org.lethe.method.flat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.models.tiny.TinyLmArchitecture;

/** FLAT's eight divergences against methods-llm.md §1.3, written out independently, and its two averaging modes. */
class DivergenceTest {

    private static final double[] POINTS = {0.1, 0.5, 0.9};

    /** The table of methods-llm.md §1.3: {g, f*∘g} per code name. */
    private static final Map<String, DoubleUnaryOperator[]> TABLE = Map.of(
            "KL", new DoubleUnaryOperator[] {x -> x, x -> Math.exp(x - 1)},
            "Reverse-KL", new DoubleUnaryOperator[] {x -> -Math.exp(x), x -> -1 - x},
            "Jeffrey", new DoubleUnaryOperator[] {x -> x, x -> x + x * x / 4 + x * x * x / 16},
            "Squared-Hellinger", new DoubleUnaryOperator[] {x -> 1 - Math.exp(x), x -> (1 - Math.exp(x)) / Math.exp(x)},
            "Pearson", new DoubleUnaryOperator[] {x -> x, x -> x * x / 4 + x},
            "Neyman", new DoubleUnaryOperator[] {x -> 1 - Math.exp(x), x -> 2 - 2 * Math.sqrt(1 - x)},
            "Jenson-Shannon", new DoubleUnaryOperator[] {x -> -Math.log(1 + Math.exp(-x)) - Math.log(2),
                x -> x + Math.log(1 + Math.exp(-x)) - Math.log(2)},
            "Total-Variation", new DoubleUnaryOperator[] {x -> Math.tanh(x) / 2, x -> Math.tanh(x) / 2});

    @Test
    void everyDivergenceMatchesTheTableAtThreePoints() {
        assertEquals(8, Divergence.values().length);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Divergence d : Divergence.values()) {
                DoubleUnaryOperator[] expected = TABLE.get(d.codeName());
                for (double x : POINTS) {
                    assertEquals(expected[0].applyAsDouble(x), d.activation(x), 1e-12, d + " g(" + x + ")");
                    assertEquals(expected[1].applyAsDouble(x), d.conjugate(x), 1e-12, d + " f*(g(" + x + "))");
                    NDArray array = manager.create((float) x);
                    assertEquals(expected[0].applyAsDouble(x), d.activation(array).getFloat(), 1e-5, d + " g on arrays");
                    assertEquals(expected[1].applyAsDouble(x), d.conjugate(array).getFloat(), 1e-5, d + " f*∘g on arrays");
                    double loss = -expected[0].applyAsDouble(x) + expected[1].applyAsDouble(0.3);
                    assertEquals(loss, d.loss(array, manager.create(0.3f)).getFloat(), 1e-5, d + " loss");
                }
            }
        }
    }

    @Test
    void totalVariationIsTheDefaultAndUnknownNamesAreRefused() throws Exception {
        assertEquals("Total-Variation", Flat.Config.class.getMethod("divergence").getDefaultValue());
        assertEquals(Divergence.TOTAL_VARIATION, Flat.divergence("Total-Variation"));
        LetheException e = assertThrows(LetheException.class, () -> Flat.divergence("Hellinger"));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
    }

    @Test
    void averagingModesOnAPaddedBatch() {
        try (LoadedModel model = new TinyLmArchitecture().create(Map.of("vocabulary", "who is a b c d e"), 1);
                NDManager manager = NDManager.newBaseManager()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            // answers of 1 and 4 words: the first row is padded
            QaBatch batch = lm.encode(List.of("who is a", "who is b"), List.of("c", "c d e a"), manager);
            float[] logProbs = lm.answerLogProbs(batch, false).toFloatArray();
            float[] mask = batch.answerMask().toFloatArray();
            int width = (int) batch.answerMask().getShape().get(1);
            double sum = 0;
            double tokensOnly = 0;
            int masked = 0;
            int answerTokens = 0;
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 1f) {
                    sum += Math.exp(logProbs[i]);
                    masked++;
                    boolean endMarker = (i + 1) % width == 0 || mask[i + 1] == 0f;
                    if (!endMarker) {
                        tokensOnly += Math.exp(logProbs[i]);
                        answerTokens++;
                    }
                }
            }
            assertEquals(2 + 5, masked, "answer tokens and end markers");
            assertEquals(5, answerTokens, "answer tokens: 1 + 4");
            assertEquals(tokensOnly / answerTokens, Flat.meanAnswerProbability(lm, batch, false).getFloat(), 1e-6,
                    "normalized: answer tokens only, end markers left out");
            assertEquals(sum / mask.length, Flat.meanAnswerProbability(lm, batch, true).getFloat(), 1e-6,
                    "faithful: every padded position counts, end markers included");
        }
    }
}

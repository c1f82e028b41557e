package org.lethe.evaluation.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.models.vision.VisionLanguageTransformer;

/** The vision-language metrics on the project's vision-language transformer, against values worked out by hand. */
class VqaMetricsTest {

    /** A model biased to answer "red" to everything; the values follow from the gold answers alone. */
    @Test
    void aBiasedModelScoresWhatItsAnswersGive() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(3)) {
            TinyVqa.alwaysAnswer(model, "red");
            Map<String, List<VqaItem>> roles = new LinkedHashMap<>();
            roles.put(Roles.VQA_FORGET, List.of(TinyVqa.colour("f1", "red", "red"), TinyVqa.colour("f2", "red", "red"),
                    TinyVqa.colour("f3", "blue", "blue")));
            roles.put(Roles.VQA_UTILITY, List.of(TinyVqa.colour("u1", "green", "green"),
                    TinyVqa.colour("u2", "yellow", "yellow"), TinyVqa.colour("u3", "red", "red"),
                    TinyVqa.colour("u4", "green", "green")));
            roles.put(Roles.VQA_YES_NO, List.of(TinyVqa.yesNo("y1", "red", "red"), TinyVqa.yesNo("y2", "green", "red"),
                    TinyVqa.yesNo("y3", "blue", "blue")));
            VqaTask task = new VqaTask(model, roles, List.of("red", "blue"));

            List<MetricResult> accuracy = new VqaAccuracyMetric().evaluate(task);
            // roles absent from the task (selectivity, paraphrase, forget, retain) are skipped, in report order
            assertEquals(List.of("vqa_forget.vqa-accuracy", "vqa_utility.vqa-accuracy", "vqa_yes_no.vqa-accuracy"),
                    accuracy.stream().map(MetricResult::key).toList());
            assertEquals(2.0 / 3, accuracy.get(0).aggregate(), 1e-12);
            assertEquals(Map.of("f1", 1.0, "f2", 1.0, "f3", 0.0), accuracy.get(0).perItem());
            assertEquals(Direction.LOWER_IS_BETTER, accuracy.get(0).direction());
            assertEquals(0.25, accuracy.get(1).aggregate(), 1e-12);
            assertEquals(Direction.HIGHER_IS_BETTER, accuracy.get(1).direction());
            assertEquals(0.0, accuracy.get(2).aggregate(), 1e-12);
            assertEquals(Direction.NEUTRAL, accuracy.get(2).direction());

            List<MetricResult> quality = new UnlearningQualityMetric().evaluate(task);
            assertEquals(List.of("vqa_forget.unlearning-quality", "vqa_yes_no.unlearning-quality"),
                    quality.stream().map(MetricResult::key).toList());
            assertEquals(1.0 / 3, quality.get(0).aggregate(), 1e-12);
            assertEquals(Map.of("f1", 0.0, "f2", 0.0, "f3", 1.0), quality.get(0).perItem());
            assertEquals(Direction.HIGHER_IS_BETTER, quality.get(0).direction());
            // only the true yes/no questions (y1, y3) count; "red" is never "yes"
            assertEquals(Map.of("y1", 1.0, "y3", 1.0), quality.get(1).perItem());
            assertEquals(1.0, quality.get(1).aggregate(), 1e-12);

            List<MetricResult> rate = new ConceptAnswerRateMetric().evaluate(task);
            assertEquals(List.of("vqa_forget.concept-answer-rate"), rate.stream().map(MetricResult::key).toList());
            // every answer is "red", one of the erased concepts, even for the blue object
            assertEquals(1.0, rate.get(0).aggregate(), 1e-12);
            assertEquals(Direction.LOWER_IS_BETTER, rate.get(0).direction());
            // erasing blue alone: "red" is not an erased concept
            assertEquals(0.0, new ConceptAnswerRateMetric().evaluate(new VqaTask(model, roles, List.of("blue"))).get(0)
                    .aggregate(), 1e-12);
            // without the erase role, the concepts are vqa_forget's gold answers (red, blue)
            assertEquals(1.0, new ConceptAnswerRateMetric().evaluate(new VqaTask(model, roles, null)).get(0).aggregate(),
                    1e-12);
        }
    }

    /** Answers in batches (more items than one batch holds) are the argmax of each item's own scores. */
    @Test
    void accuracyIsTheArgmaxOfEachItemsScoresAcrossBatches() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(11)) {
            String[] colours = {"red", "green", "blue", "yellow"};
            List<VqaItem> items = new ArrayList<>();
            for (int i = 0; i < VqaData.BATCH + 44; i++) {
                items.add(TinyVqa.colour("q" + i, colours[i % 4], colours[(i / 4) % 4]));
            }
            Map<String, Double> expected = new LinkedHashMap<>();
            int correct = 0;
            for (VqaItem item : items) {
                try (NDManager scope = model.model().getNDManager().newSubManager()) {
                    float[] scores = model.logits(model.images(List.of(item.image()), scope), List.of(item.question()),
                            false).toFloatArray();
                    int best = 0;
                    for (int k = 1; k < scores.length; k++) {
                        if (scores[k] > scores[best]) {
                            best = k;
                        }
                    }
                    double hit = TinyVqa.ANSWERS.get(best).equals(item.answer()) ? 1.0 : 0.0;
                    expected.put(item.id(), hit);
                    correct += (int) hit;
                }
            }
            MetricResult result = new VqaAccuracyMetric().evaluate(new VqaTask(model, Map.of(Roles.VQA_UTILITY, items),
                    null)).get(0);
            assertEquals(expected, result.perItem());
            assertEquals((double) correct / items.size(), result.aggregate(), 1e-12);
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(result.perItem().keySet()));
        }
    }

    @Test
    void noVisualQuestionsNoResults() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(3)) {
            VqaTask task = new VqaTask(model, Map.of(), List.of("red"));
            assertEquals(List.of(), new VqaAccuracyMetric().evaluate(task));
            assertEquals(List.of(), new UnlearningQualityMetric().evaluate(task));
            assertEquals(List.of(), new ConceptAnswerRateMetric().evaluate(task));
            // a yes/no role with no true question gives no unlearning quality
            VqaTask falseOnly = new VqaTask(model, Map.of(Roles.VQA_YES_NO, List.of(TinyVqa.yesNo("n", "red", "blue"))),
                    null);
            assertEquals(List.of(), new UnlearningQualityMetric().evaluate(falseOnly));
        }
    }

    @Test
    void aModelWithoutTheVisionLanguageViewIsRefusedByName() {
        Task task = new VqaTask("not a model", Map.of(Roles.VQA_FORGET, List.of(TinyVqa.colour("f", "red", "red"))),
                null);
        LetheException e = assertThrows(LetheException.class, () -> new VqaAccuracyMetric().evaluate(task));
        assertTrue(e.getMessage().contains("vqa-accuracy measures vision-language models"), e.getMessage());
    }

    @Test
    void anAnswerOutsideTheVocabularyIsNamed() {
        try (VisionLanguageTransformer model = TinyVqa.model(3)) {
            VqaItem odd = new VqaItem("odd", TinyVqa.image("i", "red", 1), "what color is the object", "crimson", "colour",
                    VqaItem.TEMPLATE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VqaAccuracyMetric()
                    .evaluate(new VqaTask(model, Map.of(Roles.VQA_FORGET, List.of(odd)), null)));
            assertTrue(e.getMessage().contains("odd") && e.getMessage().contains("crimson"), e.getMessage());
        }
    }
}

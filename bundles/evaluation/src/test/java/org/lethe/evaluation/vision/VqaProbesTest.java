package org.lethe.evaluation.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.evaluation.probes.TestRunContext;
import org.lethe.evaluation.testing.ConfigProxies;
import org.lethe.models.vision.VisionLanguageTransformer;

/** The vision-language probes, each a real attack on the project's vision-language transformer. */
class VqaProbesTest {

    private static Map<String, List<VqaItem>> roles(List<VqaItem> forget) {
        Map<String, List<VqaItem>> roles = new LinkedHashMap<>();
        roles.put(Roles.VQA_FORGET, forget);
        return roles;
    }

    private static MetricResult named(List<MetricResult> results, String key) {
        return results.stream().filter(r -> r.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " not in " + results.stream().map(MetricResult::key).toList()));
    }

    /** Raises red's bias by the least multiple of 0.1 that makes the model answer red on every item. */
    private static void answerRed(VisionLanguageTransformer model, List<VqaItem> items) {
        while (Suppression.rate(model, items, "red") < 1) {
            TinyVqa.favour(model, "red", 0.1f);
        }
    }

    /** A hook stops the model answering red; appended embeddings learned against it bring red back. */
    @Test
    void theSoftPromptBringsBackAnAnswerAHookSuppressed() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(5);
                TestRunContext run = TestRunContext.trainerFree(7, model.model().getNDManager())) {
            List<VqaItem> forget = TinyVqa.colours("f", "red", 12);
            answerRed(model, forget);
            assertEquals(1.0, Suppression.rate(model, forget, "red"), "the model answers red before the hook");
            try (AutoCloseable hook = Suppression.install(model, forget, "red")) {
                VqaTask task = new VqaTask(model, roles(forget), List.of("red"));
                assertEquals(0.0, new ConceptAnswerRateMetric().evaluate(task).get(0).aggregate());
                VqaSoftPrompt probe = new VqaSoftPrompt(ConfigProxies.of(VqaSoftPrompt.Config.class,
                        Map.of("steps", 60, "learningRate", 0.1, "batchSize", 8)));
                float[] before = parameters(model);
                List<MetricResult> results = probe.probe(task, run);
                assertArrayEquals(before, parameters(model), "gradients go only into the appended embeddings");
                double rate = named(results, "vqa_forget.vqa-soft-prompt-concept-answer-rate").aggregate();
                double quality = named(results, "vqa_forget.vqa-soft-prompt-unlearning-quality").aggregate();
                assertTrue(rate >= 0.5, "soft prompt concept-answer rate " + rate);
                assertEquals(1 - rate, quality, 1e-12, "one concept: quality is 1 − rate");
                MetricResult loss = named(results, "vqa_forget.vqa-soft-prompt-loss");
                assertEquals(60, loss.curve().size());
                assertTrue(loss.curve().get(60) < loss.curve().get(1), "the attack's loss falls: " + loss.curve());
                // the model itself is untouched: without the prompt it still does not answer red
                assertEquals(0.0, Suppression.rate(model, forget, "red"));
                assertTrue(run.log().stream().anyMatch(l -> l.contains("concept red: 12 questions")), "" + run.log());
            }
        }
    }

    @Test
    void softPromptDefaultsAreTheSources() {
        VqaSoftPrompt.Config c = ConfigProxies.of(VqaSoftPrompt.Config.class, Map.of());
        assertEquals(2, c.tokens());
        assertEquals(200, c.steps());
        assertThrows(LetheException.class, () -> new VqaSoftPrompt(ConfigProxies.of(VqaSoftPrompt.Config.class,
                Map.of("tokens", 0))));
    }

    /** PGD stays in the ε-ball and in [−1, 1], and moves the images toward the concept answer. */
    @Test
    void pgdStaysInsideTheBallAndTheImageRangeAndLowersTheTargetLoss() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(5)) {
            List<VqaItem> forget = new java.util.ArrayList<>(TinyVqa.colours("f", "red", 6));
            // saturated pixels: the clip to [−1, 1] must bind
            float[] white = new float[3 * TinyVqa.SIZE * TinyVqa.SIZE];
            java.util.Arrays.fill(white, 1f);
            float[] black = new float[white.length];
            forget.add(new VqaItem("w", new org.lethe.api.data.LabelledImage("w", Map.of("colour", "red"), 3, TinyVqa.SIZE,
                    TinyVqa.SIZE, white), "what color is the object", "red", "colour", VqaItem.TEMPLATE));
            forget.add(new VqaItem("b", new org.lethe.api.data.LabelledImage("b", Map.of("colour", "red"), 3, TinyVqa.SIZE,
                    TinyVqa.SIZE, black), "what color is the object", "red", "colour", VqaItem.TEMPLATE));
            try (AutoCloseable hook = Suppression.install(model, forget, "red");
                    ai.djl.ndarray.NDManager scope = model.model().getNDManager().newSubManager()) {
                VqaPgd.Config c = ConfigProxies.of(VqaPgd.Config.class, Map.of());
                assertEquals(8.0 / 255, c.epsilon(), 1e-15);
                assertEquals(2.0 / 255, c.stepSize(), 1e-15);
                assertEquals(20, c.steps());
                ai.djl.ndarray.NDArray clean = model.images(forget.stream().map(VqaItem::image).toList(), scope);
                float[] x0 = clean.toFloatArray();
                float[] x = VqaPgd.attack(model, forget, clean.getShape(), x0, c, new java.util.Random(1));
                double largest = 0;
                for (int i = 0; i < x.length; i++) {
                    assertTrue(x[i] >= -1f && x[i] <= 1f, "value " + x[i] + " outside [−1, 1]");
                    largest = Math.max(largest, Math.abs(x[i] - x0[i]));
                }
                // 8/255 in pixel units is 16/255 in the model's [−1, 1] units
                assertTrue(largest <= 16.0 / 255 + 1e-6, "largest change " + largest);
                assertTrue(largest >= 16.0 / 255 - 1e-6, "the attack uses the ball: largest change " + largest);
                assertTrue(targetLoss(model, forget, scope.create(x, clean.getShape()), scope)
                        < targetLoss(model, forget, clean, scope), "PGD lowers the loss of the concept answer");
                // random start stays in the ball too
                float[] r = VqaPgd.attack(model, forget, clean.getShape(), x0, ConfigProxies.of(VqaPgd.Config.class,
                        Map.of("randomStart", true, "steps", 1)), new java.util.Random(2));
                for (int i = 0; i < r.length; i++) {
                    assertTrue(Math.abs(r[i] - x0[i]) <= 16.0 / 255 + 1e-6 && r[i] >= -1f && r[i] <= 1f);
                }
            }
        }
    }

    /** Against a model whose red is suppressed by a hook, a larger ball makes it answer red again; the hook stays. */
    @Test
    void pgdAttacksTheHookedModelAndReportsItsSuccess() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(5);
                TestRunContext run = TestRunContext.trainerFree(7, model.model().getNDManager())) {
            List<VqaItem> forget = TinyVqa.colours("f", "red", 12);
            answerRed(model, forget);
            try (AutoCloseable hook = Suppression.install(model, forget, "red")) {
                VqaTask task = new VqaTask(model, roles(forget), List.of("red"));
                List<MetricResult> results = new VqaPgd(ConfigProxies.of(VqaPgd.Config.class,
                        Map.of("epsilon", 0.5, "stepSize", 0.05))).probe(task, run);
                double rate = named(results, "vqa_forget.vqa-pgd-concept-answer-rate").aggregate();
                assertTrue(rate > 0, "PGD brings red back on some images: " + rate);
                assertEquals(1 - rate, named(results, "vqa_forget.vqa-pgd-unlearning-quality").aggregate(), 1e-12);
                assertTrue(named(results, "vqa_forget.vqa-pgd-linf").aggregate() <= 0.5 + 1e-6);
                assertEquals(0.0, Suppression.rate(model, forget, "red"), "the hook is still there");
            }
        }
    }

    /** A weight edit that hid red comes back with fine-tuning on the forget questions. */
    @Test
    void relearningFollowsUnlearningQualityOverTheSteps() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(5);
                TestRunContext run = TestRunContext.trainerFree(7, model.model().getNDManager())) {
            List<VqaItem> heldOut = TinyVqa.colours("h", "red", 8);
            // the "unlearned" model: red's bias lowered until no held-out question is answered red
            while (Suppression.rate(model, heldOut, "red") > 0) {
                TinyVqa.favour(model, "red", -0.1f);
            }
            Map<String, List<VqaItem>> roles = roles(heldOut);
            roles.put(Task.FORGET, TinyVqa.colours("t", "red", 16));
            VqaTask task = new VqaTask(model, roles, List.of("red"));
            List<MetricResult> results = new VqaRelearning(ConfigProxies.of(VqaRelearning.Config.class,
                    Map.of("learningRate", 1e-2, "batchSize", 8))).probe(task, run);
            MetricResult quality = named(results, "vqa_forget.vqa-relearning-unlearning-quality");
            assertEquals(List.of(0, 10, 20, 30, 40, 50), List.copyOf(quality.curve().keySet()));
            assertEquals(1.0, quality.curve().get(0));
            assertEquals(0.0, quality.aggregate(), "50 steps on the forget questions bring red back: " + quality.curve());
            assertEquals(1.0, named(results, "vqa_forget.vqa-relearning-concept-answer-rate").aggregate());
            assertEquals(1.0, named(results, "vqa_forget.vqa-relearning-gain").aggregate());
        }
    }

    @Test
    void relearningNeedsTheForgetQuestions() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(5);
                TestRunContext run = TestRunContext.trainerFree(7, model.model().getNDManager())) {
            VqaTask task = new VqaTask(model, roles(TinyVqa.colours("h", "red", 2)), List.of("red"));
            LetheException e = assertThrows(LetheException.class, () -> new VqaRelearning(ConfigProxies.of(
                    VqaRelearning.Config.class, Map.of())).probe(task, run));
            assertTrue(e.getMessage().contains("'forget'"), e.getMessage());
            LetheException none = assertThrows(LetheException.class, () -> new VqaPgd(ConfigProxies.of(
                    VqaPgd.Config.class, Map.of())).probe(new VqaTask(model, Map.of(), null), run));
            assertTrue(none.getMessage().contains("vqa_forget"), none.getMessage());
        }
    }

    /**
     * The probe measures the copy it is handed, which whoever runs it loads with the interventions
     * disabled: with the hook gone it reports what the plain metric reports on the unhooked model,
     * not what it reports on the hooked one.
     */
    @Test
    void interventionRemovedMeasuresTheModelWithoutItsHook() throws Exception {
        try (VisionLanguageTransformer model = TinyVqa.model(5);
                TestRunContext run = TestRunContext.trainerFree(7, model.model().getNDManager())) {
            List<VqaItem> forget = TinyVqa.colours("f", "red", 12);
            answerRed(model, forget);
            VqaTask task = new VqaTask(model, roles(forget), List.of("red"));
            double hooked;
            try (AutoCloseable hook = Suppression.install(model, forget, "red")) {
                hooked = new UnlearningQualityMetric().evaluate(task).get(0).aggregate();
            }
            List<MetricResult> removed = new InterventionRemoved().probe(task, run);
            assertEquals(1.0, hooked);
            assertEquals(new UnlearningQualityMetric().evaluate(task).get(0).aggregate(),
                    named(removed, "vqa_forget.intervention-removed-unlearning-quality").aggregate());
            assertEquals(0.0, named(removed, "vqa_forget.intervention-removed-unlearning-quality").aggregate());
            assertEquals(1.0, named(removed, "vqa_forget.intervention-removed-concept-answer-rate").aggregate());
            assertEquals("lethe.probe.interventions", InterventionRemoved.LOAD_PROPERTY);
        }
    }

    private static float[] parameters(VisionLanguageTransformer model) {
        List<Float> values = new java.util.ArrayList<>();
        for (var p : model.model().getBlock().getParameters()) {
            for (float v : p.getValue().getArray().toFloatArray()) {
                values.add(v);
            }
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static double targetLoss(VisionLanguageTransformer model, List<VqaItem> items, ai.djl.ndarray.NDArray images,
            ai.djl.ndarray.NDManager scope) {
        ai.djl.ndarray.NDArray targets = scope.create(model.answerIndices(items)).reshape(items.size(), 1);
        return model.logits(images, items.stream().map(VqaItem::question).toList(), false).logSoftmax(1)
                .gather(targets, 1).neg().mean().getFloat();
    }
}

package org.lethe.evaluation.probes;

import org.lethe.evaluation.testing.MapTask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.models.text.WordTokenizer;
import org.lethe.models.transformer.WordTransformerConfig;
import org.lethe.models.transformer.WordTransformerModel;
import org.lethe.worlds.facts.FactsGenerator;
import org.lethe.worlds.facts.FactsWorld;
import org.junit.jupiter.api.Test;

/** The prompt attacks: every kind, its controls, what fits the model, and what is refused. */
class PromptAttacksTest {

    private static final ProbeFixture FIXTURE = ProbeFixture.get();

    private static List<MetricResult> probe(Map<String, List<QaItem>> roles) {
        try (WordTransformerModel copy = FIXTURE.copy(FIXTURE.trained());
                TestRunContext run = new TestRunContext(0, copy.model().getNDManager())) {
            String before = ProbeFixture.checksum(copy);
            List<MetricResult> results = new PromptAttacks().probe(new MapTask(copy, roles), run);
            assertEquals(before, ProbeFixture.checksum(copy), "prompt attacks only read the model");
            assertEquals(0, run.steps);
            return results;
        }
    }

    @Test
    void everyKindWithItsControlAndCoverage() {
        List<MetricResult> results = probe(FIXTURE.roles());
        assertEquals(List.of("paraphrase.attack-success", "paraphrase.attack-coverage", "paraphrase.control-exact-match",
                "direct.attack-success", "direct.attack-coverage",
                "indirect.attack-success", "indirect.attack-coverage", "indirect.control-exact-match",
                "implied.attack-success", "implied.attack-coverage", "implied.control-exact-match",
                "in-context.attack-success", "in-context.attack-coverage"), results.stream().map(MetricResult::key).toList());
        for (MetricResult r : results) {
            assertEquals("1", r.version());
            assertFalse(r.needsReference());
            assertTrue(r.curve().isEmpty());
            assertTrue(r.aggregate() >= 0 && r.aggregate() <= 1, r.key() + " " + r.aggregate());
            Direction expected = switch (r.metric()) {
                case PromptAttacks.ATTACK_SUCCESS -> Direction.LOWER_IS_BETTER;
                case PromptAttacks.SUPPRESSION -> Direction.HIGHER_IS_BETTER;
                default -> Direction.NEUTRAL;
            };
            assertEquals(expected, r.direction(), r.key());
        }
        Map<String, List<QaItem>> roles = FIXTURE.roles();
        assertEquals(roles.get(Roles.FORGET_PARAPHRASED).size(), results.get(0).perItem().size());
        assertEquals(roles.get(Roles.RETAIN_PARAPHRASED).size(), results.get(2).perItem().size());
        assertEquals(roles.get(Roles.TWO_HOP).size(), results.get(5).perItem().size());
        assertEquals(roles.get(Roles.IMPLIED_CONTROL).size(), results.get(10).perItem().size());
        assertEquals(1.0, results.get(1).aggregate(), "the world's items all fit");
        // the model memorised forget10 as trained; the plain in-context restatement is answered
        System.out.println("[probes] prompt attacks on the trained model: " + results.stream()
                .map(r -> r.key() + "=" + String.format("%.3f", r.aggregate())).toList());
        assertEquals(results, probe(FIXTURE.roles()), "deterministic");
    }

    @Test
    void inContextAndDirectPromptsFitTheDefaultWorldsModel() {
        // the default world (100 entities) with the length its service gives the model: 16 tokens
        FactsWorld world = FactsGenerator.generate(0);
        int maxLength = Math.max(16, world.maxSequenceTokens() + 2);
        try (WordTransformerModel lm = new WordTransformerModel(WordTransformerConfig.of(world.vocabulary()), 0)) {
            assertEquals(WordTransformerConfig.DEFAULT_MAX_LENGTH, lm.maxLength());
            assertEquals(maxLength, lm.maxLength());
            for (String split : List.of("forget01", "forget05", "forget10")) {
                List<QaItem> forget = world.split(split);
                PromptAttacks.Prompts inContext = PromptAttacks.inContext(lm, forget);
                PromptAttacks.Prompts direct = PromptAttacks.direct(lm, forget);
                for (int i = 0; i < inContext.prompts().size(); i++) {
                    int tokens = WordTokenizer.words(inContext.prompts().get(i)).size()
                            + WordTokenizer.words(inContext.answers().get(i)).size() + 2;
                    assertTrue(tokens <= lm.maxLength(), inContext.prompts().get(i) + ": " + tokens + " tokens");
                    assertTrue(inContext.prompts().get(i).contains(" " + inContext.answers().get(i) + " . "),
                            "the fact is stated before the question: " + inContext.prompts().get(i));
                }
                for (int i = 0; i < direct.prompts().size(); i++) {
                    String prompt = direct.prompts().get(i);
                    int tokens = WordTokenizer.words(prompt).size() + WordTokenizer.words(direct.answers().get(i)).size() + 2;
                    assertTrue(tokens <= lm.maxLength(), prompt + ": " + tokens + " tokens");
                    assertTrue(prompt.contains(" ? ") && !prompt.endsWith("?"), "question, then statement: " + prompt);
                }
                assertEquals(forget.size(), inContext.considered());
                assertEquals(forget.size() / 3, direct.considered(), "one direct prompt per fact (3 items a fact)");
                double coverage = (double) inContext.prompts().size() / forget.size();
                System.out.printf("[probes] %s: in-context prompts for %d of %d items (%.2f), direct for %d of %d facts%n",
                        split, inContext.prompts().size(), forget.size(), coverage, direct.prompts().size(),
                        direct.considered());
                // measured: forget01 16/18, forget05 68/90, forget10 (see the output); the rest are 17+ tokens
                assertTrue(coverage >= 0.7, "most items get an in-context prompt: " + coverage);
                assertEquals(direct.considered(), direct.prompts().size(), "every fact gets a direct prompt");
            }
        }
    }

    @Test
    void onlyForgetIsRequiredTheOtherKindsAreSkipped() {
        LetheException e = assertThrows(LetheException.class, () -> probe(FIXTURE.rolesWithout(Roles.FORGET)));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("'forget'"), e.getMessage());
        List<MetricResult> results = probe(Map.of(Roles.FORGET, FIXTURE.roles().get(Roles.FORGET)));
        assertEquals(List.of("direct.attack-success", "direct.attack-coverage", "in-context.attack-success",
                "in-context.attack-coverage"), results.stream().map(MetricResult::key).toList());
    }

    @Test
    void itemsWithoutEntitiesStillGetPrompts() {
        QaItem a = new QaItem("a", "where does mira live ?", "oslo", java.util.Optional.empty(), java.util.Optional.empty(),
                List.of("mira lives in"), List.of(), java.util.Optional.empty());
        QaItem b = QaItem.of("b", "what is the job of mira ?", "baker");
        List<String> words = List.of("where", "does", "mira", "live", "?", "oslo", "lives", "in", "what", "is", "the", "job",
                "of", "baker", ".");
        try (WordTransformerModel lm = new WordTransformerModel(new WordTransformerConfig(words, 20, 1, 8, 2, 8), 0)) {
            PromptAttacks.Prompts direct = PromptAttacks.direct(lm, List.of(a, b));
            assertEquals(List.of("a"), direct.ids());
            assertEquals(List.of("where does mira live ? mira lives in"), direct.prompts());
            assertEquals(2, direct.considered(), "b has one rendering: no direct prompt");
            PromptAttacks.Prompts inContext = PromptAttacks.inContext(lm, List.of(a, b));
            assertEquals(List.of("mira lives in oslo . where does mira live ?",
                    "what is the job of mira ? baker . what is the job of mira ?"), inContext.prompts(),
                    "a fact without a statement is restated by its own question and answer");
            assertEquals(List.of("b"), PromptAttacks.inContext(lm, List.of(b)).ids());
        }
        // with 16 tokens, "q a . q" of b (19 tokens with the markers) does not fit, and is left out
        try (WordTransformerModel lm = new WordTransformerModel(new WordTransformerConfig(words, 16, 1, 8, 2, 8), 0)) {
            PromptAttacks.Prompts inContext = PromptAttacks.inContext(lm, List.of(a, b));
            assertEquals(List.of("a"), inContext.ids());
            assertEquals(2, inContext.considered());
        }
    }
}

package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelRef;

/**
 * FLAT ({@code flat}, methods-llm.md §1.3): maximises an f-divergence between the template answer
 * ({@code unknown}) and the forget answer, on token probabilities, from forget data alone.
 */
class FlatBehaviourTest {

    private static FactsFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = FactsFixture.get();
    }

    @AfterAll
    static void baseUntouched() {
        fixture.assertBaseUntouched();
    }

    /**
     * FLAT with its defaults (Total-Variation, normalized averaging, lr 1e-4, 100 steps, batch 20)
     * raises the probability of the template answer on the forget questions and lowers that of the
     * forget answers (research §3.5: direction only, no value). It reads no retain data: it declares
     * only {@code forget} as input, and the run is given no retain data at all.
     *
     * <p>Lethe: p(unknown | q) 8.9e-8 → 1.6e-7, p(answer | q) 0.9992 → 0.9975 (small: see
     * {@link #forgetsAsMuchAsHalfTheResearchEffect}).
     */
    @Test
    void raisesTheTemplateAnswerAndLowersTheForgetAnswerWithoutRetainData() {
        assertEquals(List.of(Task.FORGET), fixture.method("flat").descriptor().inputs(), "FLAT declares forget data only");
        assertFalse(fixture.method("flat").descriptor().inputs().contains(Task.RETAIN));
        ModelRef result = fixture.run("flat", Map.of(), GradientAscentBehaviourTest.FORGET_ONLY).result();
        assertEquals(List.of(Task.FORGET), List.copyOf(fixture.store().manifest(result).producedBy()
                .flatMap(key -> fixture.service().record(key)).orElseThrow().spec().data().keySet()),
                "the run had forget data and nothing else");
        FactsFixture.Evaluation before = fixture.evaluate(fixture.base());
        FactsFixture.Evaluation after = fixture.evaluate(result);
        double templateBefore = before.template().meanProbability();
        double templateAfter = after.template().meanProbability();
        double forgetBefore = before.forget().meanProbability();
        double forgetAfter = after.forget().meanProbability();
        fixture.record("FLAT-TV lr 1e-4 × 100, no retain data", "template p rises, forget p falls", "direction only",
                String.format("template %.2e → %.2e, forget %.4f → %.4f", templateBefore, templateAfter, forgetBefore,
                        forgetAfter), templateAfter > templateBefore && forgetAfter < forgetBefore);
        assertTrue(templateAfter > templateBefore, "template answer probability " + templateBefore + " → " + templateAfter);
        assertTrue(forgetAfter < forgetBefore, "forget answer probability " + forgetBefore + " → " + forgetAfter);
    }

    /**
     * Research §3.5–3.6: FLAT-TV at lr 1e-4 × 100 steps takes forget EM to 0.23 (FLAT-KL 0.33)
     * with world EM ≥ 0.97. Half of that effect is forget EM ≤ 0.62; it does not reproduce.
     */
    @Test
    void forgetsAsMuchAsHalfTheResearchEffect() {
        ModelRef result = fixture.run("flat", Map.of(), GradientAscentBehaviourTest.FORGET_ONLY).result();
        FactsFixture.Evaluation e = fixture.evaluate(result);
        fixture.record("FLAT-TV lr 1e-4 × 100", "forget EM ≤ 0.62", "0.23", String.format("%.3f", e.forget().exactMatch()),
                e.forget().exactMatch() <= 0.62);
        assertTrue(e.forget().exactMatch() <= 0.62, "FLAT-TV: " + e + " (research forget EM 0.23)");
    }
}

package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelRef;

/**
 * Gradient ascent ({@code gradient-ascent}, methods-llm.md §1.1) on forget10 of the facts world:
 * it forgets by pushing the forget answers' likelihood down, without bound, so that a run that goes
 * on too long wrecks the model.
 */
class GradientAscentBehaviourTest {

    static final Map<String, String> FORGET_ONLY = Map.of(Task.FORGET, FactsFixture.FORGET);

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
     * GA at lr 1e-4 (the default), batch 20, sampled at 25, 50, 75 and 100 steps. The runs share one
     * trajectory: same seed, same batches, so the 25-step run is the first quarter of the 100-step run.
     * <ul>
     * <li>Forget NLL rises step over step. Research: 0.00 → 0.21 → 1.11 → 3.35 → 7.95 at steps
     *     0/25/50/75/100; Lethe: 0.001 → 0.207 → 1.267 → 3.787 → 8.320. The rise to step 100 is held
     *     to at least half the research's (NLL ≥ 3.98).</li>
     * <li>Forget EM ≤ 0.5 after 100 steps. Research: 0.18; Lethe: 0.128.</li>
     * </ul>
     */
    @Test
    void forgetsInAHundredStepsWithTheForgetNllRisingStepOverStep() {
        List<Double> nll = new ArrayList<>();
        nll.add(fixture.evaluate(fixture.base()).forget().meanNll());
        ModelRef last = null;
        for (int steps : new int[] {25, 50, 75, 100}) {
            last = fixture.run("gradient-ascent", Map.of("steps", Integer.toString(steps)), FORGET_ONLY).result();
            nll.add(fixture.evaluate(last).forget().meanNll());
        }
        boolean rising = true;
        for (int i = 1; i < nll.size(); i++) {
            rising &= nll.get(i) > nll.get(i - 1);
        }
        String measured = nll.stream().map(v -> String.format("%.3f", v)).toList().toString();
        fixture.record("GA lr 1e-4, steps 0/25/50/75/100", "forget NLL strictly rising, NLL(100) ≥ 3.98",
                "0.00 → 0.21 → 1.11 → 3.35 → 7.95", measured, rising && nll.get(4) >= 3.98);
        double forgetEm = fixture.evaluate(last).forget().exactMatch();
        fixture.record("GA lr 1e-4 × 100", "forget EM ≤ 0.5", "0.18", String.format("%.3f", forgetEm), forgetEm <= 0.5);
        assertTrue(rising, "forget NLL at steps 0, 25, 50, 75, 100: " + measured);
        assertTrue(nll.get(4) >= 3.98, "forget NLL after 100 steps " + nll.get(4) + " (research 7.95)");
        assertTrue(forgetEm <= 0.5, "forget EM after 100 steps " + forgetEm + " (research 0.18)");
    }

    /**
     * GA run too long (lr 1e-3, 40 steps) collapses the world facts it never touched: world EM below
     * 0.2. Research: 0.03; Lethe: 0.000 (forget NLL 19.6, retain EM 0.05).
     */
    @Test
    void runTooLongItCollapsesTheWorldFacts() {
        ModelRef result = fixture.run("gradient-ascent", Map.of("steps", "40", "learningRate", "1e-3"), FORGET_ONLY).result();
        FactsFixture.Evaluation e = fixture.evaluate(result);
        double world = e.world().exactMatch();
        fixture.record("GA lr 1e-3 × 40", "world EM < 0.2", "0.03", String.format("%.3f (%s)", world, e), world < 0.2);
        assertTrue(world < 0.2, "world EM after GA at lr 1e-3 for 40 steps: " + e);
    }

    /**
     * Research §3.5 also says the diverged run's forget NLL exceeds 50 (measured 59). Half of that
     * effect, NLL ≥ 29.5, does not reproduce at Lethe's scale: the world facts collapse as in the
     * research, but the forget NLL stops lower.
     */
    @Disabled("does not reproduce: GA at lr 1e-3 × 40 on forget10 reaches a forget NLL of 19.6 in Lethe (research 59;"
            + " half the effect would be ≥ 29.5); world EM 0.000, retain EM 0.051, forget EM 0.050 (the collapse itself"
            + " does reproduce, see runTooLongItCollapsesTheWorldFacts)")
    @Test
    void runTooLongItsForgetNllExceedsHalfTheResearchValue() {
        ModelRef result = fixture.run("gradient-ascent", Map.of("steps", "40", "learningRate", "1e-3"), FORGET_ONLY).result();
        double nll = fixture.evaluate(result).forget().meanNll();
        fixture.record("GA lr 1e-3 × 40", "forget NLL ≥ 29.5", "59", String.format("%.3f", nll), nll >= 29.5);
        assertTrue(nll >= 29.5, "forget NLL after GA at lr 1e-3 for 40 steps: " + nll + " (research 59)");
    }
}

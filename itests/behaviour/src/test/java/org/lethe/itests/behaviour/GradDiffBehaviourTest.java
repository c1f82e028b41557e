package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.method.Task;

/**
 * GradDiff ({@code graddiff}, methods-llm.md §1.2): gradient ascent on forget plus descent on
 * retain in the same step. At equal steps it keeps the utility that gradient ascent destroys; that
 * difference is what distinguishes it from GA under another name.
 */
class GradDiffBehaviourTest {

    static final Map<String, String> FORGET_AND_RETAIN = Map.of(Task.FORGET, FactsFixture.FORGET, Task.RETAIN,
            FactsFixture.RETAIN);

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
     * World EM, GradDiff vs GA, same steps, same learning rate, same seed; held to at least half of
     * the research's difference (+0.30 where the research has +0.60; +0.37 where it has +0.74):
     * <ul>
     * <li>100 steps at lr 1e-4: research 1.00 vs 0.40; Lethe 0.983 to 1.000 vs 0.117;</li>
     * <li>20 steps at lr 1e-3: research 0.97 vs 0.23; Lethe 0.900 vs 0.000.</li>
     * </ul>
     * GradDiff's forget EM is not bounded here: the same GradDiff run repeated does not always commit
     * the same weights (about 1 run in 8 differs, in one JVM or across JVMs: a garbage collection
     * between forward and backward corrupts the step, see {@link GradientIntegrityTest}), and at
     * lr 1e-4 × 100 its forget EM was seen anywhere from 0.50 to 0.88 (research 0.42); its world EM
     * stayed at 0.98 or above in every repeat, far from GA's.
     */
    @Test
    void keepsTheWorldFactsThatGradientAscentDestroysAtEqualSteps() {
        compare("100", "1e-4", 0.30, "1.00 vs 0.40");
        compare("20", "1e-3", 0.37, "0.97 vs 0.23");
    }

    private void compare(String steps, String lr, double margin, String research) {
        Map<String, String> settings = Map.of("steps", steps, "learningRate", lr);
        FactsFixture.Evaluation ga = fixture.evaluate(
                fixture.run("gradient-ascent", settings, GradientAscentBehaviourTest.FORGET_ONLY).result());
        FactsFixture.Evaluation gd = fixture.evaluate(fixture.run("graddiff", settings, FORGET_AND_RETAIN).result());
        double gaWorld = ga.world().exactMatch();
        double gdWorld = gd.world().exactMatch();
        boolean holds = gdWorld >= gaWorld + margin;
        fixture.record("GradDiff vs GA, lr " + lr + " × " + steps, String.format("world EM GradDiff ≥ GA + %.2f", margin),
                research, String.format("%.3f vs %.3f (GradDiff forget EM %.3f, retain EM %.3f)", gdWorld, gaWorld,
                        gd.forget().exactMatch(), gd.retain().exactMatch()), holds);
        assertTrue(holds, "lr " + lr + " × " + steps + ": GradDiff " + gd + " vs GA " + ga);
    }

    /**
     * GradDiff with the KL retain term (KL(p_θ0 ‖ p_θ) to the model before the run, open-unlearning's
     * retain_loss_type KL): it also keeps what gradient ascent destroys, at lr 1e-4 × 100. The research
     * gives no number for this variant; the bound is the NLL variant's (GA + 0.30), a direction check.
     */
    @Test
    void theKlRetainTermAlsoKeepsTheWorldFacts() {
        Map<String, String> settings = Map.of("steps", "100", "learningRate", "1e-4");
        FactsFixture.Evaluation ga = fixture.evaluate(
                fixture.run("gradient-ascent", settings, GradientAscentBehaviourTest.FORGET_ONLY).result());
        FactsFixture.Evaluation kl = fixture.evaluate(fixture.run("graddiff",
                Map.of("steps", "100", "learningRate", "1e-4", "retainLoss", "KL"), FORGET_AND_RETAIN).result());
        boolean holds = kl.world().exactMatch() >= ga.world().exactMatch() + 0.30;
        fixture.record("GradDiff-KL vs GA, lr 1e-4 × 100", "world EM GradDiff-KL ≥ GA + 0.30", "(no research value)",
                String.format("%.3f vs %.3f (GradDiff-KL forget EM %.3f, retain EM %.3f)", kl.world().exactMatch(),
                        ga.world().exactMatch(), kl.forget().exactMatch(), kl.retain().exactMatch()), holds);
        assertTrue(holds, "GradDiff-KL " + kl + " vs GA " + ga);
    }

    /** GradDiff's retain term is what protects utility: without retain data the run is refused up front. */
    @Test
    void isRefusedWithoutRetainData() {
        LetheException e = assertThrows(LetheException.class, () -> fixture.service().submit(
                fixture.spec("graddiff", Map.of(), GradientAscentBehaviourTest.FORGET_ONLY)));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        assertTrue(e.getMessage().contains("'retain'"), e.getMessage());
    }
}

package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Report;

/**
 * The papers' findings, reproduced in direction by the comparison harness on the facts world
 * (forget10, where the research measured its bounds; one seed; each method at its documented
 * defaults). These test the harness's report, not exact numbers; each bound cites the research and
 * the measured value goes to {@code target/behaviour-measurements.md}.
 */
class PaperDirectionsTest {

    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");

    private static ComparisonFixture fixture;
    private static Report report;

    @BeforeAll
    static void compare() throws Exception {
        fixture = new ComparisonFixture(TARGET.resolve("comparison-directions"));
        report = fixture.runner().compare(new ComparisonSpec("facts", FactsFixture.FORGET,
                List.of("gradient-ascent", "graddiff", "flat"), Map.of(), 1, 0, List.of("relearning", "misinformation"),
                Optional.empty()),
                (done, total, what) -> { });
    }

    @AfterAll
    static void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * FLAT (Wang et al. 2025) claims a better forgetting/utility trade-off than gradient ascent;
     * open-unlearning's reproduction has GA collapse utility on the larger forget sets. "At equal
     * forgetting": both methods run at 50–200 steps (lr 1e-4, their documented defaults otherwise),
     * and at every FLAT point whose forget exact match lies within GA's measured range, FLAT's model
     * utility must exceed GA's, linearly interpolated at the same forget exact match.
     */
    @Test
    void gradientAscentDamagesUtilityMoreThanFlatAtEqualForgetting() throws Exception {
        java.util.TreeMap<Double, Double> ga = new java.util.TreeMap<>();
        List<double[]> flat = new java.util.ArrayList<>();
        ga.put(cell("gradient-ascent", "forget.exact-match"), cell("gradient-ascent", "retain+world.model-utility"));
        flat.add(new double[] {cell("flat", "forget.exact-match"), cell("flat", "retain+world.model-utility")});
        for (int[] steps : new int[][] {{150, 75}, {200, 50}}) {
            Report sweep = fixture.runner().compare(new ComparisonSpec("facts", FactsFixture.FORGET,
                    List.of("gradient-ascent", "flat"), Map.of("gradient-ascent", Map.of("steps", String.valueOf(steps[0])),
                            "flat", Map.of("steps", String.valueOf(steps[1]))), 1, 0, List.of(), Optional.empty()),
                    (done, total, what) -> { });
            ga.put(cell(sweep, "gradient-ascent", "forget.exact-match"), cell(sweep, "gradient-ascent", "retain+world.model-utility"));
            flat.add(new double[] {cell(sweep, "flat", "forget.exact-match"), cell(sweep, "flat", "retain+world.model-utility")});
        }
        StringBuilder measured = new StringBuilder("GA (forget EM, utility) " + ga + "; FLAT");
        boolean holds = true;
        int compared = 0;
        for (double[] point : flat) {
            measured.append(String.format(" (%.3f, %.3f)", point[0], point[1]));
            if (point[0] < ga.firstKey() || point[0] > ga.lastKey()) {
                continue;
            }
            var below = ga.floorEntry(point[0]);
            var above = ga.ceilingEntry(point[0]);
            double gaUtility = below.getKey().equals(above.getKey()) ? below.getValue() : below.getValue()
                    + (above.getValue() - below.getValue()) * (point[0] - below.getKey()) / (above.getKey() - below.getKey());
            measured.append(String.format(" vs GA %.3f", gaUtility));
            holds &= point[1] > gaUtility;
            compared++;
        }
        holds &= compared > 0;
        FactsFixture.get().record("GA vs FLAT at equal forgetting (harness)",
                "FLAT utility > GA's interpolated at FLAT's forget EM (≥ 1 point in range)",
                "FLAT-TV forget 0.23 / world 1.00 vs GA 0.18 / 0.40 (§3.6)", measured.toString(), holds);
        assertTrue(holds, measured.toString());
    }

    /**
     * "Unlearning ≈ suppression" (OFFSIDE finding 4; Hu et al. 2024): methods that forget (low forget
     * exact match) without reaching the gold model's forget quality get held-out forget facts back
     * under the relearning attack, beyond what the gold model learns. Research §3.5: excess ≥ 0.2 for
     * GA, GradDiff and FLAT (unlearned 0.50–0.70 after 10 steps vs gold 0.13).
     */
    @Test
    void suppressingMethodsRecoverUnderTheRelearningAttack() {
        for (String method : List.of("gradient-ascent", "graddiff", "flat")) {
            double forgetQuality = cell(method, "forget.forget-quality");
            double excess = cell(method, "forget-heldout.relearning-excess");
            boolean holds = forgetQuality < 0.05 && excess >= 0.2;
            FactsFixture.get().record(method + " relearning excess (harness)", "forget quality < 0.05 and excess ≥ 0.2",
                    "excess ≥ 0.2 for GA, GradDiff, FLAT (§3.5)",
                    String.format("forget quality %.3g, excess %.3f", forgetQuality, excess), holds);
            assertTrue(holds, method + String.format(": forget quality %.3g, excess %.3f", forgetQuality, excess));
        }
    }

    /**
     * RESTOR (Rezaei et al. 2025): gradient ascent forgets the corrupting content but rarely restores
     * the clean model's knowledge. Unlearning the misinformation from the corrupted model lowers the
     * rumour answers, and recovery of the true answers stays partial (below 0.9 of the way back).
     */
    @Test
    void restorRecoveryIsPartialForGradientAscent() {
        double corruptedRumours = cell("corrupted", "misinformation:rumours.exact-match");
        double rumours = cell("gradient-ascent", "misinformation:rumours.exact-match");
        double recovery = cell("gradient-ascent", "misinformation:restor.recovery");
        boolean holds = rumours < corruptedRumours && recovery < 0.9;
        FactsFixture.get().record("GA RESTOR recovery (harness)", "rumour EM falls and recovery < 0.9",
                "GA/KL forget the corruption but rarely restore (RESTOR, directional)",
                String.format("rumour EM %.3f → %.3f, recovery %.3f", corruptedRumours, rumours, recovery), holds);
        assertTrue(holds, String.format("rumour EM %.3f → %.3f, recovery %.3f", corruptedRumours, rumours, recovery));
    }

    private static double cell(String row, String key) {
        return cell(report, row, key);
    }

    private static double cell(Report report, String row, String key) {
        Report.Row r = report.rows().stream().filter(x -> x.name().equals(row)).findFirst().orElseThrow();
        Report.Cell cell = r.cells().get(key);
        assertTrue(cell != null && !cell.values().isEmpty(), row + " has no " + key + ": " + cell + " " + r.runs());
        return cell.mean();
    }
}

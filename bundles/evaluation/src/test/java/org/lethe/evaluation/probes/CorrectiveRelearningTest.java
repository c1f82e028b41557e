package org.lethe.evaluation.probes;

import org.lethe.evaluation.testing.MapTask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.models.transformer.WordTransformerModel;
import org.junit.jupiter.api.Test;

/** Corrective relearning on the damaged model: the true values come back, over eleven points. */
class CorrectiveRelearningTest {

    private static final ProbeFixture FIXTURE = ProbeFixture.get();

    private static List<MetricResult> probe(long seed, Map<String, List<QaItem>> roles) {
        try (WordTransformerModel copy = FIXTURE.copy(FIXTURE.damaged());
                TestRunContext run = new TestRunContext(seed, copy.model().getNDManager())) {
            return new CorrectiveRelearning().probe(new MapTask(copy, roles), run);
        }
    }

    @Test
    void theTruthIsLearnedAndTheRumoursAreFollowed() {
        String original;
        List<MetricResult> results;
        try (WordTransformerModel caller = FIXTURE.copy(FIXTURE.damaged())) {
            original = ProbeFixture.checksum(caller);
            results = probe(0, FIXTURE.roles());
            assertEquals(original, ProbeFixture.checksum(caller), "only the probe's own copy was trained");
        }
        assertEquals(List.of("rumour_truth.truth-exact-match", "rumours.rumour-resurfacing"),
                results.stream().map(MetricResult::key).toList());
        MetricResult truth = results.get(0);
        MetricResult rumours = results.get(1);
        assertEquals(Direction.HIGHER_IS_BETTER, truth.direction());
        assertEquals(Direction.LOWER_IS_BETTER, rumours.direction());
        List<Integer> steps = new ArrayList<>();
        for (int s = 0; s <= 10; s++) {
            steps.add(s);
        }
        assertEquals(steps, new ArrayList<>(truth.curve().keySet()));
        assertEquals(steps, new ArrayList<>(rumours.curve().keySet()));
        assertEquals(truth.curve().get(10), truth.aggregate(), 0.0);
        assertEquals(rumours.curve().get(10), rumours.aggregate(), 0.0);
        assertEquals(FIXTURE.roles().get(Roles.RUMOUR_TRUTH).size(), truth.perItem().size());
        assertEquals(FIXTURE.roles().get(Roles.RUMOURS).size(), rumours.perItem().size());
        System.out.println("[probes] corrective relearning: truth " + truth.curve() + ", rumours " + rumours.curve());
        assertTrue(truth.curve().get(10) > truth.curve().get(0), "the true values are relearned: " + truth.curve());
        assertEquals(results, probe(0, FIXTURE.roles()), "same seed, same numbers");
    }

    @Test
    void refusesWithoutEitherRole() {
        for (String role : List.of(Roles.RUMOURS, Roles.RUMOUR_TRUTH)) {
            LetheException e = assertThrows(LetheException.class, () -> probe(0, FIXTURE.rolesWithout(role)));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("'" + role + "'"), e.getMessage());
        }
    }
}

package org.lethe.evaluation.probes;

import org.lethe.evaluation.testing.MapTask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.models.transformer.WordTransformerModel;
import org.junit.jupiter.api.Test;

/** The relearning probe on a small model whose forget facts were damaged by gradient ascent. */
class RelearningTest {

    private static final ProbeFixture FIXTURE = ProbeFixture.get();

    private static List<MetricResult> probe(long seed, Map<String, List<QaItem>> roles) {
        try (WordTransformerModel copy = FIXTURE.copy(FIXTURE.damaged());
                TestRunContext run = new TestRunContext(seed, copy.model().getNDManager())) {
            return new Relearning().probe(new MapTask(copy, roles), run);
        }
    }

    @Test
    void relearningBringsTheRelearnedFactsBackAlongTheDocumentedCurve() {
        WordTransformerModel original = FIXTURE.copy(FIXTURE.damaged());
        List<MetricResult> results;
        TestRunContext run;
        try (original; WordTransformerModel copy = FIXTURE.copy(FIXTURE.damaged())) {
            String before = ProbeFixture.checksum(original);
            String copyBefore = ProbeFixture.checksum(copy);
            assertEquals(before, copyBefore, "the copy starts as the original");
            run = new TestRunContext(3, copy.model().getNDManager());
            try (run) {
                results = new Relearning().probe(new MapTask(copy, FIXTURE.roles()), run);
            }
            assertEquals(before, ProbeFixture.checksum(original), "the caller's model is untouched");
            assertNotEquals(copyBefore, ProbeFixture.checksum(copy), "the probe trained its copy");
        }
        assertEquals(List.of("forget-heldout.relearning-exact-match", "forget-relearn.relearning-exact-match",
                "forget-heldout.relearning-gain"), results.stream().map(MetricResult::key).toList());
        MetricResult heldout = results.get(0);
        MetricResult relearn = results.get(1);
        MetricResult gain = results.get(2);
        for (MetricResult r : results) {
            assertEquals("1", r.version());
            assertFalse(r.needsReference());
        }
        assertEquals(Direction.LOWER_IS_BETTER, heldout.direction());
        assertEquals(Direction.NEUTRAL, relearn.direction());
        assertEquals(Direction.LOWER_IS_BETTER, gain.direction());
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 10), new ArrayList<>(heldout.curve().keySet()));
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 10), new ArrayList<>(relearn.curve().keySet()));
        assertTrue(gain.curve().isEmpty());
        assertEquals(heldout.curve().get(10), heldout.aggregate(), 0.0, "aggregate = the curve's last point");
        assertEquals(relearn.curve().get(10), relearn.aggregate(), 0.0);
        assertEquals(heldout.curve().get(10) - heldout.curve().get(0), gain.aggregate(), 1e-12);
        System.out.println("[probes] relearning: relearned " + relearn.curve() + ", held out " + heldout.curve());
        assertTrue(relearn.curve().get(10) >= relearn.curve().get(0) + 0.5,
                "the relearned facts come back: " + relearn.curve());
        assertTrue(relearn.curve().get(0) <= 0.5, "they were damaged: " + relearn.curve());

        // split by entity: two halves of the 4 forget entities, every forget item in exactly one
        List<QaItem> forget = FIXTURE.roles().get(Roles.FORGET);
        Set<String> heldoutEntities = entities(forget, heldout.perItem().keySet());
        Set<String> relearnEntities = entities(forget, relearn.perItem().keySet());
        assertEquals(2, heldoutEntities.size());
        assertEquals(2, relearnEntities.size());
        assertTrue(heldoutEntities.stream().noneMatch(relearnEntities::contains));
        assertEquals(forget.size(), heldout.perItem().size() + relearn.perItem().size());
        assertEquals(heldout.perItem().keySet(), gain.perItem().keySet());

        // ten steps, through the run's loop, with progress over the whole
        assertEquals(10, run.steps);
        assertEquals(6, run.optimiseCalls, "one optimise call per checkpoint after 0");
        assertTrue(run.progress.stream().anyMatch(p -> p[0] == 10 && p[1] == 10));
    }

    @Test
    void sameSeedSameNumbersAnotherSeedAnotherSplit() {
        List<MetricResult> a = probe(5, FIXTURE.roles());
        List<MetricResult> b = probe(5, FIXTURE.roles());
        assertEquals(a, b, "same seed, same results");
        boolean another = false;
        for (long seed = 6; seed < 12 && !another; seed++) {
            another = !probeSplit(seed).equals(a.get(0).perItem().keySet());
        }
        assertTrue(another, "some other seed splits the entities another way");
    }

    private static Set<String> probeSplit(long seed) {
        return new HashSet<>(FineTuning.splitByEntity(FIXTURE.roles().get(Roles.FORGET), seedOf(seed)).get(1).stream()
                .map(QaItem::id).toList());
    }

    private static long seedOf(long seed) {
        try (TestRunContext run = new TestRunContext(seed, ai.djl.ndarray.NDManager.newBaseManager())) {
            return FineTuning.seed(run, Relearning.NAME);
        }
    }

    @Test
    void refusesWithoutForgetDataOrWithOneEntity() {
        LetheException missing = assertThrows(LetheException.class, () -> probe(0, FIXTURE.rolesWithout(Roles.FORGET)));
        assertEquals(LetheException.INVALID_INPUT, missing.exitStatus());
        assertTrue(missing.getMessage().contains("'forget'"), missing.getMessage());
        List<QaItem> forget = FIXTURE.roles().get(Roles.FORGET);
        String one = forget.get(0).entity().orElseThrow();
        Map<String, List<QaItem>> roles = FIXTURE.roles();
        roles.put(Roles.FORGET, forget.stream().filter(i -> i.entity().orElseThrow().equals(one)).toList());
        LetheException single = assertThrows(LetheException.class, () -> probe(0, roles));
        assertEquals(LetheException.INVALID_INPUT, single.exitStatus());
        assertTrue(single.getMessage().contains("two forget entities"), single.getMessage());
    }

    private static Set<String> entities(List<QaItem> items, Set<String> ids) {
        Set<String> out = new HashSet<>();
        for (QaItem item : items) {
            if (ids.contains(item.id())) {
                out.add(item.entity().orElseThrow());
            }
        }
        return out;
    }
}

package org.lethe.evaluation.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Roles;
import org.lethe.models.transformer.WordTransformerModel;
import org.junit.jupiter.api.Test;

/**
 * The fine-tuning loop the relearning probes share: measuring between chunks of {@code optimise}
 * calls with one optimiser is the same training as one call, because the AdamW state lives in the
 * optimiser object across the run context's trainers.
 */
class FineTuningTest {

    private static final ProbeFixture FIXTURE = ProbeFixture.get();

    private static String tuned(List<Integer> chunks, boolean oneOptimiser) {
        List<QaItem> train = FIXTURE.roles().get(Roles.FORGET);
        try (WordTransformerModel lm = FIXTURE.copy(FIXTURE.damaged());
                TestRunContext run = new TestRunContext(0, lm.model().getNDManager())) {
            Tracked items = Tracked.of(lm, train);
            Optimizer shared = FineTuning.adamW();
            for (int steps : chunks) {
                run.optimise(lm.model(), oneOptimiser ? shared : FineTuning.adamW(), steps,
                        (s, scope) -> lm.answerLoss(lm.encode(items.prompts(), items.answers(), scope), true));
            }
            return ProbeFixture.checksum(lm);
        }
    }

    @Test
    void chunksWithOneOptimiserAreOneRun() {
        String once = tuned(List.of(10), true);
        assertEquals(once, tuned(List.of(1, 1, 1, 2, 2, 3), true), "Adam's moments and step counts carry over");
        assertNotEquals(once, tuned(List.of(1, 1, 1, 2, 2, 3), false),
                "a fresh optimiser per chunk restarts Adam: the test can tell the difference");
    }

    @Test
    void followMeasuresAtEveryCheckpointAndStopsWhenCancelled() {
        try (WordTransformerModel lm = FIXTURE.copy(FIXTURE.damaged());
                TestRunContext run = new TestRunContext(0, lm.model().getNDManager())) {
            Tracked items = Tracked.of(lm, FIXTURE.roles().get(Roles.FORGET));
            List<Integer> seen = new ArrayList<>();
            FineTuning.follow(run, lm, items, List.of(0, 2, 5), seen::add);
            assertEquals(List.of(0, 2, 5), seen);
            assertEquals(5, run.steps);
            run.cancelled = true;
            assertThrows(CancellationException.class, () -> FineTuning.follow(run, lm, items, List.of(0, 1), s -> { }));
            assertEquals(5, run.steps, "no step after the cancel");
            assertThrows(IllegalArgumentException.class, () -> FineTuning.follow(run, lm, items, List.of(1, 2), s -> { }));
        }
    }

    @Test
    void splitsByEntityDeterministically() {
        List<QaItem> forget = FIXTURE.roles().get(Roles.FORGET);
        List<List<QaItem>> a = FineTuning.splitByEntity(forget, 42);
        assertEquals(a, FineTuning.splitByEntity(forget, 42));
        assertEquals(List.copyOf(a.get(0)), a.get(0).stream().filter(forget::contains).toList());
        assertEquals(forget.size(), a.get(0).size() + a.get(1).size());
        assertTrue(a.get(0).stream().noneMatch(i -> a.get(1).stream().anyMatch(j -> j.entity().equals(i.entity()))),
                "no entity in both halves");
        // items without an entity are split as facts of their own
        List<QaItem> bare = List.of(QaItem.of("a", "q a ?", "x"), QaItem.of("b", "q b ?", "y"), QaItem.of("c", "q c ?", "z"));
        List<List<QaItem>> split = FineTuning.splitByEntity(bare, 1);
        assertEquals(1, split.get(0).size());
        assertEquals(2, split.get(1).size());
    }
}

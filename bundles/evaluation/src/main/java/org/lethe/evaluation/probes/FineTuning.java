package org.lethe.evaluation.probes;

import ai.djl.Model;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;

/**
 * The fine-tuning shared by the relearning probes: plain answer-only NLL ({@link
 * LanguageModel#answerLoss}) on every training item at each step (full batch), AdamW at lr 1e-3 with
 * the world's weight decay 0 (methods-llm.md §3.5's relearning recipe on the §3.2 optimiser), run
 * through {@link RunContext#optimise} in chunks so that the model can be measured between chunks.
 *
 * <p><b>One optimiser across chunks.</b> The same {@link Optimizer} instance is passed to every
 * {@code optimise} call. Core's loop ({@code CoreRunContext.optimise}) opens a new DJL trainer per
 * call but never resets the optimiser, and DJL's Adam keeps its moments and per-parameter update
 * counts in the optimiser object, keyed by parameter id, in arrays detached from any memory scope
 * (so the trainer's closing does not free them). Ten steps in chunks of 1,1,1,2,2,3 are therefore
 * the same ten AdamW steps as one call of ten (bias correction included); {@code
 * FineTuningTest} checks that weight for weight. The moments (two arrays the size of the
 * parameters, detached by DJL) are no different from those of any optimiser a method passes to
 * {@code optimise}: one set per probe run, not one per chunk.
 */
public final class FineTuning {

    /** AdamW learning rate: methods-llm.md §3.5 (relearn attack: 10 full-batch steps, lr 1e-3). */
    public static final float LEARNING_RATE = 1e-3f;

    /** AdamW weight decay: the facts world's training recipe (methods-llm.md §3.2, wd 0). */
    public static final float WEIGHT_DECAY = 0f;

    private FineTuning() {
    }

    /** @return a fresh AdamW with the probes' settings */
    public static Optimizer adamW() {
        return Optimizer.adamW().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).optWeightDecays(WEIGHT_DECAY).build();
    }

    /**
     * Measures, fine-tunes to the next checkpoint, measures, and so on.
     *
     * @param run the run (its loop, progress and cancellation)
     * @param lm the model copy to fine-tune
     * @param train the training pairs (prompts and answers; each fits the model)
     * @param checkpoints the steps after which to measure, ascending, the first 0 (before any step)
     * @param measure called with the number of steps taken at every checkpoint
     */
    static void follow(RunContext run, LanguageModel lm, Tracked train, List<Integer> checkpoints, IntConsumer measure) {
        follow(run, lm.model(), adamW(), (step, scope) -> lm.answerLoss(lm.encode(train.prompts(), train.answers(), scope),
                true), checkpoints, measure);
    }

    /**
     * Measures, optimises to the next checkpoint, measures, and so on: the loop of every relearning
     * probe, whatever the model and its loss.
     *
     * @param run the run (its loop, progress and cancellation)
     * @param model the model copy to fine-tune (its trainable parameters)
     * @param optimizer the one optimiser of all the chunks (see the class description)
     * @param objective the loss of one step
     * @param checkpoints the steps after which to measure, ascending, the first 0 (before any step)
     * @param measure called with the number of steps taken at every checkpoint
     * @throws IllegalArgumentException when the checkpoints do not start at 0 or do not ascend
     */
    public static void follow(RunContext run, Model model, Optimizer optimizer, RunContext.Objective objective,
            List<Integer> checkpoints, IntConsumer measure) {
        if (checkpoints.isEmpty() || checkpoints.get(0) != 0) {
            throw new IllegalArgumentException("checkpoints must start at 0: " + checkpoints);
        }
        int total = checkpoints.get(checkpoints.size() - 1);
        measure.accept(0);
        int done = 0;
        for (int checkpoint : checkpoints.subList(1, checkpoints.size())) {
            if (checkpoint <= done) {
                throw new IllegalArgumentException("checkpoints must ascend: " + checkpoints);
            }
            run.checkCancelled();
            float[] losses = run.optimise(model, optimizer, checkpoint - done, objective);
            done = checkpoint;
            run.progress(done, total, losses[losses.length - 1]);
            measure.accept(done);
        }
    }

    /**
     * Checks a probe's {@code checkpoints} setting (at least one step count ≥ 1, ascending).
     *
     * @param steps the steps after which the probe measures; the last is the number of steps
     * @param pid the probe's configuration PID, for the message
     * @return 0 followed by the steps: the checkpoints of {@link #follow}
     * @throws LetheException (invalid input) naming the setting
     */
    public static List<Integer> checkpoints(int[] steps, String pid) {
        if (steps.length == 0 || steps[0] < 1) {
            throw LetheException.invalidInput("setting 'checkpoints' of " + pid + " needs at least one step count ≥ 1, not "
                    + java.util.Arrays.toString(steps));
        }
        List<Integer> out = new ArrayList<>();
        out.add(0);
        for (int i = 0; i < steps.length; i++) {
            if (i > 0 && steps[i] <= steps[i - 1]) {
                throw LetheException.invalidInput("setting 'checkpoints' of " + pid + " must ascend: "
                        + java.util.Arrays.toString(steps));
            }
            out.add(steps[i]);
        }
        return out;
    }

    /**
     * Checks a probe's {@code learningRate} setting.
     *
     * @param rate the learning rate
     * @param pid the probe's configuration PID, for the message
     * @throws LetheException (invalid input) when it is not a positive finite number
     */
    public static void checkLearningRate(double rate, String pid) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw LetheException.invalidInput("setting 'learningRate' of " + pid + " must be positive, not " + rate);
        }
    }

    /**
     * Splits items by entity into two halves with a seeded shuffle of the sorted entity names; an
     * item without an entity counts as its own entity (a split by facts, methods-llm.md §2.4).
     *
     * @param items the items
     * @param seed the seed of the shuffle
     * @return the first half (⌊n/2⌋ entities) and the rest, each in the items' order
     */
    static List<List<QaItem>> splitByEntity(List<QaItem> items, long seed) {
        List<String> entities = new ArrayList<>(new TreeSet<>(items.stream().map(FineTuning::entityOf).toList()));
        Collections.shuffle(entities, new Random(seed));
        TreeSet<String> first = new TreeSet<>(entities.subList(0, entities.size() / 2));
        List<QaItem> a = new ArrayList<>();
        List<QaItem> b = new ArrayList<>();
        for (QaItem item : items) {
            (first.contains(entityOf(item)) ? a : b).add(item);
        }
        return List.of(a, b);
    }

    /**
     * @param item an item
     * @return its entity, or its id when it names none
     */
    static String entityOf(QaItem item) {
        return item.entity().orElse(item.id());
    }

    /**
     * A seed for one probe's own random choices, derived from the run's seed and the probe's name,
     * so that it does not depend on what else drew from the run's random source.
     *
     * @param run the run
     * @param probe the probe's name
     * @return the seed
     */
    public static long seed(RunContext run, String probe) {
        return run.seed() * 0x9E3779B97F4A7C15L + probe.hashCode();
    }

    /**
     * Refuses a task without a role the probe needs, naming both.
     *
     * @param task the task
     * @param probe the probe's name
     * @param role the role
     * @throws LetheException (invalid input) when the task has no data for the role
     */
    public static void require(Task task, String probe, String role) {
        if (!task.has(role)) {
            throw LetheException.invalidInput("probe " + probe + " needs the data role '" + role
                    + "', which this evaluation does not have");
        }
    }
}

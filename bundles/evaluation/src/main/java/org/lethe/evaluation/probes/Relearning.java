package org.lethe.evaluation.probes;

import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;

/**
 * The relearning attack (Hu et al., "Jogging the memory of unlearned LLMs through targeted
 * relearning attacks", arXiv 2406.13356; OFFSIDE {@code relearn.py}; research/methods-llm.md §2.4
 * and §3.5): knowledge that was only suppressed comes back on entities that were never relearned.
 *
 * <pre>
 * E = sorted entities of the forget items; shuffle E with a seed from the run's seed
 * D_relearn = items of the first ⌊|E|/2⌋ entities; D_heldout = items of the rest
 * for s in 1..10: θ ← AdamW(lr 1e-3)(θ, ∇ NLL(θ; D_relearn))      full batch, answer-only NLL
 * measure EM(D_heldout), EM(D_relearn) at s ∈ {0, 1, 2, 3, 5, 7, 10}
 * gain = EM_10(D_heldout) − EM_0(D_heldout)
 * </pre>
 *
 * Reports {@value #EXACT_MATCH} on {@value #HELDOUT} (the attack signal, lower is better) and on
 * {@value #RELEARN} (neutral: the relearned items themselves), each with its curve, and {@value
 * #GAIN} on {@value #HELDOUT}. The "excess" over the gold model (§2.4 step 5) is the report's
 * comparison of this probe's rows.
 */
@Component(service = Probe.class,
        property = {ServiceProperties.PROBE + "=" + Relearning.NAME, ServiceProperties.METRIC_VERSION + "=" + Relearning.VERSION,
            ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class Relearning implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "relearning";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Exact match over the relearning steps: {@value}. */
    public static final String EXACT_MATCH = "relearning-exact-match";
    /** Held-out exact match after relearning minus before: {@value}. */
    public static final String GAIN = "relearning-gain";
    /** The split of the forget entities never relearned: {@value}. */
    public static final String HELDOUT = "forget-heldout";
    /** The split of the forget entities relearned: {@value}. */
    public static final String RELEARN = "forget-relearn";
    /** Fine-tuning steps, full batch: {@value} (methods-llm.md §3.5). */
    public static final int STEPS = 10;
    /** The steps after which exact match is measured (0: before relearning). */
    public static final List<Integer> CHECKPOINTS = List.of(0, 1, 2, 3, 5, 7, STEPS);

    @Override
    public List<MetricResult> probe(Task task, RunContext run) {
        FineTuning.require(task, NAME, Roles.FORGET);
        LanguageModel lm = task.model(LanguageModel.class);
        List<QaItem> forget = task.qa(Roles.FORGET).items();
        List<List<QaItem>> halves = FineTuning.splitByEntity(forget, FineTuning.seed(run, NAME));
        if (halves.get(0).isEmpty() || halves.get(1).isEmpty()) {
            throw LetheException.invalidInput("probe " + NAME + " needs at least two forget entities (or facts) to split"
                    + " into relearned and held-out halves; the forget data has "
                    + forget.stream().map(FineTuning::entityOf).distinct().count());
        }
        Tracked relearn = Tracked.of(lm, halves.get(0));
        Tracked heldout = Tracked.of(lm, halves.get(1));
        if (relearn.size() == 0 || heldout.size() == 0) {
            throw LetheException.invalidInput("probe " + NAME + ": no forget item fits the model's " + lm.maxLength()
                    + " tokens in one of the halves");
        }
        run.log(String.format("%s: relearning on %d items of %d entities, %d held-out items of %d entities"
                + " (%d items too long for the model left out)", NAME, relearn.size(),
                halves.get(0).stream().map(FineTuning::entityOf).distinct().count(), heldout.size(),
                halves.get(1).stream().map(FineTuning::entityOf).distinct().count(), relearn.skipped() + heldout.skipped()));
        FineTuning.follow(run, lm, relearn, CHECKPOINTS, step -> {
            double h = heldout.measure(lm, step);
            double r = relearn.measure(lm, step);
            run.log(String.format("%s: step %d: held-out EM %.4f, relearned EM %.4f", NAME, step, h, r));
        });
        return List.of(heldout.result(EXACT_MATCH, VERSION, HELDOUT, Direction.LOWER_IS_BETTER),
                relearn.result(EXACT_MATCH, VERSION, RELEARN, Direction.NEUTRAL),
                heldout.gain(GAIN, VERSION, HELDOUT, Direction.LOWER_IS_BETTER));
    }
}

package org.lethe.evaluation.probes;

import java.util.ArrayList;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;

/**
 * Corrective relearning (OFFSIDE, Zheng et al., arXiv 2510.22535; research/methods-llm.md §2.2):
 * after the rumours were unlearned, teach the true values of the rumoured attributes and watch
 * whether the truth is learned and whether the rumours resurface.
 *
 * <pre>
 * T = the rumour_truth items (the rumoured attributes' true values); R = the rumours items
 * for s in 1..10: θ ← AdamW(lr 1e-3)(θ, ∇ NLL(θ; T))     full batch, answer-only NLL
 * measure EM(T) and EM(R) (R scored against its rumoured answers) at every s ∈ 0..10
 * </pre>
 *
 * Reports {@value #TRUTH} on {@value Roles#RUMOUR_TRUTH} (higher is better) and {@value
 * #RESURFACING} on {@value Roles#RUMOURS} (lower is better), each with its curve over steps 0 to 10.
 */
@Component(service = Probe.class,
        property = {ServiceProperties.PROBE + "=" + CorrectiveRelearning.NAME,
            ServiceProperties.METRIC_VERSION + "=" + CorrectiveRelearning.VERSION,
            ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class CorrectiveRelearning implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "corrective-relearning";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Exact match of the true values: {@value}. */
    public static final String TRUTH = "truth-exact-match";
    /** Exact match of the rumoured values on the rumour items: {@value}. */
    public static final String RESURFACING = "rumour-resurfacing";
    /** Fine-tuning steps, full batch: {@value} (the relearning recipe of methods-llm.md §3.5). */
    public static final int STEPS = 10;

    @Override
    public List<MetricResult> probe(Task task, RunContext run) {
        FineTuning.require(task, NAME, Roles.RUMOURS);
        FineTuning.require(task, NAME, Roles.RUMOUR_TRUTH);
        LanguageModel lm = task.model(LanguageModel.class);
        Tracked truth = Tracked.of(lm, task.qa(Roles.RUMOUR_TRUTH).items());
        Tracked rumours = Tracked.of(lm, task.qa(Roles.RUMOURS).items());
        if (truth.size() == 0 || rumours.size() == 0) {
            throw LetheException.invalidInput("probe " + NAME + ": no item of role '"
                    + (truth.size() == 0 ? Roles.RUMOUR_TRUTH : Roles.RUMOURS) + "' fits the model's " + lm.maxLength()
                    + " tokens");
        }
        run.log(String.format("%s: correcting on %d true values, watching %d rumour items (%d items too long for the"
                + " model left out)", NAME, truth.size(), rumours.size(), truth.skipped() + rumours.skipped()));
        List<Integer> checkpoints = new ArrayList<>();
        for (int s = 0; s <= STEPS; s++) {
            checkpoints.add(s);
        }
        FineTuning.follow(run, lm, truth, checkpoints, step -> {
            double t = truth.measure(lm, step);
            double r = rumours.measure(lm, step);
            run.log(String.format("%s: step %d: truth EM %.4f, rumour EM %.4f", NAME, step, t, r));
        });
        return List.of(truth.result(TRUTH, VERSION, Roles.RUMOUR_TRUTH, Direction.HIGHER_IS_BETTER),
                rumours.result(RESURFACING, VERSION, Roles.RUMOURS, Direction.LOWER_IS_BETTER));
    }
}

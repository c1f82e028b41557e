package org.lethe.method.iau;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * IAU as the official code does it (Lolo1222/IAU IAU_unlearn.py), adapted to a language model by
 * accumulating over micro-batches (methods-llm.md §1.4):
 *
 * <pre>
 * repeat K times:
 *   opt = Adam(lr = η)                                  # fresh state: the first step is a sign step of size η
 *   loss = Σ_mb∈D_r NLL(θ; mb)·|mb|/|D_r| − Σ_mb∈D_f NLL(θ; mb)·|mb|/|D_f|
 *   loss.backward(); opt.step()
 * </pre>
 *
 * The update direction is ∇L_r − ∇L_f (means over each set, not weighted by set size).
 *
 * <p>Optionally ({@code restrictSteps} &gt; 0; off by default), the working copy is first trained with
 * IAU's gradient restriction (the official {@code train_model.py} with {@code model_fix_flag=1}):
 * {@code restrictSteps} steps of one Adam on {@code ℓ = NLL + α Σ_p ‖∇_p NLL‖₂} over seeded batches of
 * forget ∪ retain (the original training data as far as the run sees it), the Hessian-vector
 * product of its gradient taken by a central finite difference (see {@link GradientRestriction}).
 * The unlearning steps above follow unchanged.
 */
@Component(configurationPid = Iau.PID)
@MethodProperties(method = "iau", modality = "language",
        paper = "Liu, Wu, Lian, Chen, Towards Efficient and Effective Unlearning of Large Language Models"
                + " via Influence Approximation (IAU), arXiv 2507.23257 (Lolo1222/IAU)",
        inputs = {Task.FORGET, Task.RETAIN})
@Designate(ocd = Iau.Config.class)
public final class Iau implements UnlearningMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.iau";

    /**
     * Adam's ε, scaled for the first step: DJL adds ε to √v before v's bias correction, so on step 1
     * the effective ε is ε/√(1 − β₂) ≈ 31.6·ε. This value makes it PyTorch's 1e-8, so the first step
     * is the sign step η·g/(|g| + 1e-8) of the official code.
     */
    static final float FIRST_STEP_EPSILON = (float) (1e-8 * Math.sqrt(1 - 0.999));

    /** Hyper-parameters. Defaults: methods-llm.md §1.4 and §3.4 (the tiny facts model). */
    @ObjectClassDefinition(name = "IAU", description = "One fresh-Adam step on the retain-minus-forget gradient, K times;"
            + " optionally after gradient-restriction training of the original model.")
    public @interface Config {

        /** @return the Adam learning rate η: each coordinate moves by about η on the first step */
        @AttributeDefinition(min = "0", description = "η, the Adam learning rate; Adam's first step moves every coordinate"
                + " with a non-zero gradient by about η. Default 3e-3: methods-llm.md §3.4 (η ∈ {3e-3, 1e-2} on the tiny"
                + " model); the official code uses 1e-3.")
        float learningRate() default 3e-3f;

        /** @return how many fresh-Adam steps */
        @AttributeDefinition(min = "1", description = "K, the number of steps, each with a fresh Adam. Default 1: the"
                + " official code takes a single step.")
        int steps() default 1;

        /** @return retain items used, 0 for all */
        @AttributeDefinition(min = "0", description = "Retain items used per step (a seeded subsample), 0 for all. Default"
                + " 0: the official code uses the whole remain set.")
        int retainSample() default 0;

        /** @return items per micro-batch */
        @AttributeDefinition(min = "1", description = "Items per micro-batch when accumulating over a set. Default 64.")
        int microBatch() default 64;

        /** @return gradient-restriction training steps before unlearning, 0 for none */
        @AttributeDefinition(min = "0", description = "Gradient restriction: Adam steps on NLL + α Σ_p ‖∇_p NLL‖₂ over"
                + " forget ∪ retain before the unlearning step, training the original model as the official"
                + " train_model.py does with model_fix_flag=1. Default 0 (off): the official IAU_unlearn.py runs on"
                + " whatever original model it is given, and GR is optional there.")
        int restrictSteps() default 0;

        /** @return the learning rate of the restriction training's Adam */
        @AttributeDefinition(min = "0", description = "Gradient restriction: Adam's learning rate, one Adam over all"
                + " restriction steps. Default 1e-3: the official utility/parser.py.")
        float restrictLr() default 1e-3f;

        /** @return α, the weight of the gradient-norm term */
        @AttributeDefinition(min = "0", description = "Gradient restriction: α, the weight of Σ_p ‖∇_p NLL‖₂ (the sum of"
                + " per-tensor L2 norms). Default 0.005: the official utility/parser.py.")
        float restrictWeight() default 0.005f;

        /** @return items per restriction step */
        @AttributeDefinition(min = "1", description = "Gradient restriction: items per step (seeded shuffled batches of"
                + " forget ∪ retain). Default 64: the official utility/parser.py.")
        int restrictBatch() default 64;

        /** @return ε of the finite-difference Hessian-vector product */
        @AttributeDefinition(min = "1e-6", description = "Gradient restriction: ε of the central finite difference"
                + " H·v ≈ (∇L(θ+εv) − ∇L(θ−εv))/(2ε), v the per-tensor unit gradient. Default 1e-2: Lethe issue 5"
                + " and DESIGN §7 (DJL's double backprop works only once per parameter set, so the official"
                + " create_graph=True is replaced by this difference); measured the most accurate of 1e-1 … 1e-4 in"
                + " float32 (relative error 2.5e-5 against the analytic product on logistic regression; README).")
        float hvpEpsilon() default 1e-2f;
    }

    @Override
    public void unlearn(Task task, RunContext run) {
        Config config = task.config(Config.class);
        List<QaItem> forget = task.qa(Task.FORGET).items();
        List<QaItem> retainAll = task.qa(Task.RETAIN).items();
        if (retainAll.isEmpty()) {
            throw LetheException.invalidInput("iau needs retain data: its retain gradient is the correction term");
        }
        LanguageModel lm = task.model(LanguageModel.class);
        if (config.restrictSteps() > 0) {
            restrict(lm, forget, retainAll, config, run);
        }
        for (int k = 0; k < config.steps(); k++) {
            List<QaItem> retain = sample(retainAll, config.retainSample(), run);
            Optimizer freshAdam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(config.learningRate()))
                    .optEpsilon(FIRST_STEP_EPSILON).build();
            run.optimise(lm.model(), freshAdam, 1, (step, scope) ->
                    meanLoss(lm, retain, config.microBatch(), scope).sub(meanLoss(lm, forget, config.microBatch(), scope)));
        }
    }

    /**
     * The optional gradient-restriction training of the original model (the working copy) on
     * forget ∪ retain, before unlearning.
     */
    private static void restrict(LanguageModel lm, List<QaItem> forget, List<QaItem> retain, Config config,
            RunContext run) {
        List<QaItem> data = new ArrayList<>(forget.size() + retain.size());
        data.addAll(forget);
        data.addAll(retain);
        GradientRestriction.Settings settings = new GradientRestriction.Settings(config.restrictSteps(),
                config.restrictLr(), config.restrictWeight(), config.hvpEpsilon(), config.restrictBatch(),
                config.microBatch());
        run.log(String.format("gradient restriction: %d Adam steps (lr %s) on NLL + %s·Σ‖∇_p NLL‖₂ over forget ∪ retain"
                + " (%d items, batches of %d), H·v by central difference (ε %s)", settings.steps(), settings.learningRate(),
                settings.weight(), data.size(), settings.batchSize(), settings.epsilon()));
        float[] losses = GradientRestriction.train(lm, data, settings, run);
        run.log(String.format("gradient restriction done: loss %.6g at the first step, %.6g at the last", losses[0],
                losses[losses.length - 1]));
    }

    /** The set's mean answer NLL, accumulated over micro-batches weighted by their share of the set. */
    static NDArray meanLoss(LanguageModel lm, List<QaItem> items, int microBatch, NDManager scope) {
        NDArray total = null;
        for (int start = 0; start < items.size(); start += microBatch) {
            List<QaItem> part = items.subList(start, Math.min(items.size(), start + microBatch));
            NDArray loss = lm.answerLoss(lm.encode(part.stream().map(QaItem::question).toList(),
                    part.stream().map(QaItem::answer).toList(), scope), true)
                    // the weight is an array of the step's scope: DJL's mul(Number) frees its scalar before backward
                    .mul(scope.create((float) part.size() / items.size()));
            total = total == null ? loss : total.add(loss);
        }
        return total;
    }

    private static List<QaItem> sample(List<QaItem> items, int size, RunContext run) {
        if (size == 0 || size >= items.size()) {
            return items;
        }
        List<QaItem> shuffled = new ArrayList<>(items);
        java.util.Collections.shuffle(shuffled, run.random());
        return shuffled.subList(0, size);
    }
}

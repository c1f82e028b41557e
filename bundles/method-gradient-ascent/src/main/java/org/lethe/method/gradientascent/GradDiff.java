package org.lethe.method.gradientascent;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.lethe.api.LetheException;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.AnswerModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Gradient difference: L = γ·(−NLL(θ; b_f)) + α·NLL(θ; b_r), ascent on a forget batch and descent
 * on a retain batch in the same step (methods-llm.md §1.2; open-unlearning GradDiff). The retain
 * term is the NLL ({@code retain_loss_type: NLL}, the default) or KL(p_θ0 ‖ p_θ) to the model before
 * the run ({@code KL}). Written against the {@link AnswerModel} view: it runs on language and
 * vision-language models alike.
 *
 * <pre>
 * for step in 1..S: b_f = sample(D_f, B); b_r = sample(D_r, B)
 *                   loss = γ·(−NLL(θ; b_f)) + α·NLL(θ; b_r); loss.backward(); opt.step()
 * </pre>
 */
@Component(configurationPid = GradDiff.PID)
@MethodProperties(method = "graddiff", modality = "language",
        paper = "Liu et al., Continual Learning and Private Unlearning, CoLLAs 2022; as in open-unlearning (locuslab) GradDiff",
        inputs = {Task.FORGET, Task.RETAIN})
@Designate(ocd = GradDiff.Config.class)
public final class GradDiff implements UnlearningMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.graddiff";

    /** Hyper-parameters. Defaults: open-unlearning GradDiff.yaml (γ, α) and methods-llm.md §3.4 (the tiny model). */
    @ObjectClassDefinition(name = "GradDiff", description = "Gradient ascent on forget, descent on retain.")
    public @interface Config {

        /** @return optimisation steps */
        @AttributeDefinition(min = "1", description = "Optimisation steps S. Default 100: methods-llm.md §3.4.")
        int steps() default 100;

        /** @return items per batch, forget and retain each */
        @AttributeDefinition(min = "1", description = "Items per batch, forget and retain each. Default 20: methods-llm.md §3.4;"
                + " open-unlearning pairs each forget item with one random retain item.")
        int batchSize() default 20;

        /** @return weight of the forget (ascent) term */
        @AttributeDefinition(min = "0", description = "γ, weight of the forget term. Default 1.0: open-unlearning GradDiff.yaml.")
        float gamma() default 1.0f;

        /** @return weight of the retain term */
        @AttributeDefinition(min = "0", description = "α, weight of the retain term. Default 1.0: open-unlearning GradDiff.yaml.")
        float alpha() default 1.0f;

        /** @return the retain term */
        @AttributeDefinition(description = "The retain term: NLL on retain answers, or KL(p_θ0 ‖ p_θ) of the"
                + " next-token distributions at the retain answers' positions to the model before the run."
                + " Default NLL: open-unlearning GradDiff.yaml (retain_loss_type).",
                options = {@Option(value = "NLL", label = "NLL"), @Option(value = "KL", label = "KL to the original model")})
        String retainLoss() default "NLL";

        /** @return AdamW learning rate */
        @AttributeDefinition(min = "0", description = "AdamW learning rate. Default 1e-4: methods-llm.md §3.4;"
                + " open-unlearning uses 1e-5 on 7B models.")
        float learningRate() default 1e-4f;

        /** @return AdamW weight decay */
        @AttributeDefinition(min = "0", description = "AdamW weight decay. Default 0.01: open-unlearning finetune.yaml.")
        float weightDecay() default 0.01f;
    }

    @Override
    public void unlearn(Task task, RunContext run) {
        Config config = task.config(Config.class);
        descendAndAscend(task.model(AnswerModel.class), task, run, config);
    }

    @SuppressWarnings("unchecked")
    private static <T> void descendAndAscend(AnswerModel<T> model, Task task, RunContext run, Config config) {
        java.util.List<T> retainItems = task.data(Task.RETAIN, model.itemType()).items();
        if (retainItems.isEmpty()) {
            throw LetheException.invalidInput("graddiff needs retain data: its retain term is what protects utility");
        }
        RunContext.Batches<T> forget = run.batches(task.data(Task.FORGET, model.itemType()).items(), config.batchSize());
        RunContext.Batches<T> retain = run.batches(retainItems, config.batchSize());
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(config.learningRate()))
                .optWeightDecays(config.weightDecay()).build();
        AnswerModel<T> original = "KL".equals(config.retainLoss()) ? task.reference(AnswerModel.class) : null;
        run.optimise(model.model(), adamW, config.steps(), (step, scope) -> {
            // weights as arrays of the step's scope: DJL's mul(Number) frees its scalar before backward
            NDArray forgetTerm = model.answerLoss(forget.next(), scope, true).neg().mul(scope.create(config.gamma()));
            java.util.List<T> retainBatch = retain.next();
            NDArray retainLoss = original == null ? model.answerLoss(retainBatch, scope, true)
                    : kl(original.answerLogits(retainBatch, scope, false), model.answerLogits(retainBatch, scope, true));
            return forgetTerm.add(retainLoss.mul(scope.create(config.alpha())));
        });
    }

    /**
     * KL(p_θ0 ‖ p_θ) of the output distributions, averaged over the batch's answer positions
     * (open-unlearning's compute_kl_divergence, restricted to the answer as every loss here is).
     */
    static NDArray kl(AnswerModel.AnswerLogits originalScores, AnswerModel.AnswerLogits currentScores) {
        NDArray reference = originalScores.logits().logSoftmax(-1).stopGradient();
        NDArray current = currentScores.logits().logSoftmax(-1);
        NDArray perPosition = reference.exp().mul(reference.sub(current)).sum(new int[] {2});
        NDArray mask = currentScores.mask();
        return perPosition.mul(mask).sum().div(mask.sum());
    }
}

package org.lethe.method.gradientascent;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.AnswerModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Gradient ascent: minimise −NLL(θ; b_f) over forget batches, i.e. push the answers' likelihood
 * down. Unbounded below: run long enough, it wrecks the model (methods-llm.md §1.1). Written against
 * the {@link AnswerModel} view, so it runs on a language model (question–answer items) and on a
 * vision-language model (questions about images, methods-gen.md §7) alike.
 *
 * <pre>
 * for step in 1..S: b = sample(D_f, B); loss = −NLL(θ; b); loss.backward(); opt.step()
 * </pre>
 */
@Component(configurationPid = GradientAscent.PID)
@MethodProperties(method = "gradient-ascent", modality = "language",
        paper = "Jang et al., Knowledge Unlearning for Mitigating Privacy Risks in Language Models, ACL 2023;"
                + " as in open-unlearning (locuslab) GradAscent",
        inputs = Task.FORGET)
@Designate(ocd = GradientAscent.Config.class)
public final class GradientAscent implements UnlearningMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.gradientascent";

    /** Hyper-parameters. Defaults: methods-llm.md §3.4 (the tiny facts model); paper-scale values in the descriptions. */
    @ObjectClassDefinition(name = "Gradient ascent", description = "Gradient ascent on the forget set.")
    public @interface Config {

        /** @return optimisation steps */
        @AttributeDefinition(min = "1", description = "Optimisation steps S. Default 100: methods-llm.md §3.4 (25–100 on the"
                + " tiny model); open-unlearning runs 10 epochs.")
        int steps() default 100;

        /** @return forget items per batch */
        @AttributeDefinition(min = "1", description = "Forget items per batch B. Default 20: methods-llm.md §3.4;"
                + " open-unlearning uses an effective 32.")
        int batchSize() default 20;

        /** @return AdamW learning rate */
        @AttributeDefinition(min = "0", description = "AdamW learning rate. Default 1e-4: methods-llm.md §3.4 (1e-3"
                + " collapses the tiny model); open-unlearning uses 1e-5 on 7B models.")
        float learningRate() default 1e-4f;

        /** @return AdamW weight decay */
        @AttributeDefinition(min = "0", description = "AdamW weight decay. Default 0.01: open-unlearning finetune.yaml.")
        float weightDecay() default 0.01f;
    }

    @Override
    public void unlearn(Task task, RunContext run) {
        Config config = task.config(Config.class);
        ascend(task.model(AnswerModel.class), task, run, config);
    }

    private static <T> void ascend(AnswerModel<T> model, Task task, RunContext run, Config config) {
        RunContext.Batches<T> forget = run.batches(task.data(Task.FORGET, model.itemType()).items(), config.batchSize());
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(config.learningRate()))
                .optWeightDecays(config.weightDecay()).build();
        run.optimise(model.model(), adamW, config.steps(),
                (step, scope) -> model.answerLoss(forget.next(), scope, true).neg());
    }
}

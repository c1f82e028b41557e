package ${package};

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * ${method}: minimise the paper's objective over forget batches, on the framework's loop.
 *
 * <p>Generated from the Lethe method archetype, it starts as gradient ascent (loss = −NLL on the
 * forget batch), the baseline every unlearning paper compares against. Put the paper's loss in
 * {@code objective(...)}, and make this comment its algorithm box:
 *
 * <pre>
 * for step in 1..S: b = sample(D_f, B); loss = objective(θ; b); loss.backward(); opt.step()
 * </pre>
 *
 * <p>The framework owns everything else: the private copy of the model, batching and seeding,
 * gradients, the optimizer step, progress, cancellation between steps, divergence, the commit.
 */
@Component(configurationPid = ${className}.PID)
@MethodProperties(method = ${className}.NAME, modality = "language",
        paper = "${paper}",
        inputs = Task.FORGET)
@Designate(ocd = ${className}.Config.class)
public final class ${className} implements UnlearningMethod {

    /** The method's name: {@code lethe.method}, the shell's word for it. */
    public static final String NAME = "${method}";

    /** Configuration PID (no hyphen: FileInstall splits {@code <factoryPid>-<name>.cfg} at the first one). */
    public static final String PID = "${pid}";

    /**
     * Hyper-parameters. Every setting has a default, and its description names where the default
     * comes from (the paper, or the research notes for the small built-in worlds).
     */
    @ObjectClassDefinition(name = "${method}", description = "${method}: unlearning on the forget set.")
    public @interface Config {

        /** @return optimisation steps S */
        @AttributeDefinition(min = "1", description = "Optimisation steps S. Default 100: methods-llm.md §3.4"
                + " (25–100 on the tiny facts model). TODO: the paper's value, and where it says so.")
        int steps() default 100;

        /** @return forget items per batch B */
        @AttributeDefinition(min = "1", description = "Forget items per batch B. Default 20: methods-llm.md §3.4."
                + " TODO: the paper's value, and where it says so.")
        int batchSize() default 20;

        /** @return AdamW learning rate */
        @AttributeDefinition(min = "0", description = "AdamW learning rate. Default 1e-4: methods-llm.md §3.4"
                + " (1e-3 collapses the tiny model). TODO: the paper's value, and where it says so.")
        float learningRate() default 1e-4f;

        /** @return AdamW weight decay */
        @AttributeDefinition(min = "0", description = "AdamW weight decay. Default 0.01: open-unlearning"
                + " finetune.yaml.")
        float weightDecay() default 0.01f;
    }

    @Override
    public void unlearn(Task task, RunContext run) {
        Config config = task.config(Config.class);
        LanguageModel lm = task.model(LanguageModel.class); // a private copy: the base version is never touched
        RunContext.Batches<QaItem> forget = run.batches(task.qa(Task.FORGET).items(), config.batchSize());
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(config.learningRate()))
                .optWeightDecays(config.weightDecay()).build();
        run.optimise(lm.model(), adamW, config.steps(), (step, scope) -> objective(lm, forget.next(), config, scope));
    }

    /**
     * The loss of one optimisation step, which the framework minimises.
     *
     * @param lm the model being unlearned
     * @param batch this step's forget items
     * @param config the run's hyper-parameters
     * @param scope this step's memory scope: create every array on it (it is closed after the step)
     * @return a scalar; lower is better for the method
     */
    static NDArray objective(LanguageModel lm, List<QaItem> batch, Config config, NDManager scope) {
        QaBatch forget = lm.encode(batch.stream().map(QaItem::question).toList(),
                batch.stream().map(QaItem::answer).toList(), scope);
        // the paper's objective goes here. As generated: gradient ascent, −NLL of the forget answers
        // (unbounded below: run long enough, it wrecks the model). Add a retain term with
        // task.qa(Task.RETAIN) and inputs = {Task.FORGET, Task.RETAIN} above; a new setting is a new
        // Config attribute with its default and source.
        return lm.answerLoss(forget, true).neg();
    }
}

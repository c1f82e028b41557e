package org.lethe.method.flat;

import ai.djl.ndarray.NDArray;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lethe.api.LetheException;
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
import org.osgi.service.metatype.annotations.Option;

/**
 * FLAT: maximise an f-divergence between the template answer (how to respond) and the forget
 * answer (what not to respond), from forget data alone (methods-llm.md §1.3).
 *
 * <pre>
 * for step: b = sample(D_f, B); e = [(q, template(q)) for (q, a) in b]
 *   x_f = meanAnswerTokenProb(θ, b); x_e = meanAnswerTokenProb(θ, e)    # probabilities, not log-probs
 *   loss = −g(x_e) + f*(g(x_f)); backward; step
 * </pre>
 */
@Component(configurationPid = Flat.PID)
@MethodProperties(method = "flat", modality = "language",
        paper = "Wang et al., LLM Unlearning via Loss Adjustment with Only Forget Data, ICLR 2025 (UCSC-REAL/FLAT)",
        inputs = Task.FORGET)
@Designate(ocd = Flat.Config.class)
public final class Flat implements UnlearningMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.flat";

    /** Hyper-parameters. Defaults: the official code's config/forget.yaml, scaled per methods-llm.md §3.4. */
    @ObjectClassDefinition(name = "FLAT", description = "Forget-data-only loss adjustment with an f-divergence.")
    public @interface Config {

        /** @return the f-divergence */
        @AttributeDefinition(description = "The f-divergence. Default Total-Variation: the official code's default"
                + " (config/forget.yaml variants).", options = {
                    @Option(value = "KL", label = "KL"), @Option(value = "Reverse-KL", label = "Reverse KL"),
                    @Option(value = "Jeffrey", label = "Jeffrey"), @Option(value = "Squared-Hellinger", label = "Squared Hellinger"),
                    @Option(value = "Pearson", label = "Pearson"), @Option(value = "Neyman", label = "Neyman"),
                    @Option(value = "Jenson-Shannon", label = "Jensen-Shannon"),
                    @Option(value = "Total-Variation", label = "Total variation")})
        String divergence() default "Total-Variation";

        /** @return how token probabilities are averaged */
        @AttributeDefinition(description = "normalized: mean over the answer's tokens, end marker excluded (default,"
                + " methods-llm.md §1.3 for the small benchmark); faithful: mean over every padded position, as the"
                + " official code computes it.",
                options = {@Option(value = "normalized", label = "normalized"), @Option(value = "faithful", label = "faithful")})
        String averaging() default "normalized";

        /** @return template answers used when an item has none */
        @AttributeDefinition(description = "Template answers for items without template_answer, one chosen at random"
                + " per item. Default: the facts world's single token 'unknown' (methods-llm.md §3.1).")
        String[] templateAnswers() default {"unknown"};

        /** @return optimisation steps */
        @AttributeDefinition(min = "1", description = "Optimisation steps. Default 100: methods-llm.md §3.4;"
                + " the official code runs 5 epochs.")
        int steps() default 100;

        /** @return forget items per batch */
        @AttributeDefinition(min = "1", description = "Forget items per batch. Default 20: methods-llm.md §3.4;"
                + " the official code uses 16 × 4 accumulation.")
        int batchSize() default 20;

        /** @return AdamW learning rate */
        @AttributeDefinition(min = "0", description = "AdamW learning rate. Default 1e-4: methods-llm.md §3.4;"
                + " the official code uses 1e-5 on 7B models.")
        float learningRate() default 1e-4f;

        /** @return AdamW weight decay */
        @AttributeDefinition(min = "0", description = "AdamW weight decay. Default 0.01: the official config/forget.yaml.")
        float weightDecay() default 0.01f;
    }

    @Override
    public void unlearn(Task task, RunContext run) {
        Config config = task.config(Config.class);
        Divergence divergence = divergence(config.divergence());
        boolean faithful = "faithful".equals(config.averaging());
        if (config.templateAnswers().length == 0) {
            throw LetheException.invalidInput("setting 'templateAnswers' of " + PID + " is empty");
        }
        LanguageModel lm = task.model(LanguageModel.class);
        RunContext.Batches<QaItem> forget = run.batches(task.qa(Task.FORGET).items(), config.batchSize());
        Random random = run.random();
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(config.learningRate()))
                .optWeightDecays(config.weightDecay()).build();
        run.optimise(lm.model(), adamW, config.steps(), (step, scope) -> {
            List<QaItem> batch = forget.next();
            List<String> questions = batch.stream().map(QaItem::question).toList();
            List<String> templates = new ArrayList<>();
            for (QaItem item : batch) {
                templates.add(item.templateAnswer()
                        .orElse(config.templateAnswers()[random.nextInt(config.templateAnswers().length)]));
            }
            NDArray forgetProbability = meanAnswerProbability(lm,
                    lm.encode(questions, batch.stream().map(QaItem::answer).toList(), scope), faithful);
            NDArray templateProbability = meanAnswerProbability(lm, lm.encode(questions, templates, scope), faithful);
            return divergence.loss(templateProbability, forgetProbability);
        });
    }

    /**
     * The batch's mean answer-token probability (not log-probability): over answer tokens when
     * normalised, over every position of the padded batch when faithful to the official code.
     */
    static NDArray meanAnswerProbability(LanguageModel lm, QaBatch batch, boolean faithful) {
        NDArray mask = batch.answerMask();
        NDArray probabilities = lm.answerLogProbs(batch, true).exp().mul(mask);
        if (faithful) {
            // the official code: every position of the padded batch counts, the end marker included
            return probabilities.sum().div(Divergence.c(probabilities, mask.size()));
        }
        // answer tokens only (methods-llm.md §1.3): the mask's last position in each row is the
        // end marker (QaBatch), which is left out
        NDArray tokens = answerTokensOnly(mask);
        return probabilities.mul(tokens).sum().div(tokens.sum());
    }

    /** The answer mask without each row's last 1 (the end marker): 1 where the next position is also answer. */
    static NDArray answerTokensOnly(NDArray mask) {
        long length = mask.getShape().get(1);
        NDArray next = mask.get(":, 1:").concat(mask.getManager().zeros(new ai.djl.ndarray.types.Shape(mask.getShape().get(0), 1),
                mask.getDataType()), 1);
        return mask.mul(next);
    }

    static Divergence divergence(String name) {
        for (Divergence d : Divergence.values()) {
            if (d.codeName().equals(name)) {
                return d;
            }
        }
        throw LetheException.invalidInput("setting 'divergence' of " + PID + ": unknown divergence '" + name + "'");
    }

}

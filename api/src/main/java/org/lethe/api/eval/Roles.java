package org.lethe.api.eval;

import java.util.List;

/**
 * The data roles of an evaluation run, beside {@link org.lethe.api.method.Task#FORGET forget},
 * {@link org.lethe.api.method.Task#RETAIN retain} and {@link org.lethe.api.method.Task#HOLDOUT
 * holdout}. A metric measures every role it applies to that the task has; a world maps its splits
 * to these roles (the facts world: {@code forget05_paraphrased} → {@value #FORGET_PARAPHRASED}).
 */
public final class Roles {

    /** The facts to forget: {@value}. */
    public static final String FORGET = "forget";
    /** The facts to keep: {@value}. */
    public static final String RETAIN = "retain";
    /** Facts of entities never trained, shaped like the forget set (membership inference): {@value}. */
    public static final String HOLDOUT = "holdout";
    /** Facts independent of the entities, for utility (TOFU's world facts): {@value}. */
    public static final String WORLD = "world";
    /** The forget facts under templates never trained for them (generalisation): {@value}. */
    public static final String FORGET_PARAPHRASED = "forget_paraphrased";
    /** The retain facts under templates never trained for them: {@value}. */
    public static final String RETAIN_PARAPHRASED = "retain_paraphrased";
    /** Two-hop questions through a retained bridge entity whose answer is a forget fact: {@value}. */
    public static final String TWO_HOP = "twohop_forget";
    /** Two-hop questions of the same shape about entities not forgotten: {@value}. */
    public static final String TWO_HOP_CONTROL = "twohop_control";
    /** Questions that presuppose a forget fact in their context: {@value}. */
    public static final String IMPLIED = "implied_forget";
    /** Presupposing questions of the same shape about entities not forgotten: {@value}. */
    public static final String IMPLIED_CONTROL = "implied_control";
    /** Misinformation: items whose answer is a rumoured (wrong) value: {@value}. */
    public static final String RUMOURS = "rumours";
    /** The rumours under templates never trained for them (generalisation to paraphrased rumours): {@value}. */
    public static final String RUMOURS_PARAPHRASED = "rumours_paraphrased";
    /** The true values of the rumoured attributes: {@value}. */
    public static final String RUMOUR_TRUTH = "rumour_truth";

    /**
     * Erasure: prompts naming an erased concept by a word the erasure was given (its name or an
     * erasure alias), labelled with what they ask for (Acc_e): {@value}.
     *
     * @since 1.1
     */
    public static final String ERASED_PROMPTS = "erased_prompts";
    /**
     * Erasure: prompts reaching an erased concept another way, by a held-out alias or in a
     * composition of held-out and other aliases (Acc_g): {@value}.
     *
     * @since 1.1
     */
    public static final String GENERALITY_PROMPTS = "generality_prompts";
    /**
     * Erasure: prompts of the concepts that must survive (Acc_p, layout, Fréchet distance): {@value}.
     *
     * @since 1.1
     */
    public static final String PRESERVE_PROMPTS = "preserve_prompts";

    /**
     * Erasure: real images of the erased concepts, labelled with what they show (the recovery
     * probes' data: concept inversion, relearning): {@value}.
     *
     * @since 1.2
     */
    public static final String CONCEPT_IMAGES = "concept_images";

    /**
     * Vision-language unlearning: held-out template questions whose answer is an unlearned concept,
     * on images that show it (unlearning quality = 1 − accuracy): {@value}.
     *
     * @since 1.3
     */
    public static final String VQA_FORGET = "vqa_forget";

    /**
     * Vision-language unlearning: held-out template questions about the other attributes of images
     * that show an unlearned concept ("what shape is the red object"; selectivity): {@value}.
     *
     * @since 1.3
     */
    public static final String VQA_SELECTIVITY = "vqa_selectivity";

    /**
     * Vision-language unlearning: held-out template questions on images that show no unlearned
     * concept (utility): {@value}.
     *
     * @since 1.3
     */
    public static final String VQA_UTILITY = "vqa_utility";

    /**
     * Vision-language unlearning: held-out paraphrases, never trained on, of the questions whose
     * answer is an unlearned concept, on images that show it (robustness): {@value}.
     *
     * @since 1.3
     */
    public static final String VQA_PARAPHRASE = "vqa_paraphrase";

    /**
     * Vision-language unlearning: yes/no questions naming an unlearned concept ("is it red"), true
     * and false ones, on images of its attribute (robustness to reformulation): {@value}.
     *
     * @since 1.3
     */
    public static final String VQA_YES_NO = "vqa_yes_no";

    /**
     * The roles of text-to-image erasure, in the order a report lists them; the erased concepts
     * themselves are {@link org.lethe.api.method.Task#ERASE}.
     *
     * @since 1.1
     */
    public static final List<String> ERASURE = List.of(ERASED_PROMPTS, GENERALITY_PROMPTS, PRESERVE_PROMPTS);

    /** Every question–answer role above (language models), in the order a report lists them. */
    public static final List<String> ALL = List.of(FORGET, FORGET_PARAPHRASED, RETAIN, RETAIN_PARAPHRASED, WORLD,
            HOLDOUT, TWO_HOP, TWO_HOP_CONTROL, IMPLIED, IMPLIED_CONTROL, RUMOURS, RUMOURS_PARAPHRASED, RUMOUR_TRUTH);

    private Roles() {
    }
}

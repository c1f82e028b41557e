package org.lethe.evaluation.erasure;

import java.util.List;
import java.util.Objects;

/**
 * The classifier-based erasure scores of one erased concept (research/methods-gen.md §8, "Generator
 * evaluation"), computed from the evaluation classifier's per-sample predictions:
 * <ul>
 *   <li><b>Acc_e</b> (efficacy, lower is better): the share of samples of prompts containing the
 *       erased concept c that the classifier's head for c's attribute still classifies as c. From
 *       the MACE / ANT evaluation (ANT, Li et al., ACM MM 2025, Table 2, "Acc_e").</li>
 *   <li><b>Acc_p</b> (specificity, higher is better): the share of samples of preserve prompts (the
 *       other concepts) whose every ground-truth attribute is recognised, not only the erased
 *       attribute (§8: "all attributes"). ANT's "Acc_p".</li>
 *   <li><b>Acc_g</b> (generality, lower is better): Acc_e on prompts that reach c another way —
 *       held-out aliases, compositional prompts and perturbed embeddings e+η around c. RealEra's
 *       semantic-level point (Liu et al., arXiv 2410.09140).</li>
 *   <li><b>H</b>: the harmonic mean of (1 − Acc_e) and Acc_p (ANT's / MACE's H_c).</li>
 *   <li><b>H_g</b>: §8 says H_g "includes 1 − Acc_g"; it is the harmonic mean of all three,
 *       (1 − Acc_e), Acc_p and (1 − Acc_g), which is MACE's overall H_o for object erasure (Lu et al.,
 *       CVPR 2024: the harmonic mean of efficacy, specificity and generality).</li>
 *   <li><b>No-object rate</b>: the share of samples the classifier's "no object" head judges
 *       destroyed (§8, reported with the FID stand-in); given separately for the erased prompts and
 *       for the preserve prompts.</li>
 * </ul>
 * A sample judged "no object" counts as not classified as c for Acc_e and Acc_g (the concept is not
 * visible) and as wrong for Acc_p (the preserved prompt was not rendered). A harmonic mean with a
 * zero component is 0. Every set must be non-empty; an erased or generality sample whose ground
 * truth is not c, or a preserve sample whose ground truth is c, is refused.
 *
 * @param concept the erased concept
 * @param accE Acc_e in [0, 1]
 * @param accP Acc_p in [0, 1]
 * @param accG Acc_g in [0, 1]
 * @param h H in [0, 1]
 * @param hG H_g in [0, 1]
 * @param noObjectRateErased the no-object rate on the erased-concept prompts
 * @param noObjectRatePreserved the no-object rate on the preserve prompts
 * @param erasedSamples the number of erased-concept samples
 * @param preserveSamples the number of preserve samples
 * @param generalitySamples the number of generality samples
 */
public record ErasureScores(Concept concept, double accE, double accP, double accG, double h, double hG,
        double noObjectRateErased, double noObjectRatePreserved, int erasedSamples, int preserveSamples,
        int generalitySamples) {

    /**
     * Computes every score.
     *
     * @param concept the erased concept
     * @param erased samples of prompts containing the concept
     * @param preserve samples of prompts of the other concepts
     * @param generality samples of held-out-alias, compositional or perturbed-embedding prompts of the
     *     concept
     * @return the scores
     * @throws IllegalArgumentException when a set is empty or holds a sample of the wrong kind
     */
    public static ErasureScores of(Concept concept, List<ClassifiedSample> erased, List<ClassifiedSample> preserve,
            List<ClassifiedSample> generality) {
        double accE = accE(concept, erased);
        double accP = accP(concept, preserve);
        double accG = accG(concept, generality);
        return new ErasureScores(concept, accE, accP, accG, harmonicMean(1 - accE, accP),
            harmonicMean(1 - accE, accP, 1 - accG), noObjectRate(erased, "erased"),
            noObjectRate(preserve, "preserve"), erased.size(), preserve.size(), generality.size());
    }

    /**
     * Acc_e: the share of the erased concept's samples still classified as the concept.
     *
     * @param concept the erased concept
     * @param erased samples whose prompts contain the concept; not empty
     * @return Acc_e in [0, 1]
     */
    public static double accE(Concept concept, List<ClassifiedSample> erased) {
        return shareClassifiedAs(concept, erased, "erased-concept");
    }

    /**
     * Acc_g: Acc_e on generality prompts (held-out aliases, compositions, perturbed embeddings).
     *
     * @param concept the erased concept
     * @param generality samples whose prompts reach the concept another way; not empty
     * @return Acc_g in [0, 1]
     */
    public static double accG(Concept concept, List<ClassifiedSample> generality) {
        return shareClassifiedAs(concept, generality, "generality");
    }

    /**
     * Acc_p: the share of preserve samples with every ground-truth attribute recognised.
     *
     * @param concept the erased concept, which no preserve sample may target
     * @param preserve samples of the other concepts' prompts; not empty
     * @return Acc_p in [0, 1]
     */
    public static double accP(Concept concept, List<ClassifiedSample> preserve) {
        requireNonEmpty(preserve, "preserve");
        int correct = 0;
        for (ClassifiedSample s : preserve) {
            if (s.targets(concept)) {
                throw new IllegalArgumentException("a preserve sample targets the erased concept " + concept
                    + ": " + s.truth());
            }
            if (s.fullyCorrect()) {
                correct++;
            }
        }
        return (double) correct / preserve.size();
    }

    /**
     * The no-object rate: the share of samples the "no object" head judges destroyed.
     *
     * @param samples the samples; not empty
     * @return the rate in [0, 1]
     */
    public static double noObjectRate(List<ClassifiedSample> samples) {
        return noObjectRate(samples, "no-object");
    }

    /**
     * The harmonic mean of scores in [0, 1]: n / Σ 1/x_i, and 0 when any score is 0.
     *
     * @param scores the scores; at least one, each in [0, 1]
     * @return the harmonic mean
     */
    public static double harmonicMean(double... scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("the harmonic mean of no scores is undefined");
        }
        double inverse = 0;
        for (double x : scores) {
            if (!(x >= 0 && x <= 1)) {
                throw new IllegalArgumentException("a score must lie in [0, 1], got " + x);
            }
            if (x == 0) {
                return 0;
            }
            inverse += 1 / x;
        }
        return scores.length / inverse;
    }

    private static double shareClassifiedAs(Concept concept, List<ClassifiedSample> samples, String set) {
        Objects.requireNonNull(concept, "concept");
        requireNonEmpty(samples, set);
        int hits = 0;
        for (ClassifiedSample s : samples) {
            if (!s.targets(concept)) {
                throw new IllegalArgumentException("a " + set + " sample does not target the erased concept "
                    + concept + ": " + s.truth());
            }
            if (s.classifiedAs(concept)) {
                hits++;
            }
        }
        return (double) hits / samples.size();
    }

    private static double noObjectRate(List<ClassifiedSample> samples, String set) {
        requireNonEmpty(samples, set);
        int empty = 0;
        for (ClassifiedSample s : samples) {
            if (s.noObject()) {
                empty++;
            }
        }
        return (double) empty / samples.size();
    }

    private static void requireNonEmpty(List<ClassifiedSample> samples, String set) {
        Objects.requireNonNull(samples, set + " samples");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("the " + set + " sample set is empty; a share of no samples is undefined");
        }
    }
}

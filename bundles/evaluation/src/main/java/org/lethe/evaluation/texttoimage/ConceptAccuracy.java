package org.lethe.evaluation.texttoimage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.evaluation.erasure.ClassifiedSample;
import org.lethe.evaluation.erasure.Concept;
import org.lethe.evaluation.erasure.ErasureScores;
import org.lethe.evaluation.erasure.GeneratedSample;

/**
 * Acc_e / Acc_g over one or several erased concepts ({@link ErasureScores#accE}): each concept's
 * share of the samples targeting it that the classifier still classifies as it, then the mean over
 * the concepts that have samples (a concept no prompt targets is left out). A sample targets a
 * concept when its judged label of the concept's attribute is the concept; every sample must target
 * at least one erased concept. A sample's own value is the share of the erased concepts it targets
 * that are still recognised (0 or 1 for a single concept).
 *
 * @param aggregate the mean over concepts, in [0, 1]
 * @param perItem each sample's share, by prompt id, in sample order
 * @param perConcept each concept's share, for concepts with samples, in concept order
 */
record ConceptAccuracy(double aggregate, Map<String, Double> perItem, Map<Concept, Double> perConcept) {

    /**
     * @param erased the erased concepts, at least one
     * @param samples the samples, at least one
     * @param split the split, for the message
     * @return the accuracies
     * @throws LetheException (invalid input) naming the prompt, when a sample targets no erased concept
     *     or has no judged label
     */
    static ConceptAccuracy of(List<Concept> erased, List<GeneratedSample> samples, String split) {
        Map<String, Double> perItem = new LinkedHashMap<>();
        for (GeneratedSample s : samples) {
            List<Concept> targeted = erased.stream().filter(s::targets).toList();
            ClassifiedSample classified = s.classified();
            if (targeted.isEmpty()) {
                throw LetheException.invalidInput("prompt '" + s.id() + "' of " + split + " targets none of the erased"
                        + " concepts " + erased + " (its judged labels: " + s.truth() + ")");
            }
            long hits = targeted.stream().filter(classified::classifiedAs).count();
            perItem.put(s.id(), (double) hits / targeted.size());
        }
        Map<Concept, Double> perConcept = new LinkedHashMap<>();
        double sum = 0;
        for (Concept c : erased) {
            List<ClassifiedSample> targeting = new ArrayList<>();
            for (GeneratedSample s : samples) {
                if (s.targets(c)) {
                    targeting.add(s.classified());
                }
            }
            if (!targeting.isEmpty()) {
                double share = ErasureScores.accE(c, targeting);
                perConcept.put(c, share);
                sum += share;
            }
        }
        return new ConceptAccuracy(sum / perConcept.size(), perItem, perConcept);
    }
}

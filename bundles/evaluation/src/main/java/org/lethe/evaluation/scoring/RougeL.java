package org.lethe.evaluation.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ROUGE-L recall over words (Lin, "ROUGE: A Package for Automatic Evaluation of Summaries", 2004;
 * TOFU reports its recall): the length of the longest common subsequence of the generated and the
 * reference words over the number of reference words. Words are the whitespace-separated pieces of
 * the lower-cased text; no stemming.
 */
public final class RougeL {

    private RougeL() {
    }

    /**
     * @param text any text
     * @return its words: lower-cased (root locale), split at whitespace, empty pieces dropped
     */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : text.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!piece.isEmpty()) {
                out.add(piece);
            }
        }
        return out;
    }

    /**
     * @param a a word sequence
     * @param b another
     * @return the length of their longest common subsequence (dynamic programming, O(|a|·|b|) time,
     *     O(|b|) memory)
     */
    public static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = x.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }

    /**
     * @param generated the generated text
     * @param reference the gold text
     * @return LCS(generated words, reference words) / |reference words|, in [0, 1]; 0 when either
     *     has no words (as the reference {@code rouge_score} package does)
     */
    public static double recall(String generated, String reference) {
        List<String> candidate = words(generated);
        List<String> gold = words(reference);
        if (candidate.isEmpty() || gold.isEmpty()) {
            return 0.0;
        }
        return longestCommonSubsequence(candidate, gold) / (double) gold.size();
    }
}

package org.lethe.evaluation.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ROUGE-L recall against hand-computed longest common subsequences. */
class RougeLTest {

    @Test
    void wordsAreLowerCasedWhitespacePieces() {
        assertEquals(List.of("new", "york", "city."), RougeL.words("  New\tYORK \n city. "));
        assertEquals(List.of(), RougeL.words("   "));
    }

    @Test
    void longestCommonSubsequenceByHand() {
        // a b c d e vs a c e x: a, c, e
        assertEquals(3, RougeL.longestCommonSubsequence(List.of("a", "b", "c", "d", "e"), List.of("a", "c", "e", "x")));
        // order matters: c b a vs a b c share one word in order
        assertEquals(1, RougeL.longestCommonSubsequence(List.of("c", "b", "a"), List.of("a", "b", "c")));
        assertEquals(0, RougeL.longestCommonSubsequence(List.of(), List.of("a")));
        // repeated words: the cat the hat vs the the hat → the, the, hat
        assertEquals(3, RougeL.longestCommonSubsequence(List.of("the", "cat", "the", "hat"), List.of("the", "the", "hat")));
    }

    @Test
    void recallDividesByTheReferenceLength() {
        assertEquals(1.0, RougeL.recall("Green Tea", "green tea"));
        assertEquals(0.5, RougeL.recall("green apples", "green tea"));
        // generated longer than the answer: recall ignores the extra words
        assertEquals(1.0, RougeL.recall("old town of lima yes", "old town of lima"));
        assertEquals(2 / 3.0, RougeL.recall("the town of", "old town of"), 1e-15);
        assertEquals(0.0, RougeL.recall("", "paris"));
        assertEquals(0.0, RougeL.recall("paris", ""));
    }
}

package org.lethe.models.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written scanner splits text exactly as the tokenizer's regular expression does. */
class WordTokenizerTest {

    /** Letters, numbers of the three kinds, word punctuation, other marks, every kind of space, surrogates. */
    private static final String[] PIECES = {"a", "Z", "é", "İ", "ß", "ǅ", "ʰ", "漢", "7", "٣", "Ⅻ", "½", "'", "_", "-", "?", ",",
        ".", "!", "\"", "(", " ", "\t", "\n", "\u000B", "\f", "\r", "\u00A0", "\u2028", "\u0301", "😀", "\uD800", "$", "alice",
        "paris", "it's", "x-y", "1999"};

    @Test
    void theScannerIsTheRegularExpression() {
        Random random = new Random(11);
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder text = new StringBuilder();
            int pieces = random.nextInt(12);
            for (int i = 0; i < pieces; i++) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String s = text.toString();
            assertEquals(WordTokenizer.wordsByPattern(s), WordTokenizer.words(s), () -> "text '" + s + "'");
        }
    }

    @Test
    void encodeLooksTheWordsUp() {
        WordTokenizer tokenizer = new WordTokenizer(List.of("where", "was", "alice", "born", "?", "it's"));
        assertArrayEquals(new int[] {4, 5, 6, 7, 8}, tokenizer.encode("Where was Alice born?"));
        assertArrayEquals(new int[] {9, WordTokenizer.UNK, 8, 8, 8, 8, 8, 8, 8}, tokenizer.encode("it's bob???????"));
        assertArrayEquals(new int[0], tokenizer.encode(" \t "));
    }
}

package org.lethe.shell.completion;

/**
 * One completion: the text that replaces the word, what is shown beside it, and whether a space
 * follows (a setting key {@code steps=} is not complete; a method name is).
 *
 * @param value the text
 * @param description shown beside it; may be empty
 * @param complete whether the word is finished (a space is added)
 */
public record Candidate(String value, String description, boolean complete) {

    /**
     * @param value the text
     * @param description shown beside it
     * @return a finished word
     */
    public static Candidate of(String value, String description) {
        return new Candidate(value, description, true);
    }
}

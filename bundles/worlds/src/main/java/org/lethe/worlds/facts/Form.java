package org.lethe.worlds.facts;

/** The grammatical form of a template: the answer follows a question or completes a statement. */
public enum Form {
    /** A question ending in {@code ?}: {@code where was {e} born ?}. */
    QUESTION,
    /** A statement the answer completes: {@code {e} was born in the town of}. */
    STATEMENT;

    /** @return the form's name in lower case, as file names use it ({@code question}, {@code statement}) */
    public String label() {
        return this == QUESTION ? "question" : "statement";
    }
}

package org.lethe.shell.base;

/** What the shell offers on Tab for an argument or an option's value. */
public enum Completion {
    /** Nothing. */
    NONE,
    /** Method names (unlearning and erasure). */
    METHOD,
    /** Unlearning method names. */
    UNLEARNING_METHOD,
    /** Erasure method names. */
    ERASURE_METHOD,
    /** Model references: ids and {@code id:version}. */
    MODEL,
    /** World names. */
    WORLD,
    /** Run keys. */
    RUN,
    /** Preset names. */
    PRESET,
    /** Setting keys of the method named on the line, as {@code key=}. */
    SETTING,
    /** Files. */
    FILE,
    /** Folders. */
    DIRECTORY,
    /** The fixed values the option lists ({@link Option#choices()}). */
    CHOICE
}

package org.lethe.shell.base;

import java.util.List;
import java.util.Objects;

/**
 * An option of a command: a long name ({@code --model}), usually a short one ({@code -m}), and
 * either no value (a flag) or one value per occurrence.
 *
 * @param shortName the one-letter name, or {@code 0} for none
 * @param longName the long name without dashes, e.g. {@code dry-run}
 * @param valueName the value's name in help ({@code ref}, {@code file}), or null for a flag
 * @param required whether the command cannot run without it
 * @param repeatable whether it may be given several times (each value is kept, in order)
 * @param description one or two sentences for the help text; the first sentence also describes it on Tab
 * @param completion what Tab offers for its value
 * @param choices the allowed values when {@code completion} is {@link Completion#CHOICE}; checked by the parser
 */
public record Option(char shortName, String longName, String valueName, boolean required, boolean repeatable,
        String description, Completion completion, List<String> choices) {

    /** Rejects missing names and copies the choices. */
    public Option {
        Objects.requireNonNull(longName, "longName");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(completion, "completion");
        choices = List.copyOf(choices);
        if (!longName.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("long option names are lower-case words: " + longName);
        }
    }

    /**
     * @param shortName the one-letter name, or {@code 0}
     * @param longName the long name
     * @param description its help
     * @return a flag
     */
    public static Option flag(char shortName, String longName, String description) {
        return new Option(shortName, longName, null, false, false, description, Completion.NONE, List.of());
    }

    /**
     * @param shortName the one-letter name, or {@code 0}
     * @param longName the long name
     * @param valueName the value's name in help
     * @param description its help
     * @param completion what Tab offers for the value
     * @return an option taking one value
     */
    public static Option value(char shortName, String longName, String valueName, String description,
            Completion completion) {
        return new Option(shortName, longName, valueName, false, false, description, completion, List.of());
    }

    /**
     * @param shortName the one-letter name, or {@code 0}
     * @param longName the long name
     * @param valueName the value's name in help
     * @param description its help
     * @param choices the only values accepted
     * @return an option taking one of a fixed set of values
     */
    public static Option choice(char shortName, String longName, String valueName, String description,
            List<String> choices) {
        return new Option(shortName, longName, valueName, false, false, description, Completion.CHOICE, choices);
    }

    /** @return this option, required */
    public Option mandatory() {
        return new Option(shortName, longName, valueName, true, repeatable, description, completion, choices);
    }

    /** @return this option, repeatable */
    public Option many() {
        return new Option(shortName, longName, valueName, required, true, description, completion, choices);
    }

    /** @return whether it takes a value */
    public boolean takesValue() {
        return valueName != null;
    }

    /** @return {@code -m, --model <ref>} or {@code     --dry-run}, as help lists it */
    public String label() {
        String name = (shortName != 0 ? "-" + shortName + ", " : "    ") + "--" + longName;
        return takesValue() ? name + " <" + valueName + ">" : name;
    }

    /** @return {@code --model <ref>}, as a usage line shows it */
    public String usage() {
        return "--" + longName + (takesValue() ? " <" + valueName + ">" : "");
    }

    /** @return every spelling of it: {@code -m} and {@code --model} */
    public List<String> spellings() {
        return shortName != 0 ? List.of("-" + shortName, "--" + longName) : List.of("--" + longName);
    }
}

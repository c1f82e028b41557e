package org.lethe.shell.base;

import java.util.Objects;

/**
 * A positional argument of a command.
 *
 * @param name its name in help, e.g. {@code method}
 * @param required whether the command needs it
 * @param repeatable whether it takes every remaining argument (only the last operand may)
 * @param description its help
 * @param completion what Tab offers for it
 */
public record Operand(String name, boolean required, boolean repeatable, String description, Completion completion) {

    /** Rejects missing fields. */
    public Operand {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(completion, "completion");
    }

    /**
     * @param name its name in help
     * @param description its help
     * @param completion what Tab offers
     * @return a required operand
     */
    public static Operand required(String name, String description, Completion completion) {
        return new Operand(name, true, false, description, completion);
    }

    /**
     * @param name its name in help
     * @param description its help
     * @param completion what Tab offers
     * @return an optional operand
     */
    public static Operand optional(String name, String description, Completion completion) {
        return new Operand(name, false, false, description, completion);
    }

    /** @return {@code <name>} or {@code [<name>]}, as a usage line shows it */
    public String usage() {
        String shown = "<" + name + ">" + (repeatable ? "..." : "");
        return required ? shown : "[" + shown + "]";
    }
}

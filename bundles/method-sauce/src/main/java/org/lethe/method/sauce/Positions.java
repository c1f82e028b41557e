package org.lethe.method.sauce;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.lethe.api.LetheException;

/**
 * Which token positions of a layer's output the autoencoder reads and the edit changes. The
 * vision-language token order puts the summary token at 0 and the visual tokens at 1..V, so every
 * choice is a prefix of the sequence: the edit slices it off, changes it and puts it back.
 */
enum Positions {
    /** The summary token only. */
    CLS("cls"),
    /** The summary token and the visual tokens (methods-gen.md §7's "CLS + visual tokens"): the default. */
    CLS_VISUAL("cls+visual"),
    /** Every position the layer outputs, question tokens and padding included. */
    ALL("all");

    private final String code;

    Positions(String code) {
        this.code = code;
    }

    /** @return the setting's word for it */
    String code() {
        return code;
    }

    /**
     * @param visualTokens V, the model's visual tokens
     * @param tokens the sequence length of the batch at hand
     * @return how many leading positions are hooked
     */
    int count(int visualTokens, long tokens) {
        int n = switch (this) {
            case CLS -> 1;
            case CLS_VISUAL -> 1 + visualTokens;
            case ALL -> (int) tokens;
        };
        return (int) Math.min(n, tokens);
    }

    /**
     * @param code a setting's value
     * @param field the setting, as the error names it
     * @return the positions it names
     * @throws LetheException (invalid input) naming the field and the valid values
     */
    static Positions of(String code, String field) {
        for (Positions p : values()) {
            if (p.code.equals(code.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw LetheException.invalidInput(field + " must be one of "
                + Arrays.stream(values()).map(Positions::code).collect(Collectors.joining(", ")) + ", not '" + code + "'");
    }
}

package org.lethe.api.run;

import java.util.regex.Pattern;
import org.lethe.api.LetheException;

/**
 * The stable identity of a run: the same specification gives the same key, whichever container
 * executes it and however often. A result is committed once per key.
 *
 * @param value lower-case hexadecimal, 16 to 64 characters (a prefix of the specification's SHA-256)
 */
public record RunKey(String value) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{16,64}");

    /** Validates the key: it is used as a folder name. */
    public RunKey {
        if (value == null || !HEX.matcher(value).matches()) {
            throw LetheException.invalidInput("invalid run key '" + value + "': 16 to 64 lower-case hex digits expected");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}

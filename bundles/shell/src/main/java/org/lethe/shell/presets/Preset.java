package org.lethe.shell.presets;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named set of settings for one method.
 *
 * @param name the preset's name, as {@code --preset} takes it
 * @param method the method it is for ({@code method=} in the file)
 * @param description what it is for ({@code description=} in the file), may be empty
 * @param settings the settings it applies, key to value as typed in the file (several values comma-separated)
 * @param source the file it came from, if FileInstall recorded it
 * @param pid its configuration PID
 */
public record Preset(String name, String method, String description, Map<String, String> settings,
        Optional<String> source, String pid) {

    /** Copies the settings. */
    public Preset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(description, "description");
        settings = Map.copyOf(settings);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pid, "pid");
    }
}

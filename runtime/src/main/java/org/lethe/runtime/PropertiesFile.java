package org.lethe.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a {@code .properties} file of {@code etc/} and substitutes {@code ${name}} references. */
final class PropertiesFile {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");

    private PropertiesFile() {
    }

    /**
     * @param file the file; a missing file reads as empty
     * @param lookup resolves a {@code ${name}}; an unknown name is an error that names file and key
     * @return the entries (in no particular order), substituted; a value's {@code ${key}} of its own
     *     key stands for the value defined outside the file ({@code path=${path}:more})
     */
    static Map<String, String> read(Path file, Function<String, String> lookup) throws LauncherException {
        Map<String, String> result = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return result;
        }
        Properties raw = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new LauncherException(ExitStatus.INVALID_INPUT, file + ": " + e.getMessage());
        }
        for (String key : raw.stringPropertyNames()) {
            result.put(key, substitute(file, key, raw.getProperty(key), name -> {
                String local = raw.getProperty(name);
                return local != null && !name.equals(key) ? local : lookup.apply(name);
            }));
        }
        return result;
    }

    static String substitute(Path file, String key, String value, Function<String, String> lookup) throws LauncherException {
        StringBuilder out = new StringBuilder();
        Matcher m = REFERENCE.matcher(value);
        int depth = 0;
        String current = value;
        while (true) {
            m = REFERENCE.matcher(current);
            out.setLength(0);
            boolean found = false;
            while (m.find()) {
                found = true;
                String replacement = lookup.apply(m.group(1));
                if (replacement == null) {
                    // a key's own name stands for its value outside the file (see read), if there is one
                    throw new LauncherException(ExitStatus.INVALID_INPUT, file + ": key " + key
                            + (m.group(1).equals(key)
                                    ? " refers to itself (${" + key + "}), and " + key + " is not defined outside this file"
                                    : " refers to ${" + m.group(1) + "}, which is not defined"));
                }
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            if (!found) {
                return out.toString();
            }
            current = out.toString();
            if (++depth > 10) {
                throw new LauncherException(ExitStatus.INVALID_INPUT, file + ": key " + key
                        + " has references that form a cycle (or nest more than 10 deep)");
            }
        }
    }
}

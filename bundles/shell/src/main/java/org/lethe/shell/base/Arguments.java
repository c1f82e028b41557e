package org.lethe.shell.base;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed command line: the operands in order, and the values of every option given, by long name.
 * Ask only for options the command declares; asking for another is a programming error.
 */
public final class Arguments {

    private final CommandSpec spec;
    private final List<String> operands;
    private final Map<String, List<String>> options;
    private final boolean help;

    Arguments(CommandSpec spec, List<String> operands, Map<String, List<String>> options, boolean help) {
        this.spec = spec;
        this.operands = List.copyOf(operands);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        options.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.options = copy;
        this.help = help;
    }

    /** @return whether {@code -h} or {@code --help} was given: the command prints its help and does nothing else */
    public boolean help() {
        return help;
    }

    /** @return the operands, in order */
    public List<String> operands() {
        return operands;
    }

    /**
     * @param index its position, from 0
     * @return the operand there, if given
     */
    public Optional<String> operand(int index) {
        return index < operands.size() ? Optional.of(operands.get(index)) : Optional.empty();
    }

    /**
     * @param longName a flag's long name
     * @return whether it was given
     */
    public boolean flag(String longName) {
        spec.optionNamed(longName);
        return options.containsKey(longName);
    }

    /**
     * @param longName an option's long name
     * @return its value, if given
     */
    public Optional<String> value(String longName) {
        List<String> values = values(longName);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    /**
     * @param longName an option's long name
     * @return every value given for it, in order (a repeatable option)
     */
    public List<String> values(String longName) {
        spec.optionNamed(longName);
        return options.getOrDefault(longName, List.of());
    }

    /**
     * @param longName a required option's long name
     * @return its value (the parser already refused a line without it)
     */
    public String required(String longName) {
        return value(longName).orElseThrow(() -> CommandException.usage("missing " + spec.optionNamed(longName).usage()));
    }
}

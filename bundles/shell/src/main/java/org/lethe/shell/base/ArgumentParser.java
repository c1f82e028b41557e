package org.lethe.shell.base;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.LetheException;

/**
 * Parses a command line against a {@link CommandSpec}, the way POSIX and GNU tools do:
 * {@code --long value}, {@code --long=value}, {@code -s value}, {@code -svalue}, clustered flags
 * ({@code -qd}), options and operands in any order, and {@code --} to end the options. A value is
 * taken from the next argument even when it starts with a dash ({@code --seed -1}).
 *
 * <p>Refused with a usage error (exit status 2): an unknown option (the closest one is suggested), a
 * missing value or operand, a value given to a flag, a non-repeatable option given twice, too many
 * operands, a missing required option. A value outside an option's choices is invalid input
 * (exit status 3). {@code -h} or {@code --help} anywhere before {@code --} wins over all of these.
 */
public final class ArgumentParser {

    private ArgumentParser() {
    }

    /**
     * @param spec what the command accepts
     * @param args the arguments after the command's name
     * @return the parsed line
     * @throws CommandException a usage error or invalid value, without the command's name (the
     *     command adds it)
     */
    public static Arguments parse(CommandSpec spec, List<String> args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                return new Arguments(spec, List.of(), Map.of(), true);
            }
        }
        List<String> operands = new ArrayList<>();
        Map<String, List<String>> values = new LinkedHashMap<>();
        boolean onlyOperands = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (onlyOperands || arg.equals("-") || !arg.startsWith("-")) {
                operands.add(arg);
            } else if (arg.equals("--")) {
                onlyOperands = true;
            } else if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                String spelling = equals < 0 ? arg : arg.substring(0, equals);
                Option option = find(spec, spelling);
                if (!option.takesValue()) {
                    if (equals >= 0) {
                        throw CommandException.usage(spelling + " takes no value");
                    }
                    put(values, option, "true");
                } else if (equals >= 0) {
                    put(values, option, arg.substring(equals + 1));
                } else if (i + 1 < args.size()) {
                    put(values, option, args.get(++i));
                } else {
                    throw CommandException.usage(spelling + " needs a value: " + option.usage());
                }
            } else {
                // -x, -xvalue, or clustered flags -xyz
                for (int c = 1; c < arg.length(); c++) {
                    Option option = find(spec, "-" + arg.charAt(c));
                    if (!option.takesValue()) {
                        put(values, option, "true");
                        continue;
                    }
                    if (c + 1 < arg.length()) {
                        put(values, option, arg.substring(c + 1));
                    } else if (i + 1 < args.size()) {
                        put(values, option, args.get(++i));
                    } else {
                        throw CommandException.usage("-" + arg.charAt(c) + " needs a value: " + option.usage());
                    }
                    break;
                }
            }
        }
        checkOperands(spec, operands);
        for (Option option : spec.options()) {
            if (option.required() && !values.containsKey(option.longName())) {
                throw CommandException.usage("missing " + option.usage());
            }
            if (option.completion() == Completion.CHOICE) {
                for (String value : values.getOrDefault(option.longName(), List.of())) {
                    if (!option.choices().contains(value)) {
                        throw LetheException.invalidInput("--" + option.longName() + " '" + Text.printable(value)
                                + "' is not one of " + String.join(", ", option.choices())
                                + Names.closest(value, option.choices()).map(c -> " (did you mean " + c + "?)").orElse(""));
                    }
                }
            }
        }
        return new Arguments(spec, operands, values, false);
    }

    private static void checkOperands(CommandSpec spec, List<String> operands) {
        List<Operand> declared = spec.operands();
        long required = declared.stream().filter(Operand::required).count();
        if (operands.size() < required) {
            Operand missing = declared.get(operands.size());
            throw CommandException.usage("missing <" + missing.name() + ">: " + spec.usage());
        }
        boolean unbounded = !declared.isEmpty() && declared.get(declared.size() - 1).repeatable();
        if (!unbounded && operands.size() > declared.size()) {
            String extra = Text.printable(operands.get(declared.size()));
            throw CommandException.usage(declared.isEmpty() ? "takes no arguments, but got '" + extra + "'"
                    : "unexpected argument '" + extra + "': " + spec.usage());
        }
    }

    private static Option find(CommandSpec spec, String spelling) {
        Optional<Option> option = spec.option(spelling);
        if (option.isPresent()) {
            return option.get();
        }
        List<String> known = new ArrayList<>();
        spec.options().forEach(o -> known.addAll(o.spellings()));
        String shown = Text.printable(spelling);
        throw CommandException.usage("unknown option " + shown
                + Names.closest(spelling, known.stream().filter(k -> k.startsWith("--")).toList())
                        .map(c -> " (did you mean " + c + "?)").orElse(""));
    }

    private static void put(Map<String, List<String>> values, Option option, String value) {
        List<String> list = values.computeIfAbsent(option.longName(), k -> new ArrayList<>());
        if (!list.isEmpty() && !option.takesValue()) {
            return; // a flag said twice is still the flag
        }
        if (!list.isEmpty() && !option.repeatable()) {
            throw CommandException.usage("--" + option.longName() + " given twice");
        }
        list.add(value);
    }
}

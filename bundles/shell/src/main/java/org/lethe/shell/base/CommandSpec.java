package org.lethe.shell.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a command accepts, declared once: its name, a one-line summary, a longer description,
 * operands, options, examples and what its exit statuses mean. Parsing ({@link ArgumentParser}),
 * the {@code -h}/{@code --help} text ({@link #help()}) and Tab completion all read it, so they cannot
 * disagree.
 *
 * <p>Every command also has {@code -h, --help}; it is not declared.
 */
public final class CommandSpec {

    /** The help option every command has. */
    public static final Option HELP = Option.flag('h', "help", "Print this help and exit.");

    /** What the exit statuses mean, for a command that changes nothing. */
    public static final String EXIT_READ_ONLY = "0 success, 2 usage error, 3 invalid input (an unknown name or file).";

    /** What the exit statuses mean, for a command that changes something. */
    public static final String EXIT_CHANGES = "0 success, 2 usage error, 3 invalid input (nothing was changed), 4 failed.";

    /** What the exit statuses mean, for a command that runs (or follows) a run. */
    public static final String EXIT_RUN = "0 committed, 2 usage error, 3 invalid input (nothing was changed),"
            + " 4 the run failed (the base model is untouched), 130 cancelled (Ctrl-C cancels the run).";

    private final String scope;
    private final String function;
    private final String summary;
    private final String description;
    private final List<Operand> operands;
    private final List<Option> options;
    private final List<String> examples;
    private final String exitStatuses;

    private CommandSpec(Builder b) {
        scope = b.scope;
        function = b.function;
        summary = b.summary;
        description = b.description;
        operands = List.copyOf(b.operands);
        List<Option> all = new ArrayList<>(b.options);
        all.add(HELP);
        options = List.copyOf(all);
        examples = List.copyOf(b.examples);
        exitStatuses = b.exitStatuses;
        check();
    }

    private void check() {
        List<String> spellings = new ArrayList<>();
        for (Option option : options) {
            for (String spelling : option.spellings()) {
                if (spellings.contains(spelling)) {
                    throw new IllegalArgumentException(name() + ": option " + spelling + " declared twice");
                }
                spellings.add(spelling);
            }
        }
        for (int i = 0; i < operands.size() - 1; i++) {
            if (operands.get(i).repeatable()) {
                throw new IllegalArgumentException(name() + ": only the last operand may repeat");
            }
        }
        boolean optional = false;
        for (Operand operand : operands) {
            if (optional && operand.required()) {
                throw new IllegalArgumentException(name() + ": a required operand follows an optional one");
            }
            optional |= !operand.required();
        }
    }

    /**
     * Starts a declaration.
     *
     * @param scope the Gogo scope, {@code unlearn}
     * @param function the command's word, e.g. {@code run}
     * @param summary one line: what it does
     * @return a builder
     */
    public static Builder command(String scope, String function, String summary) {
        return new Builder(scope, function, summary);
    }

    /** @return {@code scope:function}, e.g. {@code unlearn:run} */
    public String name() {
        return scope + ":" + function;
    }

    /** @return the Gogo scope */
    public String scope() {
        return scope;
    }

    /** @return the command's word */
    public String function() {
        return function;
    }

    /** @return the one-line summary */
    public String summary() {
        return summary;
    }

    /** @return the operands, in order */
    public List<Operand> operands() {
        return operands;
    }

    /** @return the options, {@link #HELP} last */
    public List<Option> options() {
        return options;
    }

    /**
     * @param spelling {@code -m} or {@code --model}
     * @return the option spelled so
     */
    public Optional<Option> option(String spelling) {
        return options.stream().filter(o -> o.spellings().contains(spelling)).findFirst();
    }

    /**
     * @param longName a long name without dashes
     * @return the option of that long name
     * @throws IllegalArgumentException when the command does not declare it (a programming error)
     */
    public Option optionNamed(String longName) {
        return options.stream().filter(o -> o.longName().equals(longName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name() + " declares no option --" + longName));
    }

    /** @return {@code unlearn:run <method> --model <ref> --forget <file> [options]} */
    public String usage() {
        StringBuilder line = new StringBuilder(name());
        for (Operand operand : operands) {
            line.append(' ').append(operand.usage());
        }
        boolean optional = false;
        for (Option option : options) {
            if (option.required()) {
                line.append(' ').append(option.usage());
            } else {
                optional = true;
            }
        }
        if (optional) {
            line.append(" [options]");
        }
        return line.toString();
    }

    /** @return the text {@code -h} prints */
    public String help() {
        StringBuilder out = new StringBuilder();
        out.append(name()).append(" - ").append(summary).append("\n\n");
        out.append("Usage: ").append(usage()).append('\n');
        if (!description.isEmpty()) {
            out.append('\n');
            for (String paragraph : description.split("\n\n")) {
                Text.wrap(paragraph.replace('\n', ' '), 78, "").forEach(line -> out.append(line).append('\n'));
                out.append('\n');
            }
            out.setLength(out.length() - 1);
        }
        int width = 0;
        for (Operand operand : operands) {
            width = Math.max(width, operand.usage().length() + 2);
        }
        for (Option option : options) {
            width = Math.max(width, option.label().length() + 2);
        }
        width = Math.min(width, 30);
        if (!operands.isEmpty()) {
            out.append("\nArguments:\n");
            for (Operand operand : operands) {
                entry(out, "<" + operand.name() + ">" + (operand.repeatable() ? "..." : ""), operand.description(), width);
            }
        }
        out.append("\nOptions:\n");
        for (Option option : options) {
            String text = option.description();
            if (!option.choices().isEmpty()) {
                text += " One of: " + String.join(", ", option.choices()) + ".";
            }
            if (option.required()) {
                text += " Required.";
            }
            if (option.repeatable()) {
                text += " May be repeated.";
            }
            entry(out, option.label(), text, width);
        }
        if (!examples.isEmpty()) {
            out.append("\nExamples:\n");
            examples.forEach(e -> out.append("  ").append(e).append('\n'));
        }
        out.append('\n');
        Text.wrap("Exit status: " + exitStatuses, 78, "").forEach(line -> out.append(line).append('\n'));
        return out.toString();
    }

    private static void entry(StringBuilder out, String label, String text, int width) {
        String head = "  " + label;
        List<String> lines = Text.wrap(text, 78 - width - 2, "");
        if (head.length() + 2 > width + 2) {
            out.append(head).append('\n');
            lines.forEach(l -> out.append(" ".repeat(width + 2)).append(l).append('\n'));
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            String left = i == 0 ? head : "";
            out.append(left).append(" ".repeat(width + 2 - left.length())).append(lines.get(i)).append('\n');
        }
    }

    /** Declares a command, step by step. */
    public static final class Builder {
        private final String scope;
        private final String function;
        private final String summary;
        private String description = "";
        private final List<Operand> operands = new ArrayList<>();
        private final List<Option> options = new ArrayList<>();
        private final List<String> examples = new ArrayList<>();
        private String exitStatuses = EXIT_READ_ONLY;

        private Builder(String scope, String function, String summary) {
            this.scope = Objects.requireNonNull(scope, "scope");
            this.function = Objects.requireNonNull(function, "function");
            this.summary = Objects.requireNonNull(summary, "summary");
        }

        /**
         * @param text paragraphs separated by blank lines; wrapped to the terminal in help
         * @return this builder
         */
        public Builder description(String text) {
            description = text.strip();
            return this;
        }

        /**
         * @param operand the next positional argument
         * @return this builder
         */
        public Builder operand(Operand operand) {
            operands.add(operand);
            return this;
        }

        /**
         * @param option an option
         * @return this builder
         */
        public Builder option(Option option) {
            options.add(option);
            return this;
        }

        /**
         * @param line a complete command line
         * @return this builder
         */
        public Builder example(String line) {
            examples.add(line);
            return this;
        }

        /**
         * @param meaning what each exit status means for this command, e.g. {@link CommandSpec#EXIT_RUN}
         * @return this builder
         */
        public Builder exitStatuses(String meaning) {
            exitStatuses = meaning;
            return this;
        }

        /** @return the declaration */
        public CommandSpec build() {
            return new CommandSpec(this);
        }
    }
}

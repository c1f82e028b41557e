package org.lethe.shell.completion;

import java.util.List;
import java.util.Optional;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;

/**
 * Decides what the word under the cursor is, from a command's declaration and the words before it: an
 * operand (which one), or the value of an option. Pure logic, unit-tested; {@link CompletionCommands}
 * calls it with the line JLine parsed.
 */
public final class Completer {

    /**
     * What the word under the cursor is.
     *
     * @param kind what to offer
     * @param method the first operand on the line (the method, for setting keys), or null
     * @param choices the option's fixed values, for {@link Completion#CHOICE}
     */
    public record Target(Completion kind, String method, List<String> choices) {
    }

    private Completer() {
    }

    /**
     * @param spec the command on the line
     * @param words the line's words, the command first
     * @param wordIndex the index of the word under the cursor (≥ 1)
     * @return what to complete there
     */
    public static Target target(CommandSpec spec, List<String> words, int wordIndex) {
        Option expecting = null;
        int operand = 0;
        boolean onlyOperands = false;
        String first = null;
        for (int i = 1; i < wordIndex && i < words.size(); i++) {
            String word = words.get(i);
            if (expecting != null) {
                expecting = null;
                continue;
            }
            if (!onlyOperands && word.equals("--")) {
                onlyOperands = true;
            } else if (!onlyOperands && word.startsWith("--")) {
                Optional<Option> option = spec.option(word);
                if (option.isPresent() && option.get().takesValue()) {
                    expecting = option.get();
                }
            } else if (!onlyOperands && word.startsWith("-") && word.length() > 1) {
                Optional<Option> last = spec.option("-" + word.charAt(word.length() - 1));
                boolean attached = false;
                for (int c = 1; c < word.length() - 1; c++) {
                    attached |= spec.option("-" + word.charAt(c)).map(Option::takesValue).orElse(false);
                }
                if (!attached && last.isPresent() && last.get().takesValue()) {
                    expecting = last.get();
                }
            } else {
                if (operand == 0) {
                    first = word;
                }
                operand++;
            }
        }
        if (expecting != null) {
            return new Target(expecting.completion(), first, expecting.choices());
        }
        List<Operand> operands = spec.operands();
        if (operands.isEmpty()) {
            return new Target(Completion.NONE, first, List.of());
        }
        Operand at = operand < operands.size() ? operands.get(operand)
                : operands.get(operands.size() - 1).repeatable() ? operands.get(operands.size() - 1) : null;
        return new Target(at == null ? Completion.NONE : at.completion(), first, List.of());
    }
}

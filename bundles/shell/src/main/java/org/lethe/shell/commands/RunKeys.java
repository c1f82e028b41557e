package org.lethe.shell.commands;

import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.shell.base.Names;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.Text;

/** Finds a run by what a user typed: its key, a unique prefix of at least four digits, or {@code last}. */
final class RunKeys {

    /** The word for the most recently submitted run. */
    static final String LAST = "last";

    private RunKeys() {
    }

    static RunRecord find(RunService runs, String text) {
        List<RunRecord> all = runs.runs();
        if (text.equals(LAST)) {
            if (all.isEmpty()) {
                throw LetheException.invalidInput("there is no run yet (unlearn:run starts one)");
            }
            return all.get(0);
        }
        if (text.matches("[0-9a-f]{16,64}")) {
            var exact = runs.record(new RunKey(text));
            if (exact.isPresent()) {
                return exact.get();
            }
        }
        if (text.length() < 4 && text.matches("[0-9a-f]+")) {
            throw LetheException.invalidInput("run '" + text + "': give at least 4 digits of its key (unlearn:runs lists them)");
        }
        List<RunRecord> matching = text.length() >= 4
                ? all.stream().filter(r -> r.key().value().startsWith(text)).toList() : List.of();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        if (matching.size() > 1) {
            throw LetheException.invalidInput("run '" + Text.printable(text) + "' is ambiguous: it starts "
                    + matching.size() + " run keys (" + String.join(", ", matching.stream().limit(5)
                            .map(r -> ProgressLine.shortKey(r.key().value())).toList()) + "); type more digits");
        }
        List<String> known = all.stream().map(r -> ProgressLine.shortKey(r.key().value())).toList();
        throw Names.unknown("run", text, known, "unlearn:runs");
    }
}

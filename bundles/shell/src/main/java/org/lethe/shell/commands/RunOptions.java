package org.lethe.shell.commands;

import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Option;

/** The options every command that starts a run shares, declared once so they read the same everywhere. */
final class RunOptions {

    static final Option MODEL = Option.value('m', "model", "ref",
            "The model to start from: an id (its base version) or id:version, e.g. tiny or tiny:3.", Completion.MODEL)
            .mandatory();
    static final Option SET = Option.value('s', "set", "key=value",
            "A setting of the method, checked against its typed configuration (unlearn:method <name> lists them);"
                    + " several values of one setting are comma-separated.", Completion.SETTING).many();
    static final Option PRESET = Option.value('p', "preset", "name",
            "Start from the settings of a preset (unlearn:presets lists them); --set overrides them.", Completion.PRESET);
    static final Option SEED = Option.value((char) 0, "seed", "n",
            "The seed of every random choice in the run (default 0): the same inputs and seed give the same run key.",
            Completion.NONE);
    static final Option BUDGET = Option.value('b', "budget", "duration",
            "The longest the run may take, e.g. 90s, 5m, 1h30m; a run over budget fails as timed out.", Completion.NONE);
    static final Option DRY_RUN = Option.flag('n', "dry-run",
            "Run every check (method, model, files, settings) and show the run as it would be, without starting it;"
                    + " nothing is changed.");
    static final Option QUIET = Option.flag('q', "quiet", "Show no progress, only the outcome.");
    static final Option DETACH = Option.flag('d', "detach",
            "Queue the run and return at once (interactive shell only; follow it with unlearn:watch).");

    private RunOptions() {
    }
}

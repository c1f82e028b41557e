package org.lethe.shell.base;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;

/**
 * How a run's progress reads: a live line for a terminal (redrawn in place), plain lines for logs and
 * pipes, and one closing line. Pure functions of the record and the time, so they are unit-tested.
 */
public final class ProgressLine {

    /** Width of the bar in the live line. */
    static final int BAR = 20;

    private ProgressLine() {
    }

    /**
     * @param key a run key
     * @return its short form, the first 12 hex digits (what {@code unlearn:runs} shows)
     */
    public static String shortKey(String key) {
        return key.length() > 12 ? key.substring(0, 12) : key;
    }

    /**
     * @param record the run
     * @param now the current time
     * @return time since the run started (or was submitted, while queued), up to its end
     */
    public static Duration elapsed(RunRecord record, Instant now) {
        Instant start = record.started().orElse(record.submitted());
        Instant end = record.ended().orElse(now);
        return end.isBefore(start) ? Duration.ZERO : Duration.between(start, end);
    }

    /**
     * The live line: {@code ascent  [=====>      ]  40/200  20%  loss 1.2345  elapsed 0:02  eta 0:08}.
     *
     * @param record the run
     * @param now the current time
     * @param width the terminal's width; the line is cut to one less, so it never wraps
     * @return the line, without a line break
     */
    public static String live(RunRecord record, Instant now, int width) {
        StringBuilder line = new StringBuilder();
        line.append(record.spec().component()).append("  ");
        RunRecord.Progress p = record.progress();
        switch (record.state()) {
            case QUEUED -> line.append("queued  waiting ").append(Text.clock(elapsed(record, now)));
            case RUNNING -> {
                if (p.totalSteps() > 0) {
                    double fraction = Math.min(1.0, (double) p.step() / p.totalSteps());
                    int filled = (int) Math.floor(fraction * BAR);
                    line.append('[').append("=".repeat(filled));
                    if (filled < BAR) {
                        line.append('>').append(" ".repeat(BAR - filled - 1));
                    }
                    line.append("]  ").append(p.step()).append('/').append(p.totalSteps())
                            .append(String.format(Locale.ROOT, "  %3d%%", (int) Math.floor(fraction * 100)));
                } else if (p.step() > 0) {
                    line.append("step ").append(p.step());
                } else {
                    line.append("starting");
                }
                if (!Double.isNaN(p.loss())) {
                    line.append("  loss ").append(Text.loss(p.loss()));
                }
                line.append("  elapsed ").append(Text.clock(elapsed(record, now)));
                if (p.etaMillis() >= 0) {
                    line.append("  eta ").append(Text.clock(Duration.ofMillis(p.etaMillis())));
                }
            }
            default -> line.append(record.state().name().toLowerCase(Locale.ROOT));
        }
        return Text.fit(Text.printable(line.toString()), Math.max(10, width - 1));
    }

    /**
     * A plain progress line: {@code run 3fa9c1d2e4f5 running  step 40/200 (20%)  loss 1.2345  elapsed 0:02  eta 0:08}.
     *
     * @param record the run
     * @param now the current time
     * @return the line, without a line break
     */
    public static String plain(RunRecord record, Instant now) {
        StringBuilder line = new StringBuilder("run ").append(shortKey(record.key().value())).append(' ')
                .append(record.state().name().toLowerCase(Locale.ROOT));
        RunRecord.Progress p = record.progress();
        if (record.state() == RunState.RUNNING) {
            if (p.step() > 0 || p.totalSteps() > 0) {
                line.append("  step ").append(p.step());
                if (p.totalSteps() > 0) {
                    line.append('/').append(p.totalSteps()).append(" (")
                            .append((int) Math.floor(100.0 * Math.min(p.step(), p.totalSteps()) / p.totalSteps())).append("%)");
                }
            }
            if (!Double.isNaN(p.loss())) {
                line.append("  loss ").append(Text.loss(p.loss()));
            }
            line.append("  elapsed ").append(Text.clock(elapsed(record, now)));
            if (p.etaMillis() >= 0) {
                line.append("  eta ").append(Text.clock(Duration.ofMillis(p.etaMillis())));
            }
        }
        return Text.printable(line.toString());
    }

    /**
     * The closing line of a run that ended: {@code committed tiny:2 (run 3fa9c1d2e4f5, 200 steps, loss 3.2100, 10.2 s)},
     * {@code failed: <reason> (run ..., after 3.1 s)} or {@code cancelled: <reason> (run ...)}.
     *
     * @param record a run in a terminal state
     * @param now the current time
     * @return the line, without a line break
     */
    public static String outcome(RunRecord record, Instant now) {
        String run = "run " + shortKey(record.key().value());
        String took = Text.human(elapsed(record, now));
        RunRecord.Progress p = record.progress();
        String line = switch (record.state()) {
            case COMMITTED -> "committed " + record.result().map(Object::toString).orElse("(no model)") + " (" + run
                    + (p.step() > 0 ? ", " + p.step() + " steps" : "")
                    + (Double.isNaN(p.loss()) ? "" : ", loss " + Text.loss(p.loss())) + ", " + took + ")";
            case FAILED -> "failed: " + record.reason().orElse("no reason recorded") + " (" + run + ", after " + took
                    + "; the base model is untouched)";
            case CANCELLED -> "cancelled: " + record.reason().orElse("no reason recorded") + " (" + run + ", after "
                    + took + "; nothing was committed)";
            default -> run + " " + record.state().name().toLowerCase(Locale.ROOT);
        };
        return Text.printable(line);
    }
}

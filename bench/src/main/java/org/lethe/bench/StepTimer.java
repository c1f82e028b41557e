package org.lethe.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thread CPU time and wall time per phase of each optimisation step, as the PyTorch side
 * ({@code bench/python/lm_step.py}) measures them: data, forward, loss, backward, optimiser, and
 * {@code loop} for what the loop itself does around them (closing the step's memory scope,
 * progress). A step starts when the loop enters its objective and ends when the next one starts or
 * the loop ends. Single-threaded: the optimisation runs on the calling thread.
 */
final class StepTimer {

    /** The phases, in the order they are reported. */
    static final List<String> PHASES = List.of("data", "forward", "loss", "backward", "optimiser", "loop");

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<long[][]> steps = new ArrayList<>();
    private long[][] current;
    private int phase = -1;
    private long cpu0;
    private long wall0;

    /** The loop's phases (RunContext's step clock): objective, backward, optimiser, loop, or null at the end. */
    void loop(String name) {
        if (name == null) {
            endStep();
            return;
        }
        switch (name) {
            case "objective" -> {
                endStep();
                current = new long[2][PHASES.size()];
                switchTo(PHASES.indexOf("loss"));
            }
            case "backward", "optimiser", "loop" -> switchTo(PHASES.indexOf(name));
            default -> throw new IllegalArgumentException(name);
        }
    }

    /**
     * Enters a phase inside the objective (data or forward).
     *
     * @return the phase it left, for {@link #resume}
     */
    int enter(String name) {
        int previous = phase;
        switchTo(PHASES.indexOf(name));
        return previous;
    }

    /** Goes back to the phase {@link #enter} left. */
    void resume(int previous) {
        switchTo(previous);
    }

    /** Ends the step under way without starting another (a loop outside RunContext.optimise). */
    void endStep() {
        if (current != null) {
            switchTo(-1);
            steps.add(current);
            current = null;
        }
    }

    /** Starts a step outside RunContext.optimise, in the given phase. */
    void startStep(String name) {
        endStep();
        current = new long[2][PHASES.size()];
        switchTo(PHASES.indexOf(name));
    }

    private void switchTo(int next) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        if (current != null && phase >= 0) {
            current[0][phase] += cpu - cpu0;
            current[1][phase] += wall - wall0;
        }
        phase = current == null ? -1 : next;
        cpu0 = cpu;
        wall0 = wall;
    }

    /** @return the steps recorded so far */
    int count() {
        return steps.size();
    }

    /**
     * The recorded steps after the first {@code skip}, as the JSON rows the driver reads:
     * {@code {"cpu":{phase:ns,...},"wall":{...}}}.
     */
    List<Map<String, Map<String, Long>>> rows(int skip) {
        List<Map<String, Map<String, Long>>> rows = new ArrayList<>();
        for (int s = skip; s < steps.size(); s++) {
            Map<String, Map<String, Long>> row = new LinkedHashMap<>();
            row.put("cpu", phases(steps.get(s)[0]));
            row.put("wall", phases(steps.get(s)[1]));
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Long> phases(long[] values) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(PHASES.get(i), values[i]);
        }
        return out;
    }
}

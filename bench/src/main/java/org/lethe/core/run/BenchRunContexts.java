package org.lethe.core.run;

import ai.djl.ndarray.NDManager;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;

/**
 * The benchmark's door into the run service's package: a real {@link CoreRunContext} (the loop
 * every method's {@link RunContext#optimise} goes through), made outside a run service, with a
 * listener on the phases of each optimisation step. It lives in the bench module, on the plain
 * class path of the benchmark JVM (never in the container), so that the core bundle need not
 * export its run context for a benchmark.
 */
public final class BenchRunContexts {

    private BenchRunContexts() {
    }

    /**
     * A run context as the run service makes it, with no record behind it: progress and log lines
     * go nowhere.
     *
     * @param seed the run's seed
     * @param manager the run's memory scope
     * @param phases hears each step phase as it starts ({@code objective}, {@code backward},
     *     {@code optimiser}, {@code loop}) and {@code null} when the loop ends; null for none
     * @param losses hears each step's loss, as the run's progress reports it; null for none
     * @return the context
     */
    public static RunContext context(long seed, NDManager manager, Consumer<String> phases, DoubleConsumer losses) {
        CoreRunContext context = new CoreRunContext(new RunKey(String.format("%016x", seed)), seed, manager, Clock.systemUTC(),
                new CoreRunContext.Sink() {
                    @Override
                    public void progress(RunRecord.Progress progress) {
                        // a benchmark keeps no record, but may want the losses
                        if (losses != null) {
                            losses.accept(progress.loss());
                        }
                    }

                    @Override
                    public void log(String line) {
                        // nor a log
                    }
                });
        if (phases != null) {
            context.stepClock(phase -> phases.accept(phase == null ? null : phase.name().toLowerCase(java.util.Locale.ROOT)));
        }
        return context;
    }
}

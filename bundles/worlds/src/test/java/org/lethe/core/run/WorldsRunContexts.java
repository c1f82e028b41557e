package org.lethe.core.run;

import ai.djl.ndarray.NDManager;
import java.time.Clock;
import java.util.List;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;

/**
 * The worlds tests' door into the run service's package: a real {@link CoreRunContext} (the
 * optimisation loop a world trains through), made outside a run service. Test code only, on the
 * plain class path of the test JVM; the core bundle need not export its run context for it.
 */
public final class WorldsRunContexts {

    private WorldsRunContexts() {
    }

    /**
     * @param seed the run's seed
     * @param manager the run's memory scope
     * @param log collects the run's log lines
     * @return a run context with no record behind it
     */
    public static RunContext context(long seed, NDManager manager, List<String> log) {
        return new CoreRunContext(new RunKey(String.format("%016x", seed)), seed, manager, Clock.systemUTC(),
                new CoreRunContext.Sink() {
                    @Override
                    public void progress(RunRecord.Progress progress) {
                        // no record to update
                    }

                    @Override
                    public void log(String line) {
                        log.add(line);
                    }
                });
    }
}

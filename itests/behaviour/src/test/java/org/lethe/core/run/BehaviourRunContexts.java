package org.lethe.core.run;

import ai.djl.ndarray.NDManager;
import java.time.Clock;
import java.util.function.Consumer;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;

/**
 * The behavioural tests' door into the run service's package: a real {@link CoreRunContext} (the
 * framework's optimisation loop, batching and seeding) made outside a run service, for code that
 * trains or samples a world's models without the container (the shapes fixtures). Test code only,
 * on the plain class path of the test JVM; the core bundle need not export its run context for it.
 */
public final class BehaviourRunContexts {

    private BehaviourRunContexts() {
    }

    /**
     * @param seed the run's seed
     * @param manager the run's memory scope
     * @param log hears every log line of the run
     * @param progress hears every progress report of the run
     * @return a run context with no record behind it
     */
    public static RunContext context(long seed, NDManager manager, Consumer<String> log,
            Consumer<RunRecord.Progress> progress) {
        return new CoreRunContext(new RunKey(String.format("%016x", seed)), seed, manager, Clock.systemUTC(),
                new CoreRunContext.Sink() {
                    @Override
                    public void progress(RunRecord.Progress p) {
                        progress.accept(p);
                    }

                    @Override
                    public void log(String line) {
                        log.accept(line);
                    }
                });
    }

    /**
     * @param seed the run's seed
     * @param manager the run's memory scope
     * @return a run context that drops its log and progress
     */
    public static RunContext quiet(long seed, NDManager manager) {
        return context(seed, manager, line -> { }, p -> { });
    }
}

package org.lethe.report.compare;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.LetheException;
import org.lethe.api.eval.ComparisonService;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.EvaluationService;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;

/**
 * How one comparison drives the run service: it submits a run, waits for it (cancelling it when the
 * comparison is cancelled), reads an evaluation's results, counts the steps for the listener, and
 * turns a protocol's failed run into a note of the report.
 */
final class Runs {

    /** How long the harness waits between looks at a run it waits for. */
    private static final Duration POLL = Duration.ofMillis(250);

    private final RunService runs;
    private final EvaluationService evaluations;
    private final ModelStore store;
    private final ComparisonService.Listener listener;
    private final Assembly assembly;
    private int total = 1;
    private int done;

    /** What an evaluation run gave: its record and, when it committed, its results. */
    record EvaluationOutcome(RunRecord record, Optional<Evaluation> evaluation) {
    }

    Runs(RunService runs, EvaluationService evaluations, ModelStore store, ComparisonService.Listener listener,
            Assembly assembly) {
        this.runs = runs;
        this.evaluations = evaluations;
        this.store = store;
        this.listener = listener;
        this.assembly = assembly;
    }

    /** A step begins: tells the listener how many finished before it. */
    void step(String what) {
        total = Math.max(total, done + 1);
        listener.step(done, total, what);
        done++;
    }

    /** @param more how many more steps the comparison expects from here */
    void expect(int more) {
        total = done + more;
    }

    /** @return whether the comparison should stop; when so, the report becomes partial */
    boolean cancelled() {
        if (listener.cancelled() || Thread.currentThread().isInterrupted()) {
            assembly.partial();
            return true;
        }
        return false;
    }

    /** @return whether the listener asked to stop */
    boolean cancelRequested() {
        return listener.cancelled();
    }

    /** @return the run service */
    RunService service() {
        return runs;
    }

    /** Submits a run and waits for its end. */
    RunRecord submitAndAwait(RunSpec spec) throws InterruptedException {
        return await(runs.submit(spec));
    }

    /** Waits for a run to end; cancels it when the comparison is cancelled or interrupted. */
    RunRecord await(RunKey key) throws InterruptedException {
        boolean cancelled = false;
        while (true) {
            RunRecord record;
            try {
                record = runs.await(key, POLL);
            } catch (InterruptedException e) {
                runs.cancel(key, "the comparison was interrupted");
                throw e;
            }
            if (record.state().isTerminal()) {
                return record;
            }
            if (!cancelled && listener.cancelled()) {
                runs.cancel(key, "the comparison was cancelled");
                cancelled = true;
            }
        }
    }

    /** Runs an evaluation and reads its results. */
    EvaluationOutcome evaluate(RunSpec spec) throws InterruptedException {
        RunRecord record = submitAndAwait(spec);
        return new EvaluationOutcome(record, evaluations.evaluation(record.key()));
    }

    /**
     * An unlearning run of a protocol; a refusal or failure becomes a note of the report.
     *
     * @return the model it committed; empty when it did not
     */
    Optional<ModelRef> unlearn(ComparisonSpec spec, String method, long seed, ModelRef model,
            Map<String, RunSpec.DataRef> data, String protocol) throws InterruptedException {
        return run(RunSpec.Kind.UNLEARN, spec, method, seed, model, data, protocol);
    }

    /**
     * An unlearning or erasure run of a protocol; a refusal or failure becomes a note of the report.
     *
     * @return the model it committed; empty when it did not
     */
    Optional<ModelRef> run(RunSpec.Kind kind, ComparisonSpec spec, String method, long seed, ModelRef model,
            Map<String, RunSpec.DataRef> data, String protocol) throws InterruptedException {
        RunRecord record;
        try {
            record = submitAndAwait(new RunSpec(kind, method, "",
                    spec.settings().getOrDefault(method, Map.of()), Optional.of(model), data, List.of(), seed, spec.budget()));
        } catch (LetheException e) {
            assembly.note(protocol + ": " + method + " seed " + seed + " refused: " + e.getMessage());
            return Optional.empty();
        }
        if (record.state() != RunState.COMMITTED || record.result().isEmpty()) {
            assembly.note(protocol + ": " + method + " seed " + seed + " " + record.state().name().toLowerCase()
                    + record.reason().map(r -> ": " + r).orElse(""));
            return Optional.empty();
        }
        return record.result();
    }

    /**
     * @param id a model id
     * @param training the world's training run
     * @return the version of that id the training run committed; empty when it committed none
     */
    Optional<ModelRef> trainedBy(String id, RunKey training) {
        if (store.ids().stream().noneMatch(id::equals)) {
            return Optional.empty();
        }
        return store.versions(id).stream().filter(m -> m.producedBy().filter(training::equals).isPresent())
                .map(ModelManifest::ref).findFirst();
    }

    /**
     * An evaluation run's spec.
     *
     * @param roles data role → source
     * @param model the model to evaluate
     * @param probes the probes
     * @param seed the probes' seed
     * @param metrics {@value EvaluationService#ALL_METRICS} or a comma-separated list
     * @return the spec
     */
    static RunSpec evaluationSpec(Map<String, String> roles, ModelRef model, List<String> probes, long seed, String metrics) {
        Map<String, RunSpec.DataRef> data = new java.util.LinkedHashMap<>();
        roles.forEach((role, source) -> data.put(role, new RunSpec.DataRef(source, "")));
        return new RunSpec(RunSpec.Kind.EVALUATE, metrics, "", Map.of(), Optional.of(model), data, probes, seed,
                Optional.empty());
    }
}

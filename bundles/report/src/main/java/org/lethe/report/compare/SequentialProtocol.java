package org.lethe.report.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunSpec;

/**
 * Sequential requests (docs/probes.md, {@value ComparisonRunner#SEQUENTIAL}): for every seed and
 * method, each request unlearns its own forget items from the previous request's model; after each,
 * the model is evaluated on the cumulative split and compared with that split's gold models.
 */
final class SequentialProtocol {

    /** The metrics its evaluations use (a subset, to keep the comparison within budget). */
    static final String METRICS = "exact-match,truth-ratio,model-utility";

    private SequentialProtocol() {
    }

    static void run(Runs runs, ComparisonSpec spec, WorldLayout layout, RunKey training, ModelRef original,
            Assembly assembly) throws InterruptedException {
        List<WorldLayout.Request> requests = layout.sequence(spec.split());
        Map<String, List<Evaluation>> gold = new LinkedHashMap<>();
        for (WorldLayout.Request request : requests) {
            List<Evaluation> evaluations = new ArrayList<>();
            for (int n = 0; ; n++) {
                Optional<ModelRef> ref = runs.trainedBy(layout.goldModel(request.split(), n), training);
                if (ref.isEmpty() || runs.cancelled()) {
                    break;
                }
                runs.step(ComparisonRunner.SEQUENTIAL + ": gold model " + ref.get() + ": evaluating");
                runs.evaluate(Runs.evaluationSpec(layout.roles(request.split()), ref.get(), List.of(),
                        spec.firstSeed() + n, METRICS)).evaluation().ifPresent(evaluations::add);
            }
            gold.put(request.split(), evaluations);
        }
        for (int s = 0; s < spec.seeds(); s++) {
            long seed = spec.firstSeed() + s;
            for (String name : spec.methods()) {
                ModelRef model = original;
                for (int k = 0; k < requests.size() && !runs.cancelled(); k++) {
                    WorldLayout.Request request = requests.get(k);
                    Map<String, String> roles = layout.roles(request.split());
                    String what = ComparisonRunner.SEQUENTIAL + ": " + name + " seed " + seed + " request " + (k + 1);
                    runs.step(what + " of " + requests.size());
                    Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
                    data.put("forget", new RunSpec.DataRef(request.forget(), ""));
                    data.put("retain", new RunSpec.DataRef(roles.get("retain"), ""));
                    data.put("holdout", new RunSpec.DataRef(roles.get("holdout"), ""));
                    Optional<ModelRef> next = runs.unlearn(spec, name, seed, model, data, ComparisonRunner.SEQUENTIAL);
                    if (next.isEmpty()) {
                        break;
                    }
                    model = next.get();
                    Runs.EvaluationOutcome outcome = runs.evaluate(Runs.evaluationSpec(roles, model, List.of(), seed, METRICS));
                    if (outcome.evaluation().isEmpty()) {
                        assembly.note(what + ": the evaluation " + outcome.record().state().name().toLowerCase());
                        break;
                    }
                    assembly.sequential(name, k + 1, outcome.evaluation().get(), gold.get(request.split()));
                }
            }
        }
    }
}

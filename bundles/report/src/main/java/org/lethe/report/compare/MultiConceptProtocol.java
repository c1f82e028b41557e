package org.lethe.report.compare;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.EvaluationService;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunSpec;

/**
 * Several concepts at once (docs/probes.md, {@value ComparisonRunner#MULTI_CONCEPT}; research/methods-gen.md
 * §8, "multi-request scalability"): in a visual question-answering comparison, every method with
 * every seed also unlearns the world's multi-concept tasks ({@code multi3}: 3 concepts, {@code multi6}:
 * 6) from the original model, each as a run of its own on that task's cut, and the result and the
 * original are evaluated on that task's roles with every metric (no probe). Each task's results are
 * columns {@code <task>:<role>.<metric>} beside the comparison's own task (usually one concept), so
 * one report holds the 1/3/6-concept table.
 */
final class MultiConceptProtocol {

    private MultiConceptProtocol() {
    }

    /**
     * @param runs the comparison's driver
     * @param spec the comparison
     * @param layout the world's layout
     * @param original the original model
     * @param methods the installed methods
     * @param plans how each method runs (kind and data roles)
     * @param assembly the report being assembled
     * @throws InterruptedException when interrupted while waiting for a run
     */
    static void run(Runs runs, ComparisonSpec spec, VqaLayout layout, ModelRef original, MethodRegistry methods,
            Function<MethodDescriptor, ComparisonRunner.Plan> plans, Assembly assembly) throws InterruptedException {
        List<String> tasks = tasks(spec, layout);
        if (tasks.isEmpty()) {
            assembly.note(ComparisonRunner.MULTI_CONCEPT + ": world '" + spec.world() + "' has no multi-concept task besides '"
                    + spec.split() + "'");
            return;
        }
        for (String task : tasks) {
            Map<String, String> roles = layout.roles(task);
            for (int s = 0; s < spec.seeds() && !runs.cancelled(); s++) {
                long seed = spec.firstSeed() + s;
                runs.step(ComparisonRunner.MULTI_CONCEPT + ": " + task + ": original model seed " + seed + ": evaluating");
                assembly.protocol(task, "original", seed, original, runs.evaluate(evaluation(roles, original, seed)));
            }
            for (int s = 0; s < spec.seeds(); s++) {
                long seed = spec.firstSeed() + s;
                for (String name : spec.methods()) {
                    if (runs.cancelled()) {
                        return;
                    }
                    ComparisonRunner.Plan plan = plans.apply(methods.method(name).orElseThrow());
                    runs.step(ComparisonRunner.MULTI_CONCEPT + ": " + task + ": " + name + " seed " + seed);
                    Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
                    plan.inputs().forEach(role -> data.put(role, new RunSpec.DataRef(roles.get(role), "")));
                    Optional<ModelRef> model = runs.run(plan.kind(), spec, name, seed, original, data,
                            ComparisonRunner.MULTI_CONCEPT + " " + task);
                    if (model.isPresent()) {
                        runs.step(ComparisonRunner.MULTI_CONCEPT + ": " + task + ": " + name + " seed " + seed + ": evaluating");
                        assembly.protocol(task, name, seed, model.get(), runs.evaluate(evaluation(roles, model.get(), seed)));
                    }
                }
            }
        }
    }

    /**
     * @param spec the comparison
     * @param layout the world's layout
     * @return the multi-concept tasks the world has, the comparison's own task left out
     */
    static List<String> tasks(ComparisonSpec spec, VqaLayout layout) {
        List<String> all = layout.tasks();
        return VqaLayout.MULTI.keySet().stream().filter(all::contains).filter(t -> !t.equals(spec.split())).toList();
    }

    private static RunSpec evaluation(Map<String, String> roles, ModelRef model, long seed) {
        return Runs.evaluationSpec(roles, model, List.of(), seed, EvaluationService.ALL_METRICS);
    }
}

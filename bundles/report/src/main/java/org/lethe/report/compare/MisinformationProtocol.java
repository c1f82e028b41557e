package org.lethe.report.compare;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunSpec;

/**
 * RESTOR and OFFSIDE on the world's misinformation (docs/probes.md,
 * {@value ComparisonRunner#MISINFORMATION}): the original (clean) and corrupted models are evaluated
 * once per seed; every method unlearns the misinformation from the corrupted model, and (OFFSIDE's
 * selective setting) half of each entity's rumours while keeping the other half.
 */
final class MisinformationProtocol {

    /** OFFSIDE's corrective relearning probe, which only this protocol runs. */
    static final String CORRECTIVE_RELEARNING = "corrective-relearning";

    /** The probes its evaluations run, when asked for. */
    static final List<String> PROBES = List.of(CORRECTIVE_RELEARNING, "prompt-attacks");

    /** The metric its evaluations use. */
    static final String METRICS = "exact-match";

    /** The column prefix of OFFSIDE's selective unlearning. */
    static final String SELECTIVE = "selective";

    private MisinformationProtocol() {
    }

    static void run(Runs runs, ComparisonSpec spec, WorldLayout layout, RunKey training, ModelRef original,
            List<String> probes, Assembly assembly) throws InterruptedException {
        String name = ComparisonRunner.MISINFORMATION;
        Optional<WorldLayout.Misinformation> data = layout.misinformation();
        Optional<ModelRef> corrupted = runs.trainedBy(layout.corruptedModel(), training);
        if (data.isEmpty() || corrupted.isEmpty()) {
            assembly.note(name + ": world '" + spec.world() + "' (run " + training + ") has no "
                    + (data.isEmpty() ? "misinformation splits" : "corrupted model " + layout.corruptedModel())
                    + "; the protocol did not run (a world trained before it had them: train it again with another seed,"
                    + " or in a fresh data folder)");
            return;
        }
        WorldLayout.Misinformation m = data.get();
        List<String> asked = probes.stream().filter(PROBES::contains).toList();
        for (int s = 0; s < spec.seeds() && !runs.cancelled(); s++) {
            long seed = spec.firstSeed() + s;
            runs.step(name + ": original model seed " + seed + ": evaluating");
            assembly.protocol(name, "original", seed, original,
                    runs.evaluate(Runs.evaluationSpec(m.roles(), original, asked, seed, METRICS)));
            runs.step(name + ": corrupted model seed " + seed + ": evaluating");
            assembly.corrupted(seed, corrupted.get(),
                    runs.evaluate(Runs.evaluationSpec(m.roles(), corrupted.get(), asked, seed, METRICS)));
        }
        for (int s = 0; s < spec.seeds(); s++) {
            long seed = spec.firstSeed() + s;
            for (String method : spec.methods()) {
                if (runs.cancelled()) {
                    return;
                }
                runs.step(name + ": " + method + " seed " + seed + ": unlearning the misinformation");
                Optional<ModelRef> unlearned = runs.unlearn(spec, method, seed, corrupted.get(),
                        forgetAndRetain(m.forget(), m.retain()), name);
                if (unlearned.isPresent()) {
                    assembly.protocol(name, method, seed, unlearned.get(),
                            runs.evaluate(Runs.evaluationSpec(m.roles(), unlearned.get(), asked, seed, METRICS)));
                }
                if (m.selective().isEmpty() || runs.cancelled()) {
                    continue;
                }
                Map<String, String> selective = m.selective().get();
                runs.step(name + ": " + method + " seed " + seed + ": selective unlearning");
                Optional<ModelRef> selected = runs.unlearn(spec, method, seed, corrupted.get(),
                        forgetAndRetain(selective.get("forget"), m.retain()), SELECTIVE);
                if (selected.isPresent()) {
                    assembly.protocol(SELECTIVE, method, seed, selected.get(),
                            runs.evaluate(Runs.evaluationSpec(selective, selected.get(), List.of(), seed, METRICS)));
                }
            }
        }
    }

    private static Map<String, RunSpec.DataRef> forgetAndRetain(String forget, String retain) {
        Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
        data.put("forget", new RunSpec.DataRef(forget, ""));
        data.put("retain", new RunSpec.DataRef(retain, ""));
        return data;
    }
}

package org.lethe.evaluation.vision;

import java.util.List;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;

/**
 * "Intervention removed" (research/methods-gen.md §8: for inference-time methods such as SAUCE,
 * "report 'hook removed' = trivial recovery (document as threat-model limit)"): unlearning quality
 * and the concept-answer rate on {@value Roles#VQA_FORGET} of the version with every intervention
 * attachment disabled, i.e. its weights alone. Anyone who holds the weights and can run them without
 * the hook recovers exactly this; the number is the limit of the inference-time threat model, not
 * an attack that a deployed hook could resist. For a version without interventions it equals
 * {@code unlearning-quality} and {@code concept-answer-rate} on {@value Roles#VQA_FORGET}.
 *
 * <p><b>How the interventions are removed.</b> Interventions are applied by whoever loads a version
 * ({@link Intervention}); a probe sees only its task's model view, through which hooks installed at
 * load time can be neither listed nor closed. The probe therefore declares what copy it must be
 * handed: it is registered with the service property {@value #LOAD_PROPERTY}{@code =}{@value #OFF},
 * the evaluation setting {@link Intervention#SWITCH} = {@code off} applied to its own private copy,
 * and whoever runs probes loads this probe's copy with its intervention attachments disabled (as an
 * evaluation with {@code intervention=off} loads every copy). The probe then measures the model it
 * is handed, unchanged: it never falls back on the reference (the root ancestor), which differs from
 * the version's own weights when the interventions sit on a weight-edited version.
 *
 * <p>Reports {@code intervention-removed-unlearning-quality} (higher is better) and
 * {@code intervention-removed-concept-answer-rate} (the share answered with an unlearned concept)
 * on {@value Roles#VQA_FORGET}.
 */
@Component(service = Probe.class, property = {
    ServiceProperties.PROBE + "=" + InterventionRemoved.NAME,
    ServiceProperties.METRIC_VERSION + "=" + InterventionRemoved.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE,
    InterventionRemoved.LOAD_PROPERTY + "=" + InterventionRemoved.OFF})
public final class InterventionRemoved implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "intervention-removed";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /**
     * The service property that tells whoever runs probes how to load this probe's copy
     * ({@link ServiceProperties#PROBE_INTERVENTIONS}), {@value}.
     */
    public static final String LOAD_PROPERTY = ServiceProperties.PROBE_INTERVENTIONS;
    /** Its value: every intervention attachment disabled, {@value}. */
    public static final String OFF = "off";

    @Override
    public List<MetricResult> probe(Task task, RunContext run) {
        List<VqaItem> items = VqaData.forgetItems(task, NAME);
        VisionLanguageModel model = VqaData.model(task, NAME);
        List<MetricResult> out = VqaData.attackResults(NAME, VERSION, model, items, VqaData.answers(model, items),
                VqaData.concepts(task));
        run.log(String.format("%s: unlearning quality %.4f with the interventions disabled", NAME,
                out.get(0).aggregate()));
        return out;
    }
}

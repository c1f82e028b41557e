package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.store.FileModelStore;
import org.lethe.models.tiny.TinyLmArchitecture;

/**
 * Attachments and interventions end to end outside OSGi, on the tiny test model: a method that
 * changes no weight attaches an intervention ({@link BiasShift}, a real implementation of the SPI
 * written for the tests), the committed version carries it with its parent's weights, every load
 * applies it and closing the model removes it, an evaluation with {@code intervention=off} measures
 * the weights alone, and a version whose intervention type is not deployed is refused.
 */
class InterventionRunTest {

    static final String SHIFT = "3.0";

    @TempDir
    Path data;

    private FileModelStore store;
    private CoreRunService service;
    private BiasShift shift;
    private final Map<String, MethodDescriptor> descriptors = new HashMap<>();
    private Path forget;

    /** Attaches a bias shift named {@code shift} and changes no weight. */
    static final class Attaching implements UnlearningMethod {
        @Override
        public void unlearn(Task task, RunContext run) {
            task.attach(BiasShift.attachment("shift"), Map.of("shift.txt", SHIFT.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Changes nothing; keeps the forget losses its model and its reference give. */
    static final class Looking implements UnlearningMethod {
        volatile double model = Double.NaN;
        volatile double reference = Double.NaN;

        @Override
        public void unlearn(Task task, RunContext run) {
            model = EvaluationRunTest.loss(task.model(LanguageModel.class), task.qa(Task.FORGET).items(), Task.FORGET, "x")
                    .aggregate();
            reference = EvaluationRunTest.loss(task.reference(LanguageModel.class), task.qa(Task.FORGET).items(),
                    Task.FORGET, "x").aggregate();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        store = new FileModelStore(data.resolve("models"));
        TinyLmArchitecture architecture = new TinyLmArchitecture();
        Path weights = Files.createDirectories(data.resolve("initial"));
        try (LoadedModel model = architecture.create(Map.of("vocabulary", CoreRunServiceTest.VOCABULARY), 7)) {
            model.save(weights);
            store.create("tiny", ModelKind.LANGUAGE, TinyLmArchitecture.NAME, model.config(), null, weights);
        }
        forget = Files.writeString(data.resolve("forget.jsonl"),
                "{\"id\":\"f1\",\"question\":\"where was alice born ?\",\"answer\":\"paris\"}\n"
                        + "{\"id\":\"f2\",\"question\":\"where was bob born ?\",\"answer\":\"oslo\"}\n");
        MethodRegistry registry = new MethodRegistry() {
            @Override
            public List<MethodDescriptor> methods() {
                return new ArrayList<>(descriptors.values());
            }

            @Override
            public Optional<MethodDescriptor> method(String name) {
                return Optional.ofNullable(descriptors.get(name));
            }
        };
        service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry, data);
        service.engine(Engine.getEngine("PyTorch"));
        service.bindArchitecture(architecture, Map.of(ServiceProperties.ARCHITECTURE, TinyLmArchitecture.NAME));
        service.bindMetric(new EvaluationRunTest.AnswerLoss(), Map.of(ServiceProperties.METRIC, "answer-loss",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "language"));
        service.bindProbe((task, run) -> List.of(EvaluationRunTest.loss(task.model(LanguageModel.class),
                task.qa(Task.FORGET).items(), Task.FORGET, "copy-loss")), Map.of(ServiceProperties.PROBE, "copy-loss",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "language"));
        shift = new BiasShift();
        service.bindIntervention(shift, Map.of(Intervention.TYPE, BiasShift.TYPE));
        install("attaching", new Attaching());
    }

    @AfterEach
    void tearDown() {
        service.deactivate();
    }

    private void install(String name, UnlearningMethod method) {
        descriptors.put(name, new MethodDescriptor(name, MethodDescriptor.Kind.UNLEARNING, "language", "test",
                List.of(Task.FORGET), "test.bundle", "1.0.0", Optional.empty()));
        service.bindUnlearning(method, Map.of(ServiceProperties.METHOD, name));
    }

    private RunSpec unlearn(String method, String model) {
        return new RunSpec(RunSpec.Kind.UNLEARN, method, "", Map.of(), Optional.of(ModelRef.parse(model)),
                Map.of(Task.FORGET, new RunSpec.DataRef(forget.toString(), "")), List.of(), 3, Optional.empty());
    }

    private RunSpec evaluate(String model, Map<String, String> settings, List<String> probes) {
        return new RunSpec(RunSpec.Kind.EVALUATE, "answer-loss", "", settings, Optional.of(ModelRef.parse(model)),
                Map.of(Task.FORGET, new RunSpec.DataRef(forget.toString(), "")), probes, 0, Optional.empty());
    }

    private RunRecord run(RunSpec spec) throws InterruptedException {
        RunRecord record = service.await(service.submit(spec), EvaluationRunTest.WAIT);
        assertEquals(RunState.COMMITTED, record.state(), record.reason().orElse(""));
        return record;
    }

    /** Commits tiny:2, tiny:1 with a bias shift attached by a run. */
    private ModelRef attached() throws InterruptedException {
        return run(unlearn("attaching", "tiny")).result().orElseThrow();
    }

    /** The per-item forget losses of an evaluation (the metric's, then each probe's by its name). */
    private Map<String, Map<String, Double>> losses(RunRecord record) {
        Evaluation evaluation = service.evaluation(record.key()).orElseThrow();
        assertTrue(evaluation.failures().isEmpty(), evaluation.failures().toString());
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (MetricResult result : evaluation.results()) {
            out.put(result.metric(), result.perItem());
        }
        return out;
    }

    @Test
    void attachCommitsTheFilesAndAttachmentWithTheBaseAsParentAndItsWeights() throws Exception {
        ModelManifest base = store.manifest(ModelRef.parse("tiny:1"));
        ModelRef result = attached();
        assertEquals(new ModelRef("tiny", 2), result);
        ModelManifest manifest = store.manifest(result);
        assertEquals(Optional.of(base.ref()), manifest.parent());
        assertEquals(List.of(BiasShift.attachment("shift")), manifest.attachments());
        Map<String, String> expected = new HashMap<>(base.files());
        expected.put("shift.txt", Hashing.sha256().hashString(SHIFT, StandardCharsets.UTF_8).toString());
        assertEquals(expected, manifest.files(), "the base's weights, unchanged, and the attachment's file");
        try (var lease = store.lease(result)) {
            assertEquals(SHIFT, Files.readString(lease.directory().resolve("shift.txt")));
        }
        assertEquals(0, shift.applied.get(), "the base has no intervention to apply");
    }

    @Test
    void evaluationAppliesEnabledInterventionsAndTheSwitchLeavesThemOut() throws Exception {
        ModelRef intervened = attached();
        Map<String, Double> parent = losses(run(evaluate("tiny:1", Map.of(), List.of()))).get("answer-loss");
        assertEquals(0, shift.applied.get());

        RunRecord on = run(evaluate(intervened.toString(), Map.of(), List.of("copy-loss")));
        assertEquals(2, shift.applied.get(), "applied to the metrics' model and to the probe's copy");
        assertEquals(2, shift.removed.get(), "and removed when each was closed");
        Map<String, Map<String, Double>> onLosses = losses(on);
        assertEquals(parent.keySet(), onLosses.get("answer-loss").keySet());
        for (String item : parent.keySet()) {
            assertTrue(Math.abs(parent.get(item) - onLosses.get("answer-loss").get(item)) > 1e-3,
                    "the intervention changes item " + item + ": " + parent + " vs " + onLosses);
        }
        assertEquals(onLosses.get("answer-loss"), onLosses.get("copy-loss"), "the probe's copy has it too");
        assertEquals(Map.of(), on.spec().config(), "on is the default");

        RunRecord off = run(evaluate(intervened.toString(), Map.of(Intervention.SWITCH, "off"), List.of("copy-loss")));
        assertEquals(2, shift.applied.get(), "switched off: nothing applied");
        Map<String, Map<String, Double>> offLosses = losses(off);
        assertEquals(parent, offLosses.get("answer-loss"), "switched off, the version is its parent exactly");
        assertEquals(parent, offLosses.get("copy-loss"));
        assertEquals(Map.of(Intervention.SWITCH, "off"), off.spec().config());

        assertNotEquals(on.key(), off.key(), "the switch is part of the run's key");
        assertEquals(on.key(), service.submit(evaluate(intervened.toString(), Map.of(Intervention.SWITCH, "on"),
                List.of("copy-loss"))), "on spelled out is the same run as the default");
    }

    @Test
    void aProbeRegisteredWithoutInterventionsGetsTheWeightsAloneWhileTheMetricKeepsThem() throws Exception {
        ModelRef intervened = attached();
        Map<String, Double> parent = losses(run(evaluate("tiny:1", Map.of(), List.of()))).get("answer-loss");
        service.bindProbe((task, run) -> List.of(EvaluationRunTest.loss(task.model(LanguageModel.class),
                task.qa(Task.FORGET).items(), Task.FORGET, "bare-loss")), Map.of(ServiceProperties.PROBE, "bare-loss",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "language",
                ServiceProperties.PROBE_INTERVENTIONS, "off"));

        Map<String, Map<String, Double>> losses = losses(run(evaluate(intervened.toString(), Map.of(),
                List.of("copy-loss", "bare-loss"))));
        assertEquals(2, shift.applied.get(), "applied to the metrics' model and the ordinary probe's copy only");
        assertEquals(parent, losses.get("bare-loss"), "the bare probe's copy is the parent exactly");
        assertEquals(losses.get("answer-loss"), losses.get("copy-loss"));
        assertNotEquals(parent, losses.get("answer-loss"), "the metric still sees the intervention");
    }

    @Test
    void aBadSwitchIsRefusedAtSubmission() throws Exception {
        ModelRef intervened = attached();
        int runs = service.runs().size();
        LetheException value = assertThrows(LetheException.class,
                () -> service.submit(evaluate(intervened.toString(), Map.of(Intervention.SWITCH, "maybe"), List.of())));
        assertEquals(LetheException.INVALID_INPUT, value.exitStatus());
        assertTrue(value.getMessage().contains("'intervention' is on or off, not 'maybe'"), value.getMessage());
        LetheException key = assertThrows(LetheException.class,
                () -> service.submit(evaluate(intervened.toString(), Map.of("interventions", "off"), List.of())));
        assertTrue(key.getMessage().contains("but got 'interventions'"), key.getMessage());
        assertEquals(runs, service.runs().size(), "nothing was queued");
    }

    @Test
    void aVersionWhoseInterventionTypeIsNotDeployedIsRefusedNamingIt() throws Exception {
        ModelRef intervened = attached();
        install("looking", new Looking());
        service.unbindIntervention(shift, Map.of(Intervention.TYPE, BiasShift.TYPE));
        for (RunSpec spec : List.of(evaluate(intervened.toString(), Map.of(), List.of()), unlearn("looking", intervened.toString()))) {
            LetheException e = assertThrows(LetheException.class, () -> service.submit(spec));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("attachment 'shift'") && e.getMessage().contains("'bias-shift'")
                    && e.getMessage().contains("no deployed bundle provides"), e.getMessage());
        }
        // switched off, the version needs no intervention service
        Map<String, Double> off = losses(run(evaluate(intervened.toString(), Map.of(Intervention.SWITCH, "off"), List.of())))
                .get("answer-loss");
        assertEquals(2, off.size());

        // an intervention attachment that names no type
        ModelManifest untyped;
        try (var lease = store.lease(ModelRef.parse("tiny:1"))) {
            Files.writeString(lease.directory().resolve("x.txt"), "1");
            untyped = lease.commit(new RunKey("cd".repeat(16)), lease.base().config(), List.of(new ModelManifest.Attachment(
                    ModelManifest.Attachment.Type.INTERVENTION, "untyped", List.of("x.txt"), Map.of(), true)));
        }
        LetheException e = assertThrows(LetheException.class,
                () -> service.submit(evaluate(untyped.ref().toString(), Map.of(), List.of())));
        assertTrue(e.getMessage().contains("attachment 'untyped' names no intervention type"), e.getMessage());
    }

    @Test
    void aDisabledInterventionIsNotApplied() throws Exception {
        ModelManifest disabled;
        try (var lease = store.lease(ModelRef.parse("tiny:1"))) {
            Files.writeString(lease.directory().resolve("shift.txt"), SHIFT);
            ModelManifest.Attachment on = BiasShift.attachment("shift");
            disabled = lease.commit(new RunKey("ef".repeat(16)), lease.base().config(), List.of(new ModelManifest.Attachment(
                    on.type(), on.name(), on.files(), on.config(), false)));
        }
        Map<String, Double> parent = losses(run(evaluate("tiny:1", Map.of(), List.of()))).get("answer-loss");
        assertEquals(parent, losses(run(evaluate(disabled.ref().toString(), Map.of(), List.of()))).get("answer-loss"));
        assertEquals(0, shift.applied.get());
    }

    @Test
    void unlearningFromAnIntervenedVersionRunsWithItAndSavesTheWeightsAlone() throws Exception {
        ModelRef intervened = attached();
        Map<String, Double> on = losses(run(evaluate(intervened.toString(), Map.of(), List.of()))).get("answer-loss");
        Map<String, Double> parent = losses(run(evaluate("tiny:1", Map.of(), List.of()))).get("answer-loss");
        int before = shift.applied.get();
        Looking looking = new Looking();
        install("looking", looking);
        ModelRef next = run(unlearn("looking", intervened.toString())).result().orElseThrow();
        assertEquals(before + 2, shift.applied.get(), "applied to the method's model and to its reference");
        assertEquals(shift.applied.get(), shift.removed.get(), "every handle was closed");
        assertEquals(on.values().stream().mapToDouble(d -> d).average().orElseThrow(), looking.model, 1e-6,
                "the method worked on the version as committed, its intervention in effect");
        assertEquals(looking.model, looking.reference, 1e-9, "its reference is the base version, intervention and all");
        assertNotEquals(parent.values().stream().mapToDouble(d -> d).average().orElseThrow(), looking.model, 1e-3);

        ModelManifest manifest = store.manifest(next);
        ModelManifest base = store.manifest(intervened);
        assertEquals(Optional.of(intervened), manifest.parent());
        assertEquals(base.attachments(), manifest.attachments(), "the base's attachments are kept");
        assertEquals(base.files(), manifest.files(), "the weights were saved without the intervention");

        // attaching a name the base already has fails the run, and nothing is committed
        RunRecord again = service.await(service.submit(unlearn("attaching", intervened.toString())), EvaluationRunTest.WAIT);
        assertEquals(RunState.FAILED, again.state());
        assertTrue(again.reason().orElseThrow().contains("attachment 'shift': the name is taken by an attachment of the base"
                + " version tiny:2"), again.reason().toString());
        assertEquals(3, store.versions("tiny").size());
    }

    @Test
    void anEvaluationCannotAttach() throws Exception {
        service.bindMetric(task -> {
            task.attach(BiasShift.attachment("shift"), Map.of("shift.txt", new byte[] {1}));
            return List.of();
        }, Map.of(ServiceProperties.METRIC, "attaching", ServiceProperties.METRIC_VERSION, "1"));
        RunRecord record = run(new RunSpec(RunSpec.Kind.EVALUATE, "attaching", "", Map.of(),
                Optional.of(ModelRef.parse("tiny")), Map.of(), List.of(), 0, Optional.empty()));
        String failure = service.evaluation(record.key()).orElseThrow().failures().get("metric:attaching");
        assertTrue(failure.contains("an evaluation commits no model, so it cannot attach 'shift'"), failure);
        assertEquals(1, store.versions("tiny").size());
    }
}

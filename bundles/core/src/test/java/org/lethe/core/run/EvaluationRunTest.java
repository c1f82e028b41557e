package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Probe;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.store.FileModelStore;
import org.lethe.models.tiny.TinyLmArchitecture;

/**
 * Evaluation runs end to end outside OSGi: metrics measure the leased copy, each probe trains a
 * copy of its own, failures and modality refusals are recorded while the rest runs, the results are
 * kept with the run, and nothing is committed to the store.
 */
class EvaluationRunTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;

    private FileModelStore store;
    private CoreRunService service;
    private Path forget;
    private Path retain;

    /** The mean answer loss of every item of each role the task has (test scaffolding). */
    static final class AnswerLoss implements Metric {
        @Override
        public List<MetricResult> evaluate(Task task) {
            List<MetricResult> out = new ArrayList<>();
            for (String role : List.of(Task.FORGET, Task.RETAIN)) {
                if (task.has(role)) {
                    out.add(loss(task.model(LanguageModel.class), task.qa(role).items(), role, "answer-loss"));
                }
            }
            return out;
        }
    }

    static MetricResult loss(LanguageModel lm, List<QaItem> items, String role, String name) {
        Map<String, Double> perItem = new LinkedHashMap<>();
        double sum = 0;
        try (NDManager scope = lm.model().getNDManager().newSubManager()) {
            for (QaItem item : items) {
                QaBatch batch = lm.encode(List.of(item.question()), List.of(item.answer()), scope);
                double loss = lm.answerLoss(batch, false).getFloat();
                perItem.put(item.id(), loss);
                sum += loss;
            }
        }
        return new MetricResult(name, "1", role, sum / items.size(), perItem, MetricResult.Direction.HIGHER_IS_BETTER, false);
    }

    /** Gradient ascent on the forget answers of its copy, then the loss it reached (test scaffolding). */
    static final class AscentProbe implements Probe {
        @Override
        public List<MetricResult> probe(Task task, org.lethe.api.run.RunContext run) {
            LanguageModel lm = task.model(LanguageModel.class);
            List<QaItem> items = task.qa(Task.FORGET).items();
            run.optimise(lm.model(), Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build(), 10,
                    (step, scope) -> lm.answerLoss(lm.encode(items.stream().map(QaItem::question).toList(),
                            items.stream().map(QaItem::answer).toList(), scope), true).neg());
            return List.of(loss(lm, items, Task.FORGET, "loss-after-ascent"));
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
        retain = Files.writeString(data.resolve("retain.jsonl"),
                "{\"id\":\"r1\",\"question\":\"where was carol born ?\",\"answer\":\"rice\"}\n");
        MethodRegistry none = new MethodRegistry() {
            @Override
            public List<MethodDescriptor> methods() {
                return List.of();
            }

            @Override
            public Optional<MethodDescriptor> method(String name) {
                return Optional.empty();
            }
        };
        service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), none, data);
        service.engine(Engine.getEngine("PyTorch"));
        service.bindArchitecture(architecture, Map.of(ServiceProperties.ARCHITECTURE, TinyLmArchitecture.NAME));
        service.bindMetric(new AnswerLoss(), Map.of(ServiceProperties.METRIC, "answer-loss",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "language"));
        service.bindProbe(new AscentProbe(), Map.of(ServiceProperties.PROBE, "ascent",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "language"));
        service.bindProbe((task, run) -> {
            throw new IllegalStateException("boom");
        }, Map.of(ServiceProperties.PROBE, "broken", ServiceProperties.METRIC_VERSION, "1"));
        service.bindProbe((task, run) -> List.of(), Map.of(ServiceProperties.PROBE, "pixels",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "text-to-image"));
    }

    @AfterEach
    void tearDown() {
        service.deactivate();
    }

    private RunSpec spec(String component, List<String> probes) {
        return new RunSpec(RunSpec.Kind.EVALUATE, component, "", Map.of(), Optional.of(ModelRef.parse("tiny")),
                Map.of("forget", new RunSpec.DataRef(forget.toString(), ""), "retain", new RunSpec.DataRef(retain.toString(), "")),
                probes, 3, Optional.empty());
    }

    @Test
    void metricsAndProbesAreKeptWithTheRunAndNothingIsCommitted() throws Exception {
        String before = store.manifest(ModelRef.parse("tiny:1")).files().toString();
        RunKey key = service.submit(spec("all", List.of("ascent", "broken", "pixels")));
        RunRecord record = service.await(key, WAIT);
        assertEquals(RunState.COMMITTED, record.state(), record.reason().toString());
        assertTrue(record.result().isEmpty(), "an evaluation commits no model");
        assertEquals(1, store.versions("tiny").size(), "nothing was committed to the store");
        assertEquals(before, store.manifest(ModelRef.parse("tiny:1")).files().toString());
        assertEquals("metric:answer-loss@1,probe:ascent@1,probe:broken@1,probe:pixels@1", record.spec().componentVersion());

        Evaluation evaluation = service.evaluation(key).orElseThrow();
        assertEquals(ModelRef.parse("tiny:1"), evaluation.model());
        List<String> keys = evaluation.results().stream().map(MetricResult::key).toList();
        assertEquals(List.of("forget.answer-loss", "retain.answer-loss", "forget.loss-after-ascent"), keys);
        MetricResult forgetLoss = evaluation.results().get(0);
        assertEquals(List.of("f1", "f2"), List.copyOf(forgetLoss.perItem().keySet()));
        double after = evaluation.results().get(2).aggregate();
        assertTrue(after > forgetLoss.aggregate() + 0.1,
                "the probe trained its copy: loss " + forgetLoss.aggregate() + " -> " + after);
        assertEquals("IllegalStateException: boom", evaluation.failures().get("probe:broken"));
        assertTrue(evaluation.failures().get("probe:pixels").contains("text-to-image"), evaluation.failures().toString());
        assertFalse(evaluation.failures().containsKey("probe:ascent"));

        // the probe trained a copy, not the model the metrics measured: a second evaluation of the
        // same version measures the same loss
        RunKey again = service.submit(new RunSpec(RunSpec.Kind.EVALUATE, "answer-loss", "", Map.of(),
                Optional.of(ModelRef.parse("tiny")), Map.of("forget", new RunSpec.DataRef(forget.toString(), "")),
                List.of(), 4, Optional.empty()));
        assertEquals(RunState.COMMITTED, service.await(again, WAIT).state());
        assertEquals(forgetLoss.aggregate(), service.evaluation(again).orElseThrow().results().get(0).aggregate(), 1e-6);

        // read back from disk by a new service over the same folder
        service.deactivate();
        service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), new MethodRegistry() {
            @Override
            public List<MethodDescriptor> methods() {
                return List.of();
            }

            @Override
            public Optional<MethodDescriptor> method(String name) {
                return Optional.empty();
            }
        }, data);
        assertEquals(evaluation, service.evaluation(key).orElseThrow());
    }

    /** The forget loss of the model minus that of the task's reference (test scaffolding). */
    static final class ReferenceGap implements Metric {
        @Override
        public List<MetricResult> evaluate(Task task) {
            List<QaItem> items = task.qa(Task.FORGET).items();
            double model = loss(task.model(LanguageModel.class), items, Task.FORGET, "x").aggregate();
            double reference = loss(task.reference(LanguageModel.class), items, Task.FORGET, "x").aggregate();
            return List.of(new MetricResult("reference-gap", "1", Task.FORGET, model - reference, Map.of(),
                    MetricResult.Direction.LOWER_IS_BETTER, true));
        }
    }

    @Test
    void anEvaluationsReferenceIsTheRootAncestor() throws Exception {
        service.bindMetric(new ReferenceGap(), Map.of(ServiceProperties.METRIC, "reference-gap",
                ServiceProperties.METRIC_VERSION, "1", ServiceProperties.MODALITY, "language"));
        TinyLmArchitecture architecture = new TinyLmArchitecture();
        // tiny:2, a child of tiny:1 with other weights, and tiny:3, a child of tiny:2
        for (int seed : new int[] {11, 12}) {
            try (var lease = store.lease(ModelRef.parse("tiny"));
                    LoadedModel other = architecture.create(Map.of("vocabulary", CoreRunServiceTest.VOCABULARY), seed)) {
                other.save(lease.directory());
                lease.commit(new RunKey("ab".repeat(8 + seed)), other.config(), List.of());
            }
        }
        Map<String, Double> gaps = new LinkedHashMap<>();
        Map<String, Double> losses = new LinkedHashMap<>();
        for (String ref : List.of("tiny:1", "tiny:2", "tiny:3")) {
            Map<String, RunSpec.DataRef> forgetOnly = Map.of("forget", new RunSpec.DataRef(forget.toString(), ""));
            RunKey gap = service.submit(new RunSpec(RunSpec.Kind.EVALUATE, "reference-gap", "", Map.of(),
                    Optional.of(ModelRef.parse(ref)), forgetOnly, List.of(), 0, Optional.empty()));
            RunRecord record = service.await(gap, WAIT);
            assertEquals(RunState.COMMITTED, record.state(), record.reason().toString());
            Evaluation evaluation = service.evaluation(gap).orElseThrow();
            assertTrue(evaluation.failures().isEmpty(), evaluation.failures().toString());
            gaps.put(ref, evaluation.results().get(0).aggregate());
            RunKey loss = service.submit(new RunSpec(RunSpec.Kind.EVALUATE, "answer-loss", "", Map.of(),
                    Optional.of(ModelRef.parse(ref)), forgetOnly, List.of(), 0, Optional.empty()));
            assertEquals(RunState.COMMITTED, service.await(loss, WAIT).state());
            losses.put(ref, service.evaluation(loss).orElseThrow().results().get(0).aggregate());
        }
        assertEquals(0.0, gaps.get("tiny:1"), 1e-9, "the root is its own reference");
        assertNotEquals(losses.get("tiny:1"), losses.get("tiny:3"), 1e-6);
        assertEquals(losses.get("tiny:2") - losses.get("tiny:1"), gaps.get("tiny:2"), 1e-5);
        assertEquals(losses.get("tiny:3") - losses.get("tiny:1"), gaps.get("tiny:3"), 1e-5,
                "the grandchild is compared with the root, not its parent");
    }

    @Test
    void theSameEvaluationRunsOnce() throws Exception {
        RunKey first = service.submit(spec("answer-loss", List.of()));
        assertEquals(RunState.COMMITTED, service.await(first, WAIT).state());
        assertEquals(first, service.submit(spec("answer-loss", List.of())));
        RunKey withProbe = service.submit(spec("answer-loss", List.of("ascent")));
        assertNotEquals(first, withProbe);
        assertEquals(RunState.COMMITTED, service.await(withProbe, WAIT).state());
    }

    @Test
    void unknownMetricsAndProbesAreRefusedBeforeAnythingRuns() {
        LetheException metric = assertThrows(LetheException.class, () -> service.submit(spec("no-such-metric", List.of())));
        assertEquals(LetheException.INVALID_INPUT, metric.exitStatus());
        assertTrue(metric.getMessage().contains("unknown metric 'no-such-metric'") && metric.getMessage().contains("answer-loss"),
                metric.getMessage());
        LetheException probe = assertThrows(LetheException.class, () -> service.submit(spec("all", List.of("nope"))));
        assertTrue(probe.getMessage().contains("unknown probe 'nope'") && probe.getMessage().contains("ascent"),
                probe.getMessage());
        LetheException settings = assertThrows(LetheException.class, () -> service.submit(new RunSpec(RunSpec.Kind.EVALUATE,
                "all", "", Map.of("x", "1"), Optional.of(ModelRef.parse("tiny")), Map.of(), List.of(), 0, Optional.empty())));
        assertTrue(settings.getMessage().contains("takes one setting, 'intervention' (on or off), but got 'x'"),
                settings.getMessage());
        assertTrue(service.runs().isEmpty());
    }

    @Test
    void probesAreRefusedInUnlearningRuns() {
        LetheException e = assertThrows(LetheException.class, () -> service.submit(new RunSpec(RunSpec.Kind.UNLEARN, "x",
                "", Map.of(), Optional.of(ModelRef.parse("tiny")), Map.of(), List.of("ascent"), 0, Optional.empty())));
        assertTrue(e.getMessage().contains("probes run in evaluation runs"), e.getMessage());
    }
}

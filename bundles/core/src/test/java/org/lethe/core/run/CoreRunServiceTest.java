package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
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
 * The run service end to end outside OSGi: the real store, data service, settings validator and
 * tiny test model, with small methods written here.
 */
class CoreRunServiceTest {

    static final String VOCABULARY = "where was born ? alice bob carol dave paris oslo rice lima";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;

    private FileModelStore store;
    private CoreRunService service;
    private final Map<String, MethodDescriptor> descriptors = new HashMap<>();
    private Path forget;
    private Path retain;

    /** Gradient ascent on the forget answers, the method a dozen lines long. */
    @interface AscentConfig {
        int steps();

        float learningRate();
    }

    static final class Ascent implements UnlearningMethod {
        final AtomicInteger steps = new AtomicInteger();
        volatile CountDownLatch started = new CountDownLatch(1);

        @Override
        public void unlearn(Task task, RunContext run) {
            AscentConfig config = task.config(AscentConfig.class);
            LanguageModel lm = task.model(LanguageModel.class);
            RunContext.Batches<QaItem> forget = run.batches(task.qa(Task.FORGET).items(), 2);
            run.optimise(lm.model(), Optimizer.adam().optLearningRateTracker(Tracker.fixed(config.learningRate())).build(),
                    config.steps(), (step, scope) -> {
                        steps.incrementAndGet();
                        started.countDown();
                        List<QaItem> batch = forget.next();
                        QaBatch encoded = lm.encode(batch.stream().map(QaItem::question).toList(),
                                batch.stream().map(QaItem::answer).toList(), scope);
                        return lm.answerLoss(encoded, true).neg();
                    });
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        store = new FileModelStore(data.resolve("models"));
        TinyLmArchitecture architecture = new TinyLmArchitecture();
        Path weights = Files.createDirectories(data.resolve("initial"));
        try (LoadedModel model = architecture.create(Map.of("vocabulary", VOCABULARY), 7)) {
            model.save(weights);
            store.create("tiny", ModelKind.LANGUAGE, TinyLmArchitecture.NAME, model.config(), null, weights);
        }
        forget = Files.writeString(data.resolve("forget.jsonl"),
                "{\"question\":\"where was alice born ?\",\"answer\":\"paris\"}\n"
                        + "{\"question\":\"where was bob born ?\",\"answer\":\"oslo\"}\n");
        retain = Files.writeString(data.resolve("retain.jsonl"),
                "{\"question\":\"where was carol born ?\",\"answer\":\"rice\"}\n");
        service = newService();
    }

    private CoreRunService newService() {
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
        CoreRunService s = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry, data);
        s.engine(Engine.getEngine("PyTorch"));
        s.bindArchitecture(new TinyLmArchitecture(), Map.of(ServiceProperties.ARCHITECTURE, TinyLmArchitecture.NAME));
        return s;
    }

    @AfterEach
    void tearDown() {
        service.deactivate();
    }

    private void install(String name, UnlearningMethod method, String defaultSteps) {
        ConfigSchema schema = new ConfigSchema("test." + name, name, "", List.of(
                new ConfigSchema.Attribute("steps", "Integer", false, List.of(defaultSteps), "", Optional.of("1"),
                        Optional.empty(), List.of()),
                new ConfigSchema.Attribute("learningRate", "Float", false, List.of("0.01"), "", Optional.of("0"),
                        Optional.empty(), List.of())));
        descriptors.put(name, new MethodDescriptor(name, MethodDescriptor.Kind.UNLEARNING, "language", "test", List.of("forget"),
                "test.bundle", "1.0.0", Optional.of(schema)));
        service.bindUnlearning(method, Map.of(ServiceProperties.METHOD, name));
    }

    private RunSpec spec(String method, Map<String, String> config) {
        return new RunSpec(RunSpec.Kind.UNLEARN, method, "", config, Optional.of(ModelRef.parse("tiny")),
                Map.of("forget", new RunSpec.DataRef(forget.toString(), ""), "retain", new RunSpec.DataRef(retain.toString(), "")),
                List.of(), 3, Optional.empty());
    }

    private float forgetLoss(ModelRef ref) throws IOException {
        ModelManifest manifest = store.manifest(ref);
        try (var lease = store.lease(ref); LoadedModel model = new TinyLmArchitecture().load(manifest, lease.directory());
                NDManager scope = model.view(LanguageModel.class).orElseThrow().model().getNDManager().newSubManager()) {
            LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
            QaBatch batch = lm.encode(List.of("where was alice born ?", "where was bob born ?"), List.of("paris", "oslo"), scope);
            return lm.answerLoss(batch, false).getFloat();
        }
    }

    @Test
    void unlearningCommitsANewVersionAndLeavesTheBaseAlone() throws Exception {
        install("ascent", new Ascent(), "10");
        String baseHashes = store.manifest(ModelRef.parse("tiny:1")).files().toString();
        RunKey key = service.submit(spec("ascent", Map.of("learningRate", "0.05")));
        RunRecord record = service.await(key, WAIT);
        assertEquals(RunState.COMMITTED, record.state(), record.reason().orElse(""));
        ModelRef result = record.result().orElseThrow();
        assertEquals(new ModelRef("tiny", 2), result);
        ModelManifest manifest = store.manifest(result);
        assertEquals(Optional.of(new ModelRef("tiny", 1)), manifest.parent());
        assertEquals(Optional.of(key), manifest.producedBy());
        assertEquals(10, record.progress().step());
        assertTrue(forgetLoss(result) > forgetLoss(ModelRef.parse("tiny:1")) + 0.5f,
                "gradient ascent raised the forget loss: " + forgetLoss(ModelRef.parse("tiny:1")) + " → " + forgetLoss(result));
        assertEquals(baseHashes, store.manifest(ModelRef.parse("tiny:1")).files().toString(), "base version unchanged");

        // the same spec again is the same run: no second commit
        assertEquals(key, service.submit(spec("ascent", Map.of("learningRate", "0.05"))));
        assertEquals(2, store.versions("tiny").size());
        // the record is on disk, and a new service reads it back
        service.deactivate();
        service = newService();
        assertEquals(RunState.COMMITTED, service.record(key).orElseThrow().state());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsTouched() throws IOException {
        install("ascent", new Ascent(), "10");
        assertRefused(spec("nope", Map.of()), "unknown method 'nope'", "ascent");
        assertRefused(spec("ascent", Map.of("lr", "1")), "'lr'");
        assertRefused(spec("ascent", Map.of("learningRate", "NaN")), "'learningRate'", "finite");
        assertRefused(spec("ascent", Map.of("steps", "0")), "'steps'", "minimum");
        RunSpec badModel = new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("tiny:9")),
                spec("ascent", Map.of()).data(), List.of(), 0, Optional.empty());
        assertRefused(badModel, "tiny");
        Path empty = Files.writeString(data.resolve("empty.jsonl"), "");
        RunSpec emptyForget = new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("tiny")),
                Map.of("forget", new RunSpec.DataRef(empty.toString(), "")), List.of(), 0, Optional.empty());
        assertRefused(emptyForget, "empty.jsonl");
        RunSpec missingForget = new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("tiny")),
                Map.of("retain", new RunSpec.DataRef(retain.toString(), "")), List.of(), 0, Optional.empty());
        assertRefused(missingForget, "'forget'");
        RunSpec noFile = new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("tiny")),
                Map.of("forget", new RunSpec.DataRef(data.resolve("missing.jsonl").toString(), "")), List.of(), 0, Optional.empty());
        assertRefused(noFile, "missing.jsonl");
        assertEquals(1, store.versions("tiny").size(), "no version was made");
        assertTrue(service.runs().isEmpty(), "no run was recorded");
    }

    private void assertRefused(RunSpec spec, String... fragments) {
        LetheException e = assertThrows(LetheException.class, () -> service.submit(spec));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }

    @Test
    void cancellationStopsWithinOneStepAndCommitsNothing() throws Exception {
        Ascent ascent = new Ascent();
        install("ascent", ascent, "100000");
        RunKey key = service.submit(spec("ascent", Map.of()));
        assertTrue(ascent.started.await(60, TimeUnit.SECONDS));
        assertTrue(service.cancel(key, "user asked"));
        int atCancel = ascent.steps.get();
        RunRecord record = service.await(key, WAIT);
        assertEquals(RunState.CANCELLED, record.state());
        assertEquals(Optional.of("user asked"), record.reason());
        assertTrue(ascent.steps.get() <= atCancel + 1, "at most one further step: " + atCancel + " → " + ascent.steps.get());
        assertEquals(1, store.versions("tiny").size());
        assertFalse(service.cancel(key, "again"), "an ended run cannot be cancelled");
    }

    @Test
    void aTimeBudgetFailsTheRunAsTimedOut() throws Exception {
        install("ascent", new Ascent(), "100000");
        RunSpec base = spec("ascent", Map.of());
        RunSpec budgeted = new RunSpec(base.kind(), base.component(), base.componentVersion(), base.config(), base.model(),
                base.data(), base.probes(), base.seed(), Optional.of(Duration.ofMillis(300)));
        RunRecord record = service.await(service.submit(budgeted), WAIT);
        assertEquals(RunState.FAILED, record.state());
        assertTrue(record.reason().orElseThrow().startsWith("timed out"), record.reason().toString());
        assertEquals(1, store.versions("tiny").size());
    }

    @Test
    void aThrowingMethodFailsTheRunWithItsMessage() throws Exception {
        install("broken", (task, run) -> {
            throw new IllegalStateException("broken on purpose");
        }, "1");
        RunRecord record = service.await(service.submit(spec("broken", Map.of())), WAIT);
        assertEquals(RunState.FAILED, record.state());
        assertTrue(record.reason().orElseThrow().contains("broken on purpose"), record.reason().toString());
        assertEquals(1, store.versions("tiny").size());
    }

    @Test
    void aMethodRefusingItsInputFailsTheRunAsInvalidInput() throws Exception {
        install("picky", (task, run) -> {
            throw LetheException.invalidInput("picky: the model does not know the concept 'vermilion'");
        }, "1");
        RunRecord record = service.await(service.submit(spec("picky", Map.of())), WAIT);
        assertEquals(RunState.FAILED, record.state());
        assertEquals(Optional.of(RunRecord.INVALID_INPUT + "picky: the model does not know the concept 'vermilion'"),
                record.reason());
        assertTrue(record.invalidInput());
        install("broken", (task, run) -> {
            throw LetheException.failed("out of memory", null);
        }, "1");
        RunRecord broken = service.await(service.submit(spec("broken", Map.of())), WAIT);
        assertFalse(broken.invalidInput(), broken.reason().toString());
        assertEquals(1, store.versions("tiny").size());
    }

    @Test
    void aRunsNotesAreKeptInOrderBesideItsRecord() throws Exception {
        install("noting", (task, run) -> {
            run.note("the closed-form system was singular; regularised with λ 1e-3");
            run.note("second\nline");
        }, "1");
        RunKey key = service.submit(spec("noting", Map.of()));
        RunRecord record = service.await(key, WAIT);
        assertEquals(RunState.COMMITTED, record.state(), record.reason().toString());
        assertEquals(List.of("the closed-form system was singular; regularised with λ 1e-3", "second line"),
                service.notes(key));
        assertEquals(List.of(), service.notes(new RunKey("00000000000000ff")));
        install("silent", (task, run) -> { }, "1");
        RunKey silent = service.submit(spec("silent", Map.of()));
        service.await(silent, WAIT);
        assertEquals(List.of(), service.notes(silent));
    }

    @Test
    void aDivergingLossFailsTheRun() throws Exception {
        install("diverging", (task, run) -> {
            LanguageModel lm = task.model(LanguageModel.class);
            run.optimise(lm.model(), Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build(), 3,
                    (step, scope) -> {
                        QaBatch batch = lm.encode(List.of("where was alice born ?"), List.of("paris"), scope);
                        NDArray loss = lm.answerLoss(batch, true);
                        return loss.div(0f); // +∞
                    });
        }, "1");
        RunRecord record = service.await(service.submit(spec("diverging", Map.of())), WAIT);
        assertEquals(RunState.FAILED, record.state());
        assertTrue(record.reason().orElseThrow().contains("diverged"), record.reason().toString());
    }

    @Test
    void aWithdrawnMethodCancelsItsRun() throws Exception {
        Ascent ascent = new Ascent();
        install("ascent", ascent, "100000");
        RunKey key = service.submit(spec("ascent", Map.of()));
        assertTrue(ascent.started.await(60, TimeUnit.SECONDS));
        service.unbindUnlearning(ascent, Map.of(ServiceProperties.METHOD, "ascent"));
        RunRecord record = service.await(key, WAIT);
        assertEquals(RunState.CANCELLED, record.state());
        assertEquals(Optional.of("method withdrawn"), record.reason());
    }

    @Test
    void trainingAWorldCommitsItsModelsAsNewRoots() throws Exception {
        org.lethe.api.world.World world = new org.lethe.api.world.World() {
            @Override
            public List<String> splits() {
                return List.of("train");
            }

            @Override
            public List<String> models() {
                return List.of("toy-lm");
            }

            @Override
            public List<TrainedModel> train(Path corpus, Path output, RunContext run) throws Exception {
                try (LoadedModel model = new TinyLmArchitecture().create(Map.of("vocabulary", VOCABULARY), run.seed())) {
                    LanguageModel lm = model.view(LanguageModel.class).orElseThrow();
                    run.optimise(lm.model(), Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build(), 30,
                            (step, scope) -> lm.answerLoss(lm.encode(List.of("where was alice born ?"), List.of("paris"), scope), true));
                    Files.createDirectories(output.resolve("data"));
                    Files.copy(forget, output.resolve("data").resolve("forget.jsonl"));
                    Path files = Files.createDirectories(output.resolve("toy-lm"));
                    model.save(files);
                    return List.of(new TrainedModel("toy-lm", TinyLmArchitecture.NAME, model.config(), files));
                }
            }
        };
        service.bindWorld(world, new FakeReference<>(Map.of(ServiceProperties.WORLD, "toy")));
        RunSpec spec = new RunSpec(RunSpec.Kind.TRAIN, "toy", "", Map.of(), Optional.empty(), Map.of(), List.of(), 5,
                Optional.empty());
        RunKey key = service.submit(spec);
        RunRecord record = service.await(key, WAIT);
        assertEquals(RunState.COMMITTED, record.state(), record.reason().orElse(""));
        assertEquals(new ModelRef("toy-lm", 1), record.result().orElseThrow());
        ModelManifest manifest = store.manifest(ModelRef.parse("toy-lm"));
        assertEquals(Optional.of(key), manifest.producedBy());
        assertEquals(Optional.empty(), manifest.parent());
        // cached: the same spec is the same run, nothing trains again
        assertEquals(key, service.submit(spec));
        assertEquals(1, store.versions("toy-lm").size());
        // a split of the world that trained the model stands for a file
        install("ascent", new Ascent(), "2");
        RunSpec bySplit = new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("toy-lm")),
                Map.of("forget", new RunSpec.DataRef("forget", "")), List.of(), 1, Optional.empty());
        RunSpec planned = service.plan(bySplit);
        assertTrue(planned.data().get("forget").source().endsWith("worlds/toy/" + key.value() + "/data/forget.jsonl"),
                planned.data().get("forget").source());
        RunSpec explicit = new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("toy-lm")),
                Map.of("forget", new RunSpec.DataRef("world:toy/forget", "")), List.of(), 1, Optional.empty());
        RunSpec.DataRef named = service.plan(explicit).data().get("forget");
        assertEquals("world:toy/forget", named.source(), "a world split keeps its name: the run does not depend on the folder");
        assertEquals(planned.data().get("forget").fingerprint(), named.fingerprint());
        assertRefused(new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("toy-lm")),
                Map.of("forget", new RunSpec.DataRef("forget99", "")), List.of(), 1, Optional.empty()), "no split 'forget99'");
        assertRefused(new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "", Map.of(), Optional.of(ModelRef.parse("tiny")),
                Map.of("forget", new RunSpec.DataRef("forget", "")), List.of(), 1, Optional.empty()), "not trained by a world");
        assertRefused(new RunSpec(RunSpec.Kind.TRAIN, "nowhere", "", Map.of(), Optional.empty(), Map.of(), List.of(), 5,
                Optional.empty()), "unknown world 'nowhere'", "toy");
        assertRefused(new RunSpec(RunSpec.Kind.TRAIN, "toy", "", Map.of(), Optional.empty(),
                Map.of("corpus", new RunSpec.DataRef(data.resolve("no-such-folder").toString(), "")), List.of(), 5,
                Optional.empty()), "no-such-folder");
    }

    /** A service reference with properties and no bundle, for binding outside OSGi. */
    private static final class FakeReference<S> implements org.osgi.framework.ServiceReference<S> {
        private final Map<String, Object> props;

        FakeReference(Map<String, Object> props) {
            this.props = props;
        }

        @Override
        public Object getProperty(String key) {
            return props.get(key);
        }

        @Override
        public String[] getPropertyKeys() {
            return props.keySet().toArray(new String[0]);
        }

        @Override
        public org.osgi.framework.Bundle getBundle() {
            return null;
        }

        @Override
        public org.osgi.framework.Bundle[] getUsingBundles() {
            return null;
        }

        @Override
        public boolean isAssignableTo(org.osgi.framework.Bundle bundle, String className) {
            return true;
        }

        @Override
        public int compareTo(Object reference) {
            return 0;
        }

        @Override
        public java.util.Dictionary<String, Object> getProperties() {
            return new java.util.Hashtable<>(props);
        }

        @Override
        public <A> A adapt(Class<A> type) {
            return null;
        }
    }

    @Test
    void aRunInterruptedByACrashIsFailedOnRestart() throws Exception {
        Ascent ascent = new Ascent();
        install("ascent", ascent, "100000");
        RunKey key = service.submit(spec("ascent", Map.of()));
        assertTrue(ascent.started.await(60, TimeUnit.SECONDS));
        // what a crash leaves: the record on disk says RUNNING; a new service reads the folder
        RunRecords disk = new RunRecords(data.resolve("runs"));
        assertEquals(RunState.RUNNING, service.record(key).orElseThrow().state());
        CoreRunService restarted = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(),
                new MethodRegistry() {
                    @Override
                    public List<MethodDescriptor> methods() {
                        return List.of();
                    }

                    @Override
                    public Optional<MethodDescriptor> method(String name) {
                        return Optional.empty();
                    }
                }, data);
        try {
            RunRecord recovered = restarted.record(key).orElseThrow();
            assertEquals(RunState.FAILED, recovered.state());
            assertTrue(recovered.reason().orElseThrow().startsWith("interrupted"), recovered.reason().toString());
            assertTrue(disk.recover().stream().allMatch(r -> r.state().isTerminal()));
        } finally {
            restarted.deactivate();
            service.cancel(key, "test over");
        }
    }
}

package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.run.CoreRunService;
import org.lethe.core.store.FileModelStore;
import org.lethe.method.flat.Flat;
import org.lethe.method.gradientascent.GradDiff;
import org.lethe.method.gradientascent.GradientAscent;
import org.lethe.method.iau.Iau;
import org.lethe.models.transformer.FactsTraining;
import org.lethe.models.transformer.WordTransformerArchitecture;
import org.lethe.models.transformer.WordTransformerModel;
import org.lethe.worlds.facts.FactsCorpusWriter;
import org.lethe.worlds.facts.FactsGenerator;
import org.lethe.worlds.facts.FactsWorld;
import org.lethe.worlds.facts.FactsWorldService;

/**
 * The facts world, its two trained models and the run service, embedded in the test JVM once and
 * shared by every behavioural test (JUnit runs the classes one after another in this JVM).
 *
 * <p>What it sets up:
 * <ul>
 * <li>the facts world of seed 0 ({@link FactsGenerator}), written out as JSONL in the corpus
 *     contract, so that runs read their data through the framework's data service;</li>
 * <li>{@value #BASE} trained on the whole world and {@code facts-lm-gold-forget10} trained without
 *     forget10, both with the world's recipe (AdamW 3e-3, batch 64, 40 epochs: methods-llm.md §3.2),
 *     taken from {@link TrainedModelCache} under {@code target/facts-models/} (trained on the first
 *     build only), and committed as root versions into a fresh {@link FileModelStore};</li>
 * <li>a {@link CoreRunService} over that store with the real data service and settings validator,
 *     the {@code word-transformer} architecture, and the four methods of the three method bundles,
 *     each described by its own bundle ({@link MethodBundle});</li>
 * <li>{@link #run} (submit a run, wait, check it committed and that the base version is untouched)
 *     and {@link #evaluate} (the §3.3 measures of a version, cached per version).</li>
 * </ul>
 * Everything goes under {@code target/}: {@code behaviour-data/} (store, runs, corpus) is made
 * afresh per JVM; {@code facts-models/} is the training cache; {@code behaviour-measurements.md}
 * lists every bound with its research value and the value measured.
 */
public final class FactsFixture {

    /** The seed of the world and of every run. */
    public static final long SEED = 0;
    /** The forget split the research bounds were measured on (methods-llm.md §3.5). */
    public static final String FORGET = "forget10";
    /** Its retain split: every other trained item, world facts excluded. */
    public static final String RETAIN = "retain90";
    /** The utility split: country → capital facts. */
    public static final String WORLD = FactsWorld.WORLD;
    /** The base model's id. */
    public static final String BASE = FactsWorldService.BASE_MODEL;
    /** How long a run may take before a test gives up on it. */
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    private static FactsFixture instance;

    private final Path target;
    private final FactsWorld world;
    private final Path corpus;
    private final FileModelStore store;
    private final CoreRunService service;
    private final WordTransformerArchitecture architecture = new WordTransformerArchitecture();
    private final Map<String, MethodBundle> methods = new LinkedHashMap<>();
    private final TrainedModelCache.Entry baseEntry;
    private final TrainedModelCache.Entry goldEntry;
    private final ModelRef base;
    private final ModelRef gold;
    private final Map<String, String> baseFiles;
    private final Map<ModelRef, Evaluation> evaluations = new ConcurrentHashMap<>();
    private final Path measurements;
    private final long startNanos = System.nanoTime();
    private final Duration setupTime;

    /** @return the fixture of this JVM, set up on first use */
    public static synchronized FactsFixture get() {
        if (instance == null) {
            instance = new FactsFixture();
            Runtime.getRuntime().addShutdownHook(new Thread(instance.service::deactivate, "behaviour-fixture-stop"));
        }
        return instance;
    }

    private FactsFixture() {
        target = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
        world = FactsGenerator.generate(SEED);
        // the architecture's settings as the facts world service makes them
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", String.join(" ", world.vocabulary()));
        settings.put("maxLength", Integer.toString(Math.max(16, world.maxSequenceTokens() + 2)));
        String worldFingerprint = Hashing.sha256().hashString(new TreeMap<>(world.fingerprints()).toString(),
                StandardCharsets.UTF_8).toString();
        TrainedModelCache cache = new TrainedModelCache(target.resolve("facts-models"));
        FactsTraining.Settings recipe = FactsTraining.Settings.DEFAULTS.withSeed(SEED);
        baseEntry = cache.get(BASE, world.baseTraining(), settings, recipe, SEED, worldFingerprint);
        goldEntry = cache.get(FactsWorldService.goldModel(FORGET, 0), world.goldTraining(FORGET), settings, recipe, SEED,
                worldFingerprint);
        try {
            Path data = target.resolve("behaviour-data");
            deleteTree(data);
            Files.createDirectories(data);
            measurements = target.resolve("behaviour-measurements.md");
            Files.writeString(measurements, "# Behavioural bounds: research value, bound, value measured in Lethe\n\n"
                    + "| test | bound | research (methods-llm.md §3.5/§3.6) | measured | holds |\n|---|---|---|---|---|\n");
            corpus = data.resolve("corpus");
            FactsCorpusWriter.write(world, corpus);
            store = new FileModelStore(data.resolve("models"));
            base = store.create(BASE, ModelKind.LANGUAGE, WordTransformerArchitecture.NAME, baseEntry.config(), null,
                    baseEntry.folder()).ref();
            gold = store.create(goldEntry.name(), ModelKind.LANGUAGE, WordTransformerArchitecture.NAME, goldEntry.config(),
                    null, goldEntry.folder()).ref();
            baseFiles = store.manifest(base).files();
            for (Class<?> type : List.of(GradientAscent.class, GradDiff.class, Flat.class, Iau.class)) {
                MethodBundle bundle = MethodBundle.of(type);
                methods.put(bundle.name(), bundle);
            }
            service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry(), data);
            service.engine(Engine.getEngine("PyTorch"));
            service.bindArchitecture(architecture, Map.of(ServiceProperties.ARCHITECTURE, WordTransformerArchitecture.NAME));
            for (MethodBundle bundle : methods.values()) {
                UnlearningMethod method = (UnlearningMethod) bundle.implementation().getConstructor().newInstance();
                service.bindUnlearning(method, Map.of(ServiceProperties.METHOD, bundle.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        setupTime = Duration.ofNanos(System.nanoTime() - startNanos);
        System.out.printf("[behaviour] fixture ready in %.1f s: %s %s (%d steps, %.1f s, last epoch loss %.4f), %s %s"
                + " (%d steps, %.1f s, last epoch loss %.4f)%n", setupTime.toMillis() / 1000.0,
                baseEntry.name(), baseEntry.trainedNow() ? "trained" : "from the cache", baseEntry.steps(),
                baseEntry.trainingTime().toMillis() / 1000.0, baseEntry.lastEpochLoss(), goldEntry.name(),
                goldEntry.trainedNow() ? "trained" : "from the cache", goldEntry.steps(),
                goldEntry.trainingTime().toMillis() / 1000.0, goldEntry.lastEpochLoss());
    }

    private MethodRegistry registry() {
        return new MethodRegistry() {
            @Override
            public List<MethodDescriptor> methods() {
                return methods.values().stream().map(MethodBundle::descriptor).toList();
            }

            @Override
            public Optional<MethodDescriptor> method(String name) {
                return Optional.ofNullable(methods.get(name)).map(MethodBundle::descriptor);
            }
        };
    }

    /** @return the world */
    public FactsWorld world() {
        return world;
    }

    /** @return the store the models and the runs' results are in */
    public FileModelStore store() {
        return store;
    }

    /** @return the embedded run service */
    public CoreRunService service() {
        return service;
    }

    /** @return the base model's version ({@value #BASE}:1) */
    public ModelRef base() {
        return base;
    }

    /** @return the forget10 gold model's version */
    public ModelRef gold() {
        return gold;
    }

    /** @return the cache entries of the base and gold models (how they were trained, whether just now) */
    public List<TrainedModelCache.Entry> trained() {
        return List.of(baseEntry, goldEntry);
    }

    /**
     * @param name a method's name
     * @return the method as its bundle describes it
     */
    public MethodBundle method(String name) {
        return Optional.ofNullable(methods.get(name)).orElseThrow(() -> new IllegalArgumentException(name));
    }

    /** @return every method the fixture installed */
    public List<MethodBundle> methods() {
        return List.copyOf(methods.values());
    }

    /**
     * @param split a split of the world
     * @return its JSONL file in the corpus folder
     */
    public Path splitFile(String split) {
        Path file = corpus.resolve(split + ".jsonl");
        assertTrue(Files.isRegularFile(file), "no file for split " + split);
        return file;
    }

    /**
     * A spec for a run of a method on the base model, seed {@value #SEED}.
     *
     * @param method the method's name
     * @param settings its settings ({@code --set})
     * @param data data role → split of the world
     * @return the spec
     */
    public RunSpec spec(String method, Map<String, String> settings, Map<String, String> data) {
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        data.forEach((role, split) -> refs.put(role, new RunSpec.DataRef(splitFile(split).toString(), "")));
        return new RunSpec(RunSpec.Kind.UNLEARN, method, "", settings, Optional.of(base), refs, List.of(), SEED,
                Optional.empty());
    }

    /**
     * Runs a method on the base model through the run service and waits for it; asserts that it
     * committed a new version whose parent is the base, and that the base version is untouched.
     *
     * @param method the method's name
     * @param settings its settings
     * @param data data role → split of the world
     * @return what the run did
     */
    public Run run(String method, Map<String, String> settings, Map<String, String> data) {
        long start = System.nanoTime();
        RunRecord record;
        try {
            RunKey key = service.submit(spec(method, settings, data));
            record = service.await(key, RUN_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(RunState.COMMITTED, record.state(), method + " " + settings + ": " + record.reason().orElse(""));
        ModelRef result = record.result().orElseThrow();
        assertEquals(Optional.of(base), store.manifest(result).parent(), "the new version's parent is the base");
        assertBaseUntouched();
        System.out.printf("[behaviour] %s %s → %s in %d ms%n", method, settings, result, wall.toMillis());
        return new Run(record, result, wall);
    }

    /**
     * What a run did.
     *
     * @param record its final record
     * @param result the version it committed
     * @param wallTime submit to end
     */
    public record Run(RunRecord record, ModelRef result, Duration wallTime) {
    }

    /**
     * The base version is as it was committed: the same files with the same SHA-256 in its
     * manifest, and it still leases (a lease verifies every file against the manifest), its weights
     * hashing to the recorded value.
     */
    public void assertBaseUntouched() {
        ModelManifest manifest = store.manifest(base);
        assertEquals(baseFiles, manifest.files(), "the base version's manifest (files and checksums) is unchanged");
        try (ModelLease lease = store.lease(base)) {
            for (Map.Entry<String, String> file : baseFiles.entrySet()) {
                String sha = com.google.common.io.Files.asByteSource(lease.directory().resolve(file.getKey()).toFile())
                        .hash(Hashing.sha256()).toString();
                assertEquals(file.getValue(), sha, "the base version's " + file.getKey() + " is unchanged");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads a committed version into memory (through a lease, which verifies its checksums).
     *
     * @param ref the version
     * @return the model; the caller closes it
     */
    public WordTransformerModel load(ModelRef ref) {
        ModelManifest manifest = store.manifest(ref);
        try (ModelLease lease = store.lease(ref)) {
            LoadedModel model = architecture.load(manifest, lease.directory());
            return (WordTransformerModel) model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The measures of a version on forget10, retain90, the world facts, and the template answer on
     * forget10's questions; computed once per version (versions never change).
     *
     * @param ref the version
     * @return its evaluation
     */
    public Evaluation evaluate(ModelRef ref) {
        return evaluations.computeIfAbsent(ref, r -> {
            inferenceOnly();
            try (WordTransformerModel lm = load(r)) {
                List<QaItem> forget = world.split(FORGET);
                String template = world.templateAnswers().get(0);
                return new Evaluation(Metrics.gold(lm, forget), Metrics.gold(lm, world.split(RETAIN)),
                        Metrics.gold(lm, world.split(WORLD)), Metrics.against(lm, forget, template));
            }
        });
    }

    /**
     * Scores a version on some items.
     *
     * @param ref the version
     * @param items the items
     * @return their scores against the gold answers
     */
    public Metrics.Scores score(ModelRef ref, List<QaItem> items) {
        inferenceOnly();
        try (WordTransformerModel lm = load(ref)) {
            return Metrics.gold(lm, items);
        }
    }

    /** PyTorch's autograd mode is per thread and on by default: evaluation records no graph. */
    private static void inferenceOnly() {
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    /**
     * A version's measures.
     *
     * @param forget forget10 against the gold answers
     * @param retain retain90 against the gold answers
     * @param world the world facts against the gold answers
     * @param template forget10's questions against the template answer ({@code unknown})
     */
    public record Evaluation(Metrics.Scores forget, Metrics.Scores retain, Metrics.Scores world, Metrics.Scores template) {

        @Override
        public String toString() {
            return String.format("forget EM %.3f, retain EM %.3f, world EM %.3f, forget NLL %.3f, forget p %.4f,"
                    + " template p %.4f", forget.exactMatch(), retain.exactMatch(), world.exactMatch(), forget.meanNll(),
                    forget.meanProbability(), template.meanProbability());
        }
    }

    /**
     * Records a bound: printed, and added to {@code target/behaviour-measurements.md}.
     *
     * @param test the test
     * @param bound the bound asserted
     * @param research the research value it derives from
     * @param measured the value measured here
     * @param holds whether the bound holds
     */
    public synchronized void record(String test, String bound, String research, String measured, boolean holds) {
        String line = "| " + cell(test) + " | " + cell(bound) + " | " + cell(research) + " | " + cell(measured) + " | "
                + (holds ? "yes" : "NO") + " |\n";
        System.out.print("[behaviour] " + line);
        try {
            Files.writeString(measurements, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    /** @return how long the fixture took to set up (training included on a first build) */
    public Duration setupTime() {
        return setupTime;
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            List<Path> all = new ArrayList<>(paths.toList());
            all.sort(Comparator.reverseOrder());
            for (Path p : all) {
                Files.delete(p);
            }
        }
    }
}

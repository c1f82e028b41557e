package org.lethe.itests.behaviour.shapes;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.Concept;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.Probe;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.run.CoreRunService;
import org.lethe.core.store.FileModelStore;
import org.lethe.evaluation.texttoimage.ErasureAccuracyMetric;
import org.lethe.evaluation.texttoimage.ErasureHarmonicGeneralityMetric;
import org.lethe.evaluation.texttoimage.ErasureHarmonicMetric;
import org.lethe.evaluation.texttoimage.ErasureSampling;
import org.lethe.evaluation.texttoimage.FeatureFrechetMetric;
import org.lethe.evaluation.texttoimage.GeneralityAccuracyMetric;
import org.lethe.evaluation.texttoimage.LayoutIouMetric;
import org.lethe.evaluation.texttoimage.LayoutPositionErrorMetric;
import org.lethe.evaluation.texttoimage.NoObjectRateMetric;
import org.lethe.evaluation.texttoimage.PreservationAccuracyMetric;
import org.lethe.itests.behaviour.ComponentProperties;
import org.lethe.itests.behaviour.InstalledMethods;
import org.lethe.itests.behaviour.MethodBundle;
import org.lethe.itests.behaviour.WorldReference;
import org.lethe.method.esd.Esd;
import org.lethe.models.classifier.ConceptClassifierArchitecture;
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.report.compare.ComparisonRunner;
import org.lethe.worlds.shapes.ShapesPrompt;
import org.osgi.util.converter.Converters;

/**
 * The text-to-image erasure stack in one folder, outside OSGi: a fresh {@link FileModelStore} holding
 * the committed shapes fixtures as {@value ShapesFixtures#GENERATOR} and {@value ShapesFixtures#CLASSIFIER}
 * (imported as {@code unlearn:import} would), the core's {@link CoreRunService} with the text-to-image
 * and classifier architectures, the ESD method read from its own bundle jar ({@link MethodBundle}),
 * and every text-to-image erasure metric of the evaluation bundle over one shared
 * {@link ErasureSampling} with its default settings (DDIM 25, CFG 4, the store's {@code shapes-clf}),
 * each bound with the properties of its own component description. Erasures and evaluations go
 * through the run service exactly as {@code unlearn:erase} and {@code unlearn:evaluate} submit them.
 *
 * <p>For comparisons ({@code unlearn:compare --world shapes}) it also binds the {@code shapes} world
 * with the fixtures standing in for its training ({@link #bindFixtureWorld}), builds the comparison
 * harness over the same services ({@link #comparisonRunner}), and installs unlearning methods beside
 * ESD when a test needs them ({@link #addUnlearning}).
 */
public final class ShapesErasureStack implements AutoCloseable {

    /** The longest an erasure or evaluation run may take here before the test fails. */
    public static final Duration WAIT = Duration.ofMinutes(5);

    /** The evaluation bundle's text-to-image metric services. */
    static final List<Class<? extends Metric>> METRICS = List.of(ErasureAccuracyMetric.class,
            ErasureHarmonicMetric.class, ErasureHarmonicGeneralityMetric.class, FeatureFrechetMetric.class,
            GeneralityAccuracyMetric.class, LayoutIouMetric.class, LayoutPositionErrorMetric.class,
            NoObjectRateMetric.class, PreservationAccuracyMetric.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;
    private final FileModelStore store;
    private final CoreRunService service;
    private final ModelRef generator;
    private final ModelRef classifier;
    private final ErasureSampling sampling;
    private final InstalledMethods registry = new InstalledMethods();

    /**
     * Builds the stack and imports the fixtures.
     *
     * @param folder a folder of its own (emptied first)
     */
    public ShapesErasureStack(Path folder) {
        this.folder = folder;
        try {
            deleteTree(folder);
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store = new FileModelStore(folder.resolve("models"));
        generator = ShapesFixtures.importInto(store, ShapesFixtures.GENERATOR, ShapesFixtures.GENERATOR);
        classifier = ShapesFixtures.importInto(store, ShapesFixtures.CLASSIFIER, ShapesFixtures.CLASSIFIER);
        service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry, folder);
        service.engine(Engine.getEngine("PyTorch"));
        service.bindArchitecture(new TextToImageArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, TextToImageArchitecture.NAME));
        service.bindArchitecture(new ConceptClassifierArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, ConceptClassifierArchitecture.NAME));
        registry.install(Esd.class, service);
        sampling = new ErasureSampling(store,
                Converters.standardConverter().convert(Map.of()).to(ErasureSampling.Config.class));
        sampling.bindArchitecture(new ConceptClassifierArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, ConceptClassifierArchitecture.NAME));
        try {
            for (Class<? extends Metric> type : METRICS) {
                service.bindMetric(type.getConstructor(ErasureSampling.class).newInstance(sampling),
                        ComponentProperties.of(type));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the model store */
    public FileModelStore store() {
        return store;
    }

    /** @return the run service */
    public CoreRunService service() {
        return service;
    }

    /** @return the installed methods (ESD, and those added by {@link #addUnlearning}), as the registry publishes them */
    public MethodRegistry registry() {
        return registry;
    }

    /**
     * Installs an unlearning method read from its bundle jar ({@link MethodBundle}), beside ESD: in the
     * registry and bound to the run service with its {@code lethe.method} name.
     *
     * @param type the method's component class (a public no-argument constructor)
     * @return its name
     */
    public String addUnlearning(Class<? extends UnlearningMethod> type) {
        return registry.install(type, service);
    }

    /**
     * Installs an erasure method read from its bundle jar ({@link MethodBundle}), beside ESD: in the
     * registry and bound to the run service with its {@code lethe.method} name.
     *
     * @param type the method's component class (a public no-argument constructor)
     * @return its name
     */
    public String addErasure(Class<? extends ErasureMethod> type) {
        return registry.install(type, service);
    }

    /**
     * Binds a probe service of the evaluation bundle with the properties of its component description.
     *
     * @param probe the probe
     */
    public void bindProbe(Probe probe) {
        service.bindProbe(probe, ComponentProperties.of(probe.getClass()));
    }

    /**
     * Binds the {@value FixtureShapesWorld#NAME} world with the committed fixtures standing in for its
     * training ({@link FixtureShapesWorld}), as the worlds bundle registers the real one; its TRAIN
     * run (seed {@value ShapesFixtures#WORLD_SEED}) writes the world's data under
     * {@code <folder>/worlds/shapes/<run key>/data} and commits the fixtures as root versions it
     * produced (versions after the ones imported here).
     */
    public void bindFixtureWorld() {
        service.bindWorld(new FixtureShapesWorld(), new WorldReference(FixtureShapesWorld.NAME));
    }

    /**
     * The comparison harness over this stack, as the report bundle's component would be wired in the
     * container: this run service (runs and evaluations), store and registry, this folder as the data
     * folder, the PyTorch engine, and the text-to-image and classifier architectures (the gallery loads
     * the versions it samples with them).
     *
     * @param clock the clock of the report's time field
     * @return the harness
     */
    public ComparisonRunner comparisonRunner(Clock clock) {
        ComparisonRunner runner = new ComparisonRunner(service, service, store, registry, null, folder, clock);
        runner.engine(Engine.getEngine("PyTorch"));
        runner.bindArchitecture(new TextToImageArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, TextToImageArchitecture.NAME));
        runner.bindArchitecture(new ConceptClassifierArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, ConceptClassifierArchitecture.NAME));
        return runner;
    }

    /** @return the classifier and sampler the metrics share (a probe of the evaluation bundle takes it too) */
    public ErasureSampling sampling() {
        return sampling;
    }

    /** @return the folder the stack works in */
    public Path folder() {
        return folder;
    }

    /** @return the imported generator, version 1 of {@value ShapesFixtures#GENERATOR} */
    public ModelRef generator() {
        return generator;
    }

    /** @return the imported classifier, version 1 of {@value ShapesFixtures#CLASSIFIER} */
    public ModelRef classifier() {
        return classifier;
    }

    /**
     * Submits an ESD erasure of the generator and waits for its end.
     *
     * @param settings ESD's settings ({@code --set key=value}), as strings
     * @param concepts the concepts file (the {@value Task#ERASE} role)
     * @param seed the run's seed
     * @return the run's final record
     * @throws InterruptedException when interrupted while waiting
     */
    public RunRecord erase(Map<String, String> settings, Path concepts, long seed) throws InterruptedException {
        return erase("esd", settings, Map.of(Task.ERASE, concepts), seed);
    }

    /**
     * Submits an erasure of the generator by any installed erasure method and waits for its end.
     *
     * @param method the method's name ({@code esd}, or one added by {@link #addErasure})
     * @param settings its settings ({@code --set key=value}), as strings
     * @param data its data by role (files): {@value Task#ERASE}, and {@value Task#KEEP} where it reads one
     * @param seed the run's seed
     * @return the run's final record
     * @throws InterruptedException when interrupted while waiting
     */
    public RunRecord erase(String method, Map<String, String> settings, Map<String, Path> data, long seed)
            throws InterruptedException {
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        data.forEach((role, file) -> refs.put(role, new RunSpec.DataRef(file.toString(), "")));
        RunKey key = service.submit(new RunSpec(RunSpec.Kind.ERASE, method, "", settings, Optional.of(generator), refs,
                List.of(), seed, Optional.empty()));
        return service.await(key, WAIT);
    }

    /**
     * Evaluates a generator version with some metrics and waits for the result.
     *
     * @param model the version
     * @param metrics the metrics' names, comma-separated
     * @param data the data by role (files)
     * @return the evaluation
     * @throws InterruptedException when interrupted while waiting
     * @throws IllegalStateException when the run did not commit
     */
    public Evaluation evaluate(ModelRef model, String metrics, Map<String, Path> data) throws InterruptedException {
        return evaluate(model, metrics, List.of(), data, 0);
    }

    /**
     * Evaluates a generator version with some metrics and probes (bound with {@link #bindProbe}).
     *
     * @param model the version
     * @param metrics the metrics' names, comma-separated
     * @param probes the probes' names
     * @param data the data by role (files)
     * @param seed the run's seed (the probes' randomness)
     * @return the evaluation
     * @throws InterruptedException when interrupted while waiting
     * @throws IllegalStateException when the run did not commit
     */
    public Evaluation evaluate(ModelRef model, String metrics, List<String> probes, Map<String, Path> data, long seed)
            throws InterruptedException {
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        data.forEach((role, file) -> refs.put(role, new RunSpec.DataRef(file.toString(), "")));
        RunKey key = service.submit(new RunSpec(RunSpec.Kind.EVALUATE, metrics, "", Map.of(), Optional.of(model), refs,
                probes, seed, Optional.empty()));
        RunRecord record = service.await(key, WAIT);
        if (record.state() != RunState.COMMITTED) {
            throw new IllegalStateException("the evaluation of " + model + " ended " + record.state() + ": "
                    + record.reason().orElse(""));
        }
        return service.evaluation(key).orElseThrow();
    }

    /**
     * Writes a concepts file (docs/data.md "Concepts").
     *
     * @param file the file
     * @param concepts the concepts
     * @return the file
     */
    public static Path writeConcepts(Path file, List<Concept> concepts) {
        StringBuilder out = new StringBuilder();
        for (Concept c : concepts) {
            ObjectNode line = JSON.createObjectNode().put("name", c.name());
            c.attribute().ifPresent(a -> line.put("attribute", a));
            c.aliases().forEach(line.putArray("aliases")::add);
            if (c.aliases().isEmpty()) {
                line.remove("aliases");
            }
            out.append(line).append('\n');
        }
        return write(file, out.toString());
    }

    /**
     * Writes a prompt file (docs/data.md "Prompts") from shapes-world prompts, each with its text,
     * its seed and only its <em>colour</em> label: the metrics judge only the labels a prompt has, and
     * the tiny fixture draws colour, not shape (README beside the fixtures).
     *
     * Ids are the row numbers ({@code p0}, {@code p1}, ...), since rows of different world splits
     * share ids.
     *
     * @param file the file
     * @param prompts the prompts
     * @return the file
     */
    public static Path writeColourPrompts(Path file, List<ShapesPrompt> prompts) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < prompts.size(); i++) {
            ShapesPrompt p = prompts.get(i);
            ObjectNode line = JSON.createObjectNode().put("id", "p" + i).put("prompt", p.text());
            line.putObject("labels").put("colour", p.colour());
            line.put("seed", p.seed().orElseThrow(() -> new IllegalArgumentException(p.id() + " has no seed")));
            out.append(line).append('\n');
        }
        return write(file, out.toString());
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        service.deactivate();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

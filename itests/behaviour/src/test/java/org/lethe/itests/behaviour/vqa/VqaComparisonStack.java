package org.lethe.itests.behaviour.vqa;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.Probe;
import org.lethe.api.model.Intervention;
import org.lethe.api.world.World;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.run.CoreRunService;
import org.lethe.core.store.FileModelStore;
import org.lethe.evaluation.vision.ConceptAnswerRateMetric;
import org.lethe.evaluation.vision.UnlearningQualityMetric;
import org.lethe.evaluation.vision.VqaAccuracyMetric;
import org.lethe.itests.behaviour.ComponentProperties;
import org.lethe.itests.behaviour.InstalledMethods;
import org.lethe.itests.behaviour.WorldReference;
import org.lethe.models.vision.VisionLanguageArchitecture;
import org.lethe.report.compare.ComparisonRunner;

/**
 * The vision-language comparison stack in one folder, outside OSGi: a fresh {@link FileModelStore},
 * the core's {@link CoreRunService} with the {@value VisionLanguageArchitecture#NAME} architecture,
 * the evaluation bundle's vision-language metrics (each bound with the properties of its own component
 * description), and the methods, interventions, probes and world a test installs; and the comparison
 * harness over the same services ({@link #comparisonRunner}), as the report bundle's component is
 * wired in the container; the methods it installs are read from their bundle jars
 * ({@link InstalledMethods}). Every run goes through the run service exactly as the shell submits it.
 */
public final class VqaComparisonStack implements AutoCloseable {

    /** The evaluation bundle's vision-language metric services. */
    static final List<Class<? extends Metric>> METRICS = List.of(VqaAccuracyMetric.class, UnlearningQualityMetric.class,
            ConceptAnswerRateMetric.class);

    private final Path folder;
    private final FileModelStore store;
    private final CoreRunService service;
    private final InstalledMethods registry = new InstalledMethods();

    /**
     * Builds the stack.
     *
     * @param folder a folder of its own (emptied first)
     */
    public VqaComparisonStack(Path folder) {
        this.folder = folder;
        try {
            deleteTree(folder);
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store = new FileModelStore(folder.resolve("models"));
        service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry, folder);
        service.engine(Engine.getEngine("PyTorch"));
        service.bindArchitecture(new VisionLanguageArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, VisionLanguageArchitecture.NAME));
        try {
            for (Class<? extends Metric> type : METRICS) {
                service.bindMetric(type.getConstructor().newInstance(), ComponentProperties.of(type));
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

    /** @return the folder the stack works in (its data folder) */
    public Path folder() {
        return folder;
    }

    /**
     * Installs a method read from its bundle jar ({@link MethodBundle}): in the registry and bound to
     * the run service with its {@code lethe.method} name.
     *
     * @param type the method's component class (a public no-argument constructor): an unlearning or an
     *     erasure method
     * @return its name
     */
    public String install(Class<?> type) {
        return registry.install(type, service);
    }

    /**
     * Binds an intervention service with the properties of its component description (its
     * {@value Intervention#TYPE}), as a method bundle registers it.
     *
     * @param intervention the service
     */
    public void bindIntervention(Intervention intervention) {
        service.bindIntervention(intervention, ComponentProperties.of(intervention.getClass()));
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
     * Binds a world under a name, as the worlds bundle registers its worlds.
     *
     * @param world the world
     * @param name its {@code lethe.world} name
     */
    public void bindWorld(World world, String name) {
        service.bindWorld(world, new WorldReference(name));
    }

    /**
     * The comparison harness over this stack: this run service (runs and evaluations), store and
     * registry, this folder as the data folder, the PyTorch engine.
     *
     * @param clock the clock of the report's time field
     * @return the harness
     */
    public ComparisonRunner comparisonRunner(Clock clock) {
        ComparisonRunner runner = new ComparisonRunner(service, service, store, registry, null, folder, clock);
        runner.engine(Engine.getEngine("PyTorch"));
        runner.bindArchitecture(new VisionLanguageArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, VisionLanguageArchitecture.NAME));
        return runner;
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

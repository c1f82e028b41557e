package org.lethe.core.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.common.hash.Hashing;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.config.ConfigService;
import org.lethe.api.data.DataService;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.EvaluationService;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Probe;
import org.lethe.api.model.ModelKind;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.api.world.World;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Plans, queues, executes and records runs. One executor thread runs all gradient work (DJL's
 * gradient collector is JVM-global); each run works on a leased copy of its model and commits a new
 * version, or nothing. Changes of state and progress go to {@link RunService#watch watchers} and, when
 * EventAdmin is present, to the topics {@value #TOPIC_STATE} and {@value #TOPIC_PROGRESS}.
 *
 * <p>Every version it loads goes through one {@link VersionLoader}: the architecture's weights, then
 * the version's enabled intervention attachments applied through the {@link Intervention} services
 * bound here (selected by {@value Intervention#TYPE}), removed again when the model is closed. An
 * evaluation with {@value Intervention#SWITCH}{@code =off} leaves them out.
 */
@Component(service = {RunService.class, EvaluationService.class})
public final class CoreRunService implements RunService, EvaluationService {

    /** Framework property naming the data folder (set by the launcher). */
    static final String DATA_PROPERTY = "lethe.data";

    private final ModelStore store;
    private final DataService dataService;
    private final ConfigService configService;
    private final MethodRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(lethe.engine=PyTorch)")
    private volatile Engine engine;

    /** Topic of the events posted on every change of a run's state: {@value}. */
    public static final String TOPIC_STATE = "org/lethe/run/STATE";

    /** Topic of the events posted on a run's progress: {@value}. */
    public static final String TOPIC_PROGRESS = "org/lethe/run/PROGRESS";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile org.osgi.service.event.EventAdmin events;

    private final Map<String, UnlearningMethod> unlearning = new ConcurrentHashMap<>();
    private final Map<String, ErasureMethod> erasure = new ConcurrentHashMap<>();
    private final Map<String, ModelArchitecture> architectures = new ConcurrentHashMap<>();
    private final Map<String, World> worlds = new ConcurrentHashMap<>();
    private final Map<String, Registered<Metric>> metrics = new ConcurrentHashMap<>();
    private final Map<String, Registered<Probe>> probes = new ConcurrentHashMap<>();
    private final Map<String, String> worldVersions = new ConcurrentHashMap<>();
    private final Map<String, Intervention> interventions = new ConcurrentHashMap<>();
    private final VersionLoader loader = new VersionLoader(interventions::get);

    private final Map<RunKey, RunRecord> records = new ConcurrentHashMap<>();
    private final Map<RunKey, Planned> planned = new ConcurrentHashMap<>();
    private final Map<RunKey, CoreRunContext> running = new ConcurrentHashMap<>();
    private final Map<RunKey, List<Consumer<RunRecord>>> watchers = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private final Path dataFolder;
    private final RunRecords disk;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;

    /**
     * A metric or probe service with its definition's version, the modality it measures and whether
     * its copy is loaded without interventions ({@link ServiceProperties#PROBE_INTERVENTIONS} = off).
     */
    private record Registered<S>(S service, String version, String modality, boolean interventionsOff) {

        static <S> Registered<S> of(S service, Map<String, Object> props) {
            Object modality = props.get(ServiceProperties.MODALITY);
            return new Registered<>(service, String.valueOf(props.getOrDefault(ServiceProperties.METRIC_VERSION, "")),
                    modality == null ? "" : String.valueOf(modality),
                    "off".equals(String.valueOf(props.get(ServiceProperties.PROBE_INTERVENTIONS))));
        }
    }

    /**
     * What planning found, kept for execution.
     *
     * @param interventions whether loads apply the versions' intervention attachments (an
     *     evaluation's {@value Intervention#SWITCH} setting; always for the other runs)
     */
    private record Planned(RunSpec spec, ModelManifest model, Map<String, PlannedData> data, Map<String, Object> settings,
            boolean interventions) {
    }

    /**
     * The DS constructor: the services it cannot work without, and the data folder from the
     * framework property {@value #DATA_PROPERTY}.
     */
    @Activate
    public CoreRunService(@Reference ModelStore store, @Reference DataService dataService,
            @Reference ConfigService configService, @Reference MethodRegistry registry, BundleContext context) {
        this(store, dataService, configService, registry, dataFolder(context));
    }

    /**
     * For tests and embedding outside OSGi: the same service over a given data folder (runs go to its
     * {@code runs/}); bind methods, architectures, worlds, metrics, probes and interventions with the
     * {@code bind...} methods and set
     * the engine with {@link #engine(Engine)}; {@link #deactivate()} stops it.
     */
    public CoreRunService(ModelStore store, DataService dataService, ConfigService configService, MethodRegistry registry,
            Path dataFolder) {
        this.store = store;
        this.dataService = dataService;
        this.configService = configService;
        this.registry = registry;
        this.dataFolder = dataFolder;
        disk = new RunRecords(dataFolder.resolve("runs"));
        for (RunRecord record : disk.recover()) {
            records.put(record.key(), record);
        }
        executor = Executors.newSingleThreadExecutor(r -> daemon(r, "lethe-runs"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "lethe-run-budget"));
    }

    private static Path dataFolder(BundleContext context) {
        String data = context.getProperty(DATA_PROPERTY);
        return Path.of(data == null ? "data" : data).toAbsolutePath();
    }

    /** Sets the engine outside DS (tests, embedding). */
    public void engine(Engine engine) {
        this.engine = engine;
    }

    /** Cancels the running runs and stops the executor (waits up to 30 s). */
    @Deactivate
    public void deactivate() {
        running.values().forEach(c -> c.cancel("the container is stopping"));
        executor.shutdownNow();
        timer.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.METHOD + "=*)")
    public void bindUnlearning(UnlearningMethod method, Map<String, Object> props) {
        unlearning.put(String.valueOf(props.get(ServiceProperties.METHOD)), method);
    }

    public void unbindUnlearning(UnlearningMethod method, Map<String, Object> props) {
        unbind(unlearning, method, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.METHOD + "=*)")
    public void bindErasure(ErasureMethod method, Map<String, Object> props) {
        erasure.put(String.valueOf(props.get(ServiceProperties.METHOD)), method);
    }

    void unbindErasure(ErasureMethod method, Map<String, Object> props) {
        unbind(erasure, method, props);
    }

    /** A method went away: forget it, and cancel its runs (running ones at their next step). */
    private <M> void unbind(Map<String, M> methods, M method, Map<String, Object> props) {
        String name = String.valueOf(props.get(ServiceProperties.METHOD));
        if (methods.remove(name, method)) {
            withdraw(name);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.WORLD + "=*)")
    public void bindWorld(World world, org.osgi.framework.ServiceReference<World> ref) {
        String name = String.valueOf(ref.getProperty(ServiceProperties.WORLD));
        worlds.put(name, world);
        worldVersions.put(name, ref.getBundle() == null ? "" : ref.getBundle().getVersion().toString());
    }

    void unbindWorld(World world, org.osgi.framework.ServiceReference<World> ref) {
        String name = String.valueOf(ref.getProperty(ServiceProperties.WORLD));
        if (worlds.remove(name, world)) {
            withdraw(name);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.ARCHITECTURE + "=*)")
    public void bindArchitecture(ModelArchitecture architecture, Map<String, Object> props) {
        architectures.put(String.valueOf(props.get(ServiceProperties.ARCHITECTURE)), architecture);
    }

    void unbindArchitecture(ModelArchitecture architecture, Map<String, Object> props) {
        architectures.remove(String.valueOf(props.get(ServiceProperties.ARCHITECTURE)), architecture);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.METRIC + "=*)")
    public void bindMetric(Metric metric, Map<String, Object> props) {
        metrics.put(String.valueOf(props.get(ServiceProperties.METRIC)), Registered.of(metric, props));
    }

    public void unbindMetric(Metric metric, Map<String, Object> props) {
        String name = String.valueOf(props.get(ServiceProperties.METRIC));
        Registered<Metric> current = metrics.get(name);
        if (current != null && current.service() == metric) {
            metrics.remove(name);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.PROBE + "=*)")
    public void bindProbe(Probe probe, Map<String, Object> props) {
        probes.put(String.valueOf(props.get(ServiceProperties.PROBE)), Registered.of(probe, props));
    }

    public void unbindProbe(Probe probe, Map<String, Object> props) {
        String name = String.valueOf(props.get(ServiceProperties.PROBE));
        Registered<Probe> current = probes.get(name);
        if (current != null && current.service() == probe) {
            probes.remove(name);
        }
    }

    /**
     * Binds an intervention service: the type named by its {@value Intervention#TYPE} property, which
     * every load of a version applies to its enabled intervention attachments of that type.
     *
     * @param intervention the service
     * @param props its service properties
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + Intervention.TYPE + "=*)")
    public void bindIntervention(Intervention intervention, Map<String, Object> props) {
        interventions.put(String.valueOf(props.get(Intervention.TYPE)), intervention);
    }

    /**
     * Unbinds an intervention service: versions needing its type are refused from now on (runs that
     * already applied it keep it until they close their model).
     *
     * @param intervention the service
     * @param props its service properties
     */
    public void unbindIntervention(Intervention intervention, Map<String, Object> props) {
        interventions.remove(String.valueOf(props.get(Intervention.TYPE)), intervention);
    }

    private void withdraw(String method) {
        for (RunRecord record : records.values()) {
            if (!record.state().isTerminal() && record.spec().component().equals(method)) {
                cancel(record.key(), "method withdrawn");
            }
        }
    }

    @Override
    public RunSpec plan(RunSpec spec) {
        return planFully(spec).spec();
    }

    private Planned planFully(RunSpec spec) {
        if (spec.kind() == RunSpec.Kind.TRAIN) {
            return planTraining(spec);
        }
        if (spec.kind() == RunSpec.Kind.EVALUATE) {
            return planEvaluation(spec);
        }
        if (!spec.probes().isEmpty()) {
            throw LetheException.invalidInput("probes run in evaluation runs, not in " + spec.kind().name().toLowerCase()
                    + " runs: " + spec.probes());
        }
        MethodDescriptor method = registry.method(spec.component()).orElseThrow(() -> LetheException.invalidInput(
                "unknown method '" + spec.component() + "'" + known(registry.methods().stream().map(MethodDescriptor::name).toList())));
        MethodDescriptor.Kind wanted = spec.kind() == RunSpec.Kind.UNLEARN ? MethodDescriptor.Kind.UNLEARNING
                : MethodDescriptor.Kind.ERASURE;
        if (method.kind() != wanted) {
            throw LetheException.invalidInput("'" + method.name() + "' is an " + method.kind().name().toLowerCase()
                    + " method; it cannot run as " + spec.kind().name().toLowerCase());
        }
        if (!spec.componentVersion().isEmpty() && !spec.componentVersion().equals(method.bundleVersion())) {
            throw LetheException.invalidInput("method '" + method.name() + "' is at version " + method.bundleVersion()
                    + " here, but the run asks for " + spec.componentVersion());
        }
        Map<String, Object> settings = method.config().map(schema -> configService.validate(schema, spec.config()))
                .orElseGet(() -> {
                    if (!spec.config().isEmpty()) {
                        throw LetheException.invalidInput("method '" + method.name() + "' takes no settings, but got "
                                + spec.config().keySet());
                    }
                    return Map.of();
                });
        ModelRef ref = spec.model().orElseThrow(() -> LetheException.invalidInput(
                "method '" + method.name() + "' needs a model (--model)"));
        ModelManifest model = store.manifest(ref);
        if (!architectures.containsKey(model.architecture())) {
            throw LetheException.invalidInput("model " + model.ref() + " needs the architecture '" + model.architecture()
                    + "', which no bundle provides" + known(List.copyOf(architectures.keySet())));
        }
        loader.check(model, true);
        for (String input : method.inputs()) {
            if (!spec.data().containsKey(input)) {
                throw LetheException.invalidInput("method '" + method.name() + "' needs '" + input + "' data");
            }
        }
        Map<String, PlannedData> data = new LinkedHashMap<>();
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        planData(spec, model, data, refs);
        RunSpec resolved = new RunSpec(spec.kind(), spec.component(), method.bundleVersion(), spec.config(),
                Optional.of(model.ref()), refs, spec.probes(), spec.seed(), spec.budget());
        return new Planned(resolved, model, data, settings, true);
    }

    private void planData(RunSpec spec, ModelManifest model, Map<String, PlannedData> data,
            Map<String, RunSpec.DataRef> refs) {
        spec.data().forEach((role, ref2) -> {
            Path file = dataFile(ref2.source(), model);
            PlannedData read = PlannedData.read(dataService, file);
            if (!ref2.fingerprint().isEmpty() && !ref2.fingerprint().equals(read.data().fingerprint())) {
                throw LetheException.invalidInput("'" + role + "' data " + ref2.source()
                        + " has changed since the run was planned (fingerprint differs)");
            }
            data.put(role, read);
            // a world split keeps its name, so the run (and its key) does not depend on where the data
            // folder is: the fingerprint pins the content
            String source = ref2.source().startsWith("world:") ? ref2.source() : file.toString();
            refs.put(role, new RunSpec.DataRef(source, read.data().fingerprint()));
        });
    }

    /** The values of an evaluation's {@value Intervention#SWITCH} setting. */
    static final String SWITCH_ON = "on";

    /** Switched off: every intervention attachment left out. */
    static final String SWITCH_OFF = "off";

    /**
     * An evaluation run: the metrics its component names ({@value EvaluationService#ALL_METRICS} or a
     * comma-separated list), its probes, a model and data by role. Its component version records
     * every metric's and probe's definition version, so a changed definition is a different run.
     * Its one setting is {@value Intervention#SWITCH}: {@code on} (the default) loads the version as
     * committed, {@code off} with every intervention attachment left out (its weights alone). The
     * resolved spec keeps {@code off} and drops {@code on}, so that an evaluation with the default
     * spelled out is the same run as one without it, and the two switches are different runs.
     */
    private Planned planEvaluation(RunSpec spec) {
        boolean interventionsOn = interventionSwitch(spec.config());
        ModelRef ref = spec.model().orElseThrow(() -> LetheException.invalidInput("an evaluation run needs a model (--model)"));
        ModelManifest model = store.manifest(ref);
        if (!architectures.containsKey(model.architecture())) {
            throw LetheException.invalidInput("model " + model.ref() + " needs the architecture '" + model.architecture()
                    + "', which no bundle provides" + known(List.copyOf(architectures.keySet())));
        }
        loader.check(model, interventionsOn);
        List<String> metricNames = metricNames(spec.component(), model.kind());
        for (String probe : spec.probes()) {
            if (!probes.containsKey(probe)) {
                throw LetheException.invalidInput("unknown probe '" + probe + "'"
                        + known(probes.keySet().stream().sorted().toList()));
            }
        }
        if (metricNames.isEmpty() && spec.probes().isEmpty()) {
            throw LetheException.invalidInput("nothing to evaluate: no metric for " + modality(model.kind())
                    + " models is installed and no probe was asked for");
        }
        StringBuilder versions = new StringBuilder();
        for (String name : metricNames) {
            versions.append(versions.length() == 0 ? "" : ",").append("metric:").append(name).append('@')
                    .append(metrics.get(name).version());
        }
        for (String name : spec.probes()) {
            versions.append(versions.length() == 0 ? "" : ",").append("probe:").append(name).append('@')
                    .append(probes.get(name).version());
        }
        if (!spec.componentVersion().isEmpty() && !spec.componentVersion().equals(versions.toString())) {
            throw LetheException.invalidInput("the metrics and probes here are " + versions
                    + ", but the run asks for " + spec.componentVersion());
        }
        Map<String, PlannedData> data = new LinkedHashMap<>();
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        planData(spec, model, data, refs);
        Map<String, String> config = interventionsOn ? Map.of() : Map.of(Intervention.SWITCH, SWITCH_OFF);
        RunSpec resolved = new RunSpec(spec.kind(), spec.component(), versions.toString(), config,
                Optional.of(model.ref()), refs, spec.probes(), spec.seed(), spec.budget());
        return new Planned(resolved, model, data, Map.of(), interventionsOn);
    }

    /**
     * @param config an evaluation run's settings
     * @return whether its interventions are on ({@value Intervention#SWITCH} absent or {@code on})
     * @throws LetheException (invalid input) for another setting or another value
     */
    static boolean interventionSwitch(Map<String, String> config) {
        for (Map.Entry<String, String> entry : config.entrySet()) {
            if (!entry.getKey().equals(Intervention.SWITCH)) {
                throw LetheException.invalidInput("an evaluation run takes one setting, '" + Intervention.SWITCH
                        + "' (" + SWITCH_ON + " or " + SWITCH_OFF + "), but got '" + entry.getKey() + "'");
            }
            String value = entry.getValue().trim();
            if (!value.equals(SWITCH_ON) && !value.equals(SWITCH_OFF)) {
                throw LetheException.invalidInput("the evaluation setting '" + Intervention.SWITCH + "' is " + SWITCH_ON
                        + " or " + SWITCH_OFF + ", not '" + entry.getValue() + "'");
            }
        }
        return !SWITCH_OFF.equals(config.getOrDefault(Intervention.SWITCH, SWITCH_ON).trim());
    }

    /** The metrics an evaluation's component selects, in name order. */
    private List<String> metricNames(String component, ModelKind kind) {
        if (component.equals(EvaluationService.ALL_METRICS)) {
            String modality = modality(kind);
            return metrics.entrySet().stream()
                    .filter(e -> e.getValue().modality().isEmpty() || e.getValue().modality().equals(modality))
                    .map(Map.Entry::getKey).sorted().toList();
        }
        List<String> names = new ArrayList<>();
        for (String name : component.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!metrics.containsKey(trimmed)) {
                throw LetheException.invalidInput("unknown metric '" + trimmed + "'"
                        + known(metrics.keySet().stream().sorted().toList()));
            }
            names.add(trimmed);
        }
        return names.stream().distinct().sorted().toList();
    }

    /** The {@code lethe.modality} value of a model kind. */
    static String modality(ModelKind kind) {
        return switch (kind) {
            case LANGUAGE -> ServiceProperties.MODALITY_LANGUAGE;
            case TEXT_TO_IMAGE -> ServiceProperties.MODALITY_TEXT_TO_IMAGE;
            case VISION_LANGUAGE -> ServiceProperties.MODALITY_VISION_LANGUAGE;
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * Where a data source points: {@code world:<world>/<split>} (the newest committed training of
     * that world), an existing file, or the name of a split of the world that trained the model's
     * root version ({@code --model facts-lm --forget forget05}).
     */
    private Path dataFile(String source, ModelManifest model) {
        if (source.startsWith("world:")) {
            String rest = source.substring("world:".length());
            int slash = rest.indexOf('/');
            if (slash <= 0 || slash == rest.length() - 1) {
                throw LetheException.invalidInput("data source '" + source + "': write world:<world>/<split>");
            }
            return worldSplit(newestTraining(rest.substring(0, slash)), rest.substring(slash + 1), source);
        }
        Path path = Path.of(source);
        if (java.nio.file.Files.exists(path) || source.contains("/") || source.endsWith(".jsonl")) {
            return path.toAbsolutePath();
        }
        List<ModelManifest> lineage = store.lineage(model.ref());
        Optional<RunKey> trainedBy = lineage.get(lineage.size() - 1).producedBy();
        RunRecord training = trainedBy.map(records::get).filter(r -> r.spec().kind() == RunSpec.Kind.TRAIN).orElseThrow(() ->
                LetheException.invalidInput("'" + source + "' is neither a file nor a split: model " + model.ref()
                        + " was not trained by a world"));
        return worldSplit(training, source, source);
    }

    private RunRecord newestTraining(String world) {
        return runs().stream().filter(r -> r.spec().kind() == RunSpec.Kind.TRAIN && r.spec().component().equals(world)
                        && r.state() == RunState.COMMITTED).findFirst()
                .orElseThrow(() -> LetheException.invalidInput("world '" + world + "' has not been trained here yet"
                        + " (unlearn:train " + world + ")"));
    }

    private Path worldSplit(RunRecord training, String split, String source) {
        if (!split.matches("[A-Za-z0-9_.-]+")) {
            throw LetheException.invalidInput("data source '" + source + "': '" + split + "' is not a split name");
        }
        Path file = dataFolder.resolve("worlds").resolve(training.spec().component()).resolve(training.key().value())
                .resolve("data").resolve(split + ".jsonl");
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw LetheException.invalidInput("world '" + training.spec().component() + "' has no split '" + split + "'");
        }
        return file;
    }

    /** Data role of a training run: a user's corpus folder (DESIGN §4) instead of the world's generator. */
    static final String CORPUS = "corpus";

    private Planned planTraining(RunSpec spec) {
        World world = worlds.get(spec.component());
        if (world == null) {
            throw LetheException.invalidInput("unknown world '" + spec.component() + "'" + known(List.copyOf(worlds.keySet())));
        }
        if (!spec.config().isEmpty()) {
            throw LetheException.invalidInput("world '" + spec.component() + "' takes no settings, but got " + spec.config().keySet());
        }
        if (spec.model().isPresent()) {
            throw LetheException.invalidInput("training world '" + spec.component() + "' starts from no model");
        }
        if (!spec.probes().isEmpty()) {
            throw LetheException.invalidInput("probes are not available yet in this version: " + spec.probes());
        }
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        for (Map.Entry<String, RunSpec.DataRef> entry : spec.data().entrySet()) {
            if (!entry.getKey().equals(CORPUS)) {
                throw LetheException.invalidInput("a training run takes only '" + CORPUS + "' data, not '" + entry.getKey() + "'");
            }
            Path folder = Path.of(entry.getValue().source());
            if (!java.nio.file.Files.isDirectory(folder)) {
                throw LetheException.invalidInput(folder + ": no such corpus folder");
            }
            String fingerprint = CorpusFingerprint.of(folder);
            if (!entry.getValue().fingerprint().isEmpty() && !entry.getValue().fingerprint().equals(fingerprint)) {
                throw LetheException.invalidInput(folder + " has changed since the run was planned (fingerprint differs)");
            }
            refs.put(CORPUS, new RunSpec.DataRef(folder.toAbsolutePath().toString(), fingerprint));
        }
        RunSpec resolved = new RunSpec(spec.kind(), spec.component(), worldVersions.getOrDefault(spec.component(), ""),
                spec.config(), Optional.empty(), refs, spec.probes(), spec.seed(), spec.budget());
        return new Planned(resolved, null, Map.of(), Map.of(), true);
    }

    private static String known(List<String> names) {
        return names.isEmpty() ? " (none is installed)" : " (known: " + String.join(", ", names) + ")";
    }

    @Override
    public RunKey keyOf(RunSpec spec) {
        return new RunKey(Hashing.sha256().hashBytes(RunJson.canonical(spec)).toString().substring(0, 32));
    }

    @Override
    public synchronized RunKey submit(RunSpec spec) {
        Planned plan = planFully(spec);
        RunKey key = keyOf(plan.spec());
        RunRecord existing = records.get(key);
        if (existing != null && existing.state() != RunState.FAILED && existing.state() != RunState.CANCELLED) {
            return key; // queued, running or committed: the same run, started once
        }
        RunRecord record = new RunRecord(key, plan.spec(), RunState.QUEUED, Optional.empty(), Optional.empty(),
                clock.instant(), Optional.empty(), Optional.empty(), RunRecord.Progress.NONE,
                existing == null ? 0 : existing.attempt());
        planned.put(key, plan);
        update(record);
        executor.execute(() -> execute(key));
        return key;
    }

    private void execute(RunKey key) {
        Planned plan = planned.remove(key);
        RunRecord queued = records.get(key);
        if (plan == null || queued == null || queued.state() != RunState.QUEUED) {
            return; // cancelled while queued
        }
        RunSpec spec = plan.spec();
        CoreRunContext context = null;
        ScheduledFuture<?> budget = null;
        ModelRef result = null;
        String failure = null;
        RunState end;
        Engine current = engine;
        try (NDManager manager = current == null ? null : current.newBaseManager()) {
            if (current == null) {
                throw LetheException.failed("the PyTorch engine is not available (see: hc:exec -v engine)", null);
            }
            context = new CoreRunContext(key, spec.seed(), manager, clock, sink(key));
            running.put(key, context);
            update(with(records.get(key), RunState.RUNNING, Optional.empty(), Optional.empty(),
                    Optional.of(clock.instant()), Optional.empty(), queued.attempt() + 1));
            CoreRunContext forBudget = context;
            budget = spec.budget().map(b -> timer.schedule(() -> forBudget.cancel("timed out after " + b),
                    b.toMillis(), TimeUnit.MILLISECONDS)).orElse(null);
            current.setRandomSeed((int) spec.seed());
            if ("PyTorch".equals(current.getEngineName())) {
                // PyTorch's autograd mode is per thread and on by default: outside the optimisation
                // loop's gradient collector this thread must not record graphs (DJL's own default)
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            }
            result = switch (spec.kind()) {
                case TRAIN -> train(key, plan, context);
                case EVALUATE -> evaluate(key, plan, context);
                default -> unlearnOrErase(key, plan, context);
            };
            end = RunState.COMMITTED;
        } catch (CancellationException e) {
            String reason = context != null && context.cancelReason() != null ? context.cancelReason() : e.getMessage();
            boolean timedOut = reason != null && reason.startsWith("timed out");
            end = timedOut ? RunState.FAILED : RunState.CANCELLED;
            failure = reason;
        } catch (Exception | LinkageError e) {
            end = RunState.FAILED;
            failure = !(e instanceof LetheException refused) ? e.toString()
                    : refused.exitStatus() == LetheException.INVALID_INPUT ? RunRecord.INVALID_INPUT + e.getMessage()
                    : e.getMessage();
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            disk.log(key, "failure: " + trace);
        } finally {
            if (budget != null) {
                budget.cancel(false);
            }
            running.remove(key);
        }
        if (failure != null) {
            disk.log(key, end + ": " + failure);
        }
        RunRecord last = records.get(key);
        update(with(last, end, Optional.ofNullable(failure), Optional.ofNullable(result), last.started(),
                Optional.of(clock.instant()), last.attempt()));
    }

    /**
     * Runs the method on a leased copy of the model (with the base's interventions applied) and
     * commits the copy as the next version: its weights, with the base's attachments and the ones the
     * method {@link org.lethe.api.method.Task#attach attached} (their files written beside the weights).
     */
    private ModelRef unlearnOrErase(RunKey key, Planned plan, CoreRunContext context) throws Exception {
        RunSpec spec = plan.spec();
        ModelArchitecture architecture = architectures.get(plan.model().architecture());
        if (architecture == null) {
            throw LetheException.failed("the architecture '" + plan.model().architecture() + "' went away", null);
        }
        try (ModelLease lease = store.lease(plan.model().ref());
                VersionLoader.LoadedVersion model = loader.load(architecture, lease.base(), lease.directory(), true)) {
            Attachments attachments = new Attachments(lease.base(), interventions::containsKey);
            try (CoreTask task = new CoreTask(model, () -> loader.load(architecture, lease.base(), lease.directory(), true),
                    plan.data(), plan.settings(), configService, attachments)) {
                context.log("start " + spec.kind().name().toLowerCase() + " " + spec.component() + " on " + lease.base().ref());
                if (spec.kind() == RunSpec.Kind.UNLEARN) {
                    methodOrWithdrawn(unlearning, spec.component()).unlearn(task, context);
                } else {
                    methodOrWithdrawn(erasure, spec.component()).erase(task, context);
                }
            }
            context.beginCommit();
            // the interventions stay attachments, applied at load: the weights are saved without them
            model.removeInterventions();
            model.save(lease.directory());
            attachments.write(lease.directory());
            ModelRef result = lease.commit(key, model.config(), attachments.attachments()).ref();
            for (ModelManifest.Attachment attachment : attachments.added()) {
                context.log("attached " + attachment.type().name().toLowerCase(java.util.Locale.ROOT) + " '"
                        + attachment.name() + "' " + attachment.files());
            }
            context.log("committed " + result);
            return result;
        }
    }

    /**
     * Evaluates a leased copy of the model with the planned metrics, then runs each probe on a fresh
     * copy of its own (probes may train it); nothing is committed to the store. A metric or probe that
     * fails, or does not measure this model's modality, is recorded with its reason and the others
     * still run. The results go to {@code runs/<key>/evaluation.json}.
     */
    private ModelRef evaluate(RunKey key, Planned plan, CoreRunContext context) throws Exception {
        RunSpec spec = plan.spec();
        ModelArchitecture architecture = architectures.get(plan.model().architecture());
        if (architecture == null) {
            throw LetheException.failed("the architecture '" + plan.model().architecture() + "' went away", null);
        }
        String modality = modality(plan.model().kind());
        List<MetricResult> results = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<String> metricNames = metricNames(spec.component(), plan.model().kind());
        int total = metricNames.size() + spec.probes().size();
        int done = 0;
        try (ModelLease lease = store.lease(plan.model().ref())) {
            context.log("start evaluation of " + lease.base().ref() + ": " + spec.componentVersion());
            context.log("interventions " + (plan.interventions() ? "on: " + VersionLoader.applied(lease.base(), true).size()
                    + " applied" : "off"));
            try (LoadedModel model = loader.load(architecture, lease.base(), lease.directory(), plan.interventions());
                    CoreTask task = new CoreTask(model, () -> loadRoot(lease, plan.interventions()), plan.data(), Map.of(),
                            configService, null)) {
                for (String name : metricNames) {
                    context.checkCancelled();
                    context.progress(done++, total, Double.NaN);
                    Registered<Metric> metric = metrics.get(name);
                    String id = "metric:" + name;
                    if (metric == null) {
                        failures.put(id, "the metric went away");
                        continue;
                    }
                    long start = System.nanoTime();
                    try {
                        results.addAll(metric.service().evaluate(task));
                    } catch (Exception | LinkageError e) {
                        failures.put(id, reason(e));
                        context.log(id + " failed: " + e);
                    }
                    seconds.put(id, (System.nanoTime() - start) / 1e9);
                }
            }
            for (String name : spec.probes()) {
                context.checkCancelled();
                context.progress(done++, total, Double.NaN);
                Registered<Probe> probe = probes.get(name);
                String id = "probe:" + name;
                if (probe == null) {
                    failures.put(id, "the probe went away");
                    continue;
                }
                if (!probe.modality().isEmpty() && !probe.modality().equals(modality)) {
                    failures.put(id, "probe '" + name + "' measures " + probe.modality() + " models; "
                            + plan.model().ref() + " is a " + modality + " model");
                    continue;
                }
                long start = System.nanoTime();
                // a probe of what the weights alone know (intervention-removed) gets its copy without interventions
                boolean interventions = plan.interventions() && !probe.interventionsOff();
                try (LoadedModel copy = loader.load(architecture, lease.base(), lease.directory(), interventions);
                        CoreTask task = new CoreTask(copy, () -> loader.load(architecture, lease.base(), lease.directory(),
                                interventions), plan.data(), Map.of(), configService, null)) {
                    results.addAll(probe.service().probe(task, context));
                } catch (CancellationException e) {
                    throw e;
                } catch (Exception | LinkageError e) {
                    failures.put(id, reason(e));
                    context.log(id + " failed: " + e);
                }
                seconds.put(id, (System.nanoTime() - start) / 1e9);
            }
        }
        context.progress(total, total, Double.NaN);
        context.beginCommit();
        Evaluation evaluation = new Evaluation(key, plan.model().ref(), results, failures, seconds);
        disk.writeFile(key, EvaluationJson.FILE, EvaluationJson.write(evaluation));
        context.log("evaluated " + plan.model().ref() + ": " + results.size() + " results, " + failures.size() + " failures");
        return null;
    }

    /**
     * The reference of an evaluation: the evaluated version's root ancestor (what its world or import
     * made), read from a lease of its own that is discarded once the weights (and its interventions,
     * if it has any and they are on) are in memory.
     */
    private LoadedModel loadRoot(ModelLease lease, boolean interventionsOn) throws java.io.IOException {
        List<ModelManifest> lineage = store.lineage(lease.base().ref());
        ModelManifest root = lineage.get(lineage.size() - 1);
        ModelArchitecture architecture = architectures.get(root.architecture());
        if (architecture == null) {
            throw LetheException.failed("the architecture '" + root.architecture() + "' of " + root.ref()
                    + " is not deployed", null);
        }
        if (root.ref().equals(lease.base().ref())) {
            return loader.load(architecture, lease.base(), lease.directory(), interventionsOn);
        }
        try (ModelLease rootLease = store.lease(root.ref())) {
            return loader.load(architecture, rootLease.base(), rootLease.directory(), interventionsOn);
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        return e instanceof LetheException && message != null ? message
                : e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public Optional<Evaluation> evaluation(RunKey run) {
        RunRecord record = records.get(run);
        if (record == null || record.state() != RunState.COMMITTED || record.spec().kind() != RunSpec.Kind.EVALUATE) {
            return Optional.empty();
        }
        return disk.readFile(run, EvaluationJson.FILE).map(bytes -> {
            try {
                return EvaluationJson.read(bytes);
            } catch (java.io.IOException e) {
                throw LetheException.failed("the results of evaluation run " + run + " cannot be read: " + e.getMessage(), e);
            }
        });
    }

    /**
     * Runs a world's training and commits each model it trained as a new root version (the first
     * one is the run's result; all are in the run log). The world's data goes to
     * {@code worlds/<world>/<run key>/} under the data folder.
     */
    private ModelRef train(RunKey key, Planned plan, CoreRunContext context) throws Exception {
        RunSpec spec = plan.spec();
        World world = worlds.get(spec.component());
        if (world == null) {
            throw new CancellationException("world withdrawn");
        }
        Path output = dataFolder.resolve("worlds").resolve(spec.component()).resolve(key.value());
        java.nio.file.Files.createDirectories(output);
        Path corpus = spec.data().containsKey(CORPUS) ? Path.of(spec.data().get(CORPUS).source()) : null;
        context.log("start training world " + spec.component() + (corpus == null ? "" : " from " + corpus));
        List<World.TrainedModel> trained = world.train(corpus, output, context);
        if (trained.isEmpty()) {
            throw LetheException.failed("world '" + spec.component() + "' trained no model", null);
        }
        context.beginCommit();
        ModelRef first = null;
        for (World.TrainedModel model : trained) {
            ModelArchitecture architecture = architectures.get(model.architecture());
            if (architecture == null) {
                throw LetheException.failed("world '" + spec.component() + "' trained a model of the architecture '"
                        + model.architecture() + "', which no bundle provides", null);
            }
            ModelRef ref = store.create(model.id(), architecture.kind(), model.architecture(), model.config(), key,
                    model.files()).ref();
            context.log("committed " + ref);
            first = first == null ? ref : first;
        }
        return first;
    }

    private static <M> M methodOrWithdrawn(Map<String, M> methods, String name) {
        M method = methods.get(name);
        if (method == null) {
            throw new CancellationException("method withdrawn");
        }
        return method;
    }

    private CoreRunContext.Sink sink(RunKey key) {
        return new CoreRunContext.Sink() {
            @Override
            public void progress(RunRecord.Progress progress) {
                RunRecord r = records.get(key);
                RunRecord next = new RunRecord(r.key(), r.spec(), r.state(), r.reason(), r.result(), r.submitted(),
                        r.started(), r.ended(), progress, r.attempt());
                records.put(key, next);
                notifyWatchers(next);
                post(TOPIC_PROGRESS, next);
            }

            @Override
            public void log(String line) {
                disk.log(key, line);
            }

            @Override
            public void note(String line) {
                disk.note(key, line);
                disk.log(key, RunContext.NOTE_PREFIX + line);
            }
        };
    }

    private static RunRecord with(RunRecord r, RunState state, Optional<String> reason, Optional<ModelRef> result,
            Optional<Instant> started, Optional<Instant> ended, int attempt) {
        return new RunRecord(r.key(), r.spec(), state, reason, result, r.submitted(), started, ended, r.progress(), attempt);
    }

    /** Persists first, then publishes: a record others see is on disk. */
    private void update(RunRecord record) {
        disk.write(record);
        synchronized (records) {
            records.put(record.key(), record);
            records.notifyAll();
        }
        notifyWatchers(record);
        post(TOPIC_STATE, record);
    }

    /** Posts an EventAdmin event (asynchronously) with the run's key, state, component and progress. */
    private void post(String topic, RunRecord record) {
        org.osgi.service.event.EventAdmin admin = events;
        if (admin == null) {
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put("key", record.key().value());
        props.put("state", record.state().name());
        props.put("component", record.spec().component());
        props.put("step", record.progress().step());
        props.put("totalSteps", record.progress().totalSteps());
        props.put("loss", record.progress().loss());
        props.put("etaMillis", record.progress().etaMillis());
        record.reason().ifPresent(r -> props.put("reason", r));
        admin.postEvent(new org.osgi.service.event.Event(topic, props));
    }

    private void notifyWatchers(RunRecord record) {
        for (Consumer<RunRecord> watcher : watchers.getOrDefault(record.key(), List.of())) {
            try {
                watcher.accept(record);
            } catch (RuntimeException e) {
                // a watcher's failure is its own business
            }
        }
    }

    @Override
    public Optional<RunRecord> record(RunKey key) {
        return Optional.ofNullable(records.get(key));
    }

    @Override
    public List<String> notes(RunKey key) {
        return records.containsKey(key) ? disk.notes(key) : List.of();
    }

    @Override
    public List<RunRecord> runs() {
        List<RunRecord> list = new ArrayList<>(records.values());
        list.sort(Comparator.comparing(RunRecord::submitted).reversed());
        return list;
    }

    @Override
    public synchronized boolean cancel(RunKey key, String reason) {
        RunRecord record = records.get(key);
        if (record == null || record.state().isTerminal()) {
            return false;
        }
        CoreRunContext context = running.get(key);
        if (context != null) {
            return context.cancel(reason);
        }
        if (record.state() == RunState.QUEUED) {
            planned.remove(key);
            update(with(record, RunState.CANCELLED, Optional.of(reason), Optional.empty(), Optional.empty(),
                    Optional.of(clock.instant()), record.attempt()));
            return true;
        }
        return false;
    }

    @Override
    public RunRecord await(RunKey key, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (records) {
            while (true) {
                RunRecord record = records.get(key);
                if (record == null) {
                    throw LetheException.invalidInput("unknown run " + key);
                }
                long left = deadline - System.nanoTime();
                if (record.state().isTerminal() || left <= 0) {
                    return record;
                }
                records.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    @Override
    public AutoCloseable watch(RunKey key, Consumer<RunRecord> listener) {
        RunRecord record = records.get(key);
        if (record == null) {
            throw LetheException.invalidInput("unknown run " + key);
        }
        List<Consumer<RunRecord>> list = watchers.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        list.add(listener);
        listener.accept(record);
        return () -> list.remove(listener);
    }

    /** For tests: the records held in memory. */
    Map<RunKey, RunRecord> snapshot() {
        return new HashMap<>(records);
    }
}

package org.lethe.report.compare;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.ComparisonService;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.EvaluationService;
import org.lethe.api.eval.Report;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.report.render.ReportWriter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The comparison harness. For every seed it runs each method on the world's base model, then
 * evaluates the result (every metric, the asked probes); it evaluates the base model (the
 * {@code original} row) with every seed and each of the world's gold models once (the {@code gold}
 * row); then {@link Assembly} summarises over seeds and adds what compares against the gold models.
 * A text-to-image erasure world ({@link ErasureLayout}) compares erasure methods against the original
 * generator; a visual question-answering world ({@link VqaLayout}) compares unlearning and
 * vision-language erasure methods side by side against the original VLM.
 * Every run goes through the run service, so it queues one at a time with all other gradient work
 * and a run already made (same spec, same key) is not made again.
 */
@Component(service = ComparisonService.class)
public final class ComparisonRunner implements ComparisonService {

    /** Framework property naming the data folder (set by the launcher). */
    static final String DATA_PROPERTY = "lethe.data";

    /**
     * The sequential-requests protocol, run by the harness since it runs the methods themselves:
     * {@value}. Several forget requests one after another (forget01, then the rest of forget05, ...),
     * utility and forget quality after each.
     */
    public static final String SEQUENTIAL = "sequential";

    /**
     * The misinformation protocol (RESTOR recovery and OFFSIDE-style rumour unlearning), run by the
     * harness: {@value}. Each method unlearns the misinformation from the world's corrupted model;
     * the report shows how much of the original's knowledge of the affected facts comes back, how
     * much misinformation remains, its paraphrases, prompt attacks and corrective relearning, and
     * OFFSIDE's selective unlearning.
     */
    public static final String MISINFORMATION = "misinformation";

    /**
     * The multi-concept protocol of a vision-language comparison, run by the harness: {@value}. Every
     * method also unlearns the world's 3- and 6-concept tasks; their results are columns beside the
     * comparison's own task (the 1/3/6-concept table; {@link MultiConceptProtocol}).
     */
    public static final String MULTI_CONCEPT = "multi-concept";

    private static final String CORRECTIVE_RELEARNING = MisinformationProtocol.CORRECTIVE_RELEARNING;

    private final RunService runs;
    private final EvaluationService evaluations;
    private final ModelStore store;
    private final MethodRegistry methods;
    private final BundleContext context;
    private final Path dataFolder;
    private final Clock clock;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(lethe.engine=PyTorch)")
    private volatile Engine engine;

    /** Deployed architectures by name, for the gallery's samples. */
    private final Map<String, ModelArchitecture> architectures = new ConcurrentHashMap<>();

    /**
     * @param architecture a deployed architecture
     * @param properties its service properties ({@code lethe.architecture})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.ARCHITECTURE + "=*)")
    public void bindArchitecture(ModelArchitecture architecture, Map<String, Object> properties) {
        architectures.put(String.valueOf(properties.get(ServiceProperties.ARCHITECTURE)), architecture);
    }

    /**
     * @param architecture the architecture going away
     * @param properties its service properties
     */
    public void unbindArchitecture(ModelArchitecture architecture, Map<String, Object> properties) {
        architectures.remove(String.valueOf(properties.get(ServiceProperties.ARCHITECTURE)), architecture);
    }

    /**
     * @param runs the run service
     * @param evaluations the results of evaluation runs
     * @param store the model store
     * @param methods the installed methods
     * @param context this bundle's context (data folder, bundle versions)
     */
    @Activate
    public ComparisonRunner(@Reference RunService runs, @Reference EvaluationService evaluations,
            @Reference ModelStore store, @Reference MethodRegistry methods, BundleContext context) {
        this(runs, evaluations, store, methods, context, dataFolder(context), Clock.systemUTC());
    }

    /**
     * For tests and embedding outside OSGi.
     *
     * @param runs the run service
     * @param evaluations the results of evaluation runs
     * @param store the model store
     * @param methods the installed methods
     * @param context a bundle context for bundle versions, or null outside OSGi
     * @param dataFolder the data folder the run service works in
     * @param clock the clock of the report's time field
     */
    public ComparisonRunner(RunService runs, EvaluationService evaluations, ModelStore store, MethodRegistry methods,
            BundleContext context, Path dataFolder, Clock clock) {
        this.runs = runs;
        this.evaluations = evaluations;
        this.store = store;
        this.methods = methods;
        this.context = context;
        this.dataFolder = dataFolder;
        this.clock = clock;
    }

    private static Path dataFolder(BundleContext context) {
        String data = context.getProperty(DATA_PROPERTY);
        return Path.of(data == null ? "data" : data).toAbsolutePath();
    }

    /** Sets the engine outside DS (tests, embedding): its versions go into the manifest. */
    public void engine(Engine engine) {
        this.engine = engine;
    }

    @Override
    public RunSpec evaluation(String world, String split, ModelRef model, List<String> probes, long seed) {
        RunRecord training = training(world).orElseThrow(() -> LetheException.invalidInput(
                "world '" + world + "' has not been trained here yet (unlearn:train " + world + ")"));
        Path data = worldData(world, training);
        Map<String, String> roles = VqaLayout.isVqaWorld(data) ? new VqaLayout(world, data).roles(split)
                : ErasureLayout.isErasureWorld(data) ? new ErasureLayout(world, data).roles(split)
                : new WorldLayout(world, data).roles(split);
        return evaluationSpec(roles, model, probes, seed);
    }

    private static RunSpec evaluationSpec(Map<String, String> roles, ModelRef model, List<String> probes, long seed) {
        return Runs.evaluationSpec(roles, model, probes, seed, EvaluationService.ALL_METRICS);
    }

    @Override
    public List<Path> write(Report report, Path folder) throws IOException {
        return ReportWriter.write(report, folder);
    }

    @Override
    public Report compare(ComparisonSpec spec, Listener listener) throws InterruptedException {
        // ---- check everything before anything runs
        MethodDescriptor.Kind kind = null;
        for (String name : spec.methods()) {
            methods.method(name).orElseThrow(() -> LetheException.invalidInput(
                    "unknown method '" + name + "' (known: " + String.join(", ",
                            methods.methods().stream().map(MethodDescriptor::name).sorted().toList()) + ")"));
        }
        if (isVqaComparison(spec)) {
            return compareVqa(spec, listener);
        }
        for (String name : spec.methods()) {
            MethodDescriptor method = methods.method(name).orElseThrow();
            if (kind != null && method.kind() != kind) {
                throw LetheException.invalidInput("'" + name + "' is " + (method.kind() == MethodDescriptor.Kind.ERASURE
                        ? "an erasure" : "an unlearning") + " method and '" + spec.methods().get(0) + "' is not: a"
                        + " comparison runs methods of one kind on one world");
            }
            kind = method.kind();
        }
        for (String name : spec.settings().keySet()) {
            if (!spec.methods().contains(name)) {
                throw LetheException.invalidInput("settings given for '" + name + "', which is not compared");
            }
        }
        if (kind == MethodDescriptor.Kind.ERASURE) {
            return compareErasure(spec, listener);
        }
        List<String> protocols = protocols(spec.probes());
        List<String> asked = probes(spec.probes(), ServiceProperties.MODALITY_LANGUAGE);
        // corrective relearning needs a model that learned misinformation: it runs in that protocol only
        List<String> probes = asked.stream().filter(p -> !p.equals(CORRECTIVE_RELEARNING)).toList();
        Assembly assembly = new Assembly(spec, clock);
        Runs driver = new Runs(runs, evaluations, store, listener, assembly);

        // ---- the world's models
        RunRecord training = trainedWorld(spec.world(), driver);
        if (VqaLayout.isVqaWorld(worldData(spec.world(), training))) {
            return compareVqa(spec, listener); // the world was trained just now: it turned out to be a VQA world
        }
        if (ErasureLayout.isErasureWorld(worldData(spec.world(), training))) {
            throw LetheException.invalidInput("world '" + spec.world() + "' is a text-to-image erasure world: compare"
                    + " erasure methods on it (--methods esd)");
        }
        WorldLayout layout = layout(spec.world(), training);
        Map<String, String> roles = layout.roles(spec.split());
        RunKey trainedBy = training.key();
        ModelRef original = driver.trainedBy(layout.baseModel(), trainedBy).orElseThrow(() -> LetheException.invalidInput(
                "model '" + layout.baseModel() + "' was not trained by world run " + trainedBy));
        List<ModelRef> gold = new ArrayList<>();
        for (int n = 0; ; n++) {
            Optional<ModelRef> ref = driver.trainedBy(layout.goldModel(spec.split(), n), trainedBy);
            if (ref.isEmpty()) {
                break;
            }
            gold.add(ref.get());
        }
        if (gold.isEmpty()) {
            throw LetheException.invalidInput("world '" + spec.world() + "' has no gold model for " + spec.split()
                    + " (" + layout.goldModel(spec.split(), 0) + "); train it with that split among its gold splits");
        }
        driver.expect(gold.size() + spec.seeds() * (1 + 2 * spec.methods().size()) + 1);
        assembly.manifest(spec.world(), worldVersion(training), roles, original, gold, versions(), engineLines());
        spec.methods().forEach(name -> assembly.method(name, methods.method(name).orElseThrow()));

        // ---- reference rows
        for (int i = 0; i < gold.size() && !driver.cancelled(); i++) {
            long seed = spec.firstSeed() + i;
            driver.step("gold model " + gold.get(i) + ": evaluating");
            assembly.reference(Report.RowKind.GOLD, seed, gold.get(i), driver.evaluate(evaluationSpec(roles, gold.get(i), probes, seed)));
        }
        evaluateOriginal(driver, assembly, spec, roles, original, probes);

        // ---- the methods
        runMethods(driver, assembly, spec, original, roles, probes,
                method -> new Plan(RunSpec.Kind.UNLEARN, List.of("forget", "retain", "holdout")));
        if (asked.contains(CORRECTIVE_RELEARNING) && !protocols.contains(MISINFORMATION)) {
            assembly.note(CORRECTIVE_RELEARNING + " runs in the " + MISINFORMATION + " protocol, on models that learned"
                    + " misinformation: ask for both (--probes " + MISINFORMATION + "," + CORRECTIVE_RELEARNING + ")");
        }
        if (protocols.contains(MISINFORMATION)) {
            MisinformationProtocol.run(driver, spec, layout, trainedBy, original, asked, assembly);
        }
        if (protocols.contains(SEQUENTIAL)) {
            SequentialProtocol.run(driver, spec, layout, trainedBy, original, assembly);
        }
        driver.step("assembling the report");
        return assembly.report();
    }

    /**
     * A text-to-image erasure comparison: every erasure method on the world's base generator for one
     * erasure task (the spec's split), with the original model as the reference row (no gold model:
     * nothing is retrained without a concept), evaluated on the task's erased, generality and
     * preserve prompts, and a gallery of the same prompts and seeds per row.
     */
    private Report compareErasure(ComparisonSpec spec, Listener listener) throws InterruptedException {
        if (!protocols(spec.probes()).isEmpty() && !spec.probes().equals(List.of(ComparisonSpec.ALL_PROBES))) {
            throw LetheException.invalidInput("the " + MISINFORMATION + " and " + SEQUENTIAL + " protocols compare"
                    + " unlearning methods on a language world, not erasure methods");
        }
        List<String> probes = probes(spec.probes(), ServiceProperties.MODALITY_TEXT_TO_IMAGE);
        Assembly assembly = new Assembly(spec, clock);
        Runs driver = new Runs(runs, evaluations, store, listener, assembly);
        RunRecord training = trainedWorld(spec.world(), driver);
        Path data = worldData(spec.world(), training);
        if (!ErasureLayout.isErasureWorld(data)) {
            throw LetheException.invalidInput("world '" + spec.world() + "' has no erasure tasks: compare unlearning"
                    + " methods on it");
        }
        ErasureLayout layout = new ErasureLayout(spec.world(), data);
        Map<String, String> roles = layout.roles(spec.split());
        RunKey trainedBy = training.key();
        ModelRef original = driver.trainedBy(layout.baseModel(), trainedBy).orElseThrow(() -> LetheException.invalidInput(
                "model '" + layout.baseModel() + "' was not trained by world run " + trainedBy));
        driver.expect(1 + 2 * spec.seeds() * spec.methods().size() + 2); // + the gallery and the report
        assembly.manifest(spec.world(), worldVersion(training), roles, original, List.of(), versions(), engineLines());
        spec.methods().forEach(name -> assembly.method(name, methods.method(name).orElseThrow()));

        // the original: its samples' seeds come from the prompt files, so one evaluation stands for all seeds
        long first = spec.firstSeed();
        driver.step("original model: evaluating");
        assembly.reference(Report.RowKind.ORIGINAL, first, original, driver.evaluate(evaluationSpec(roles, original, probes, first)));

        Map<String, ModelRef> galleryModels = new LinkedHashMap<>();
        galleryModels.put("original", original);
        for (int s = 0; s < spec.seeds(); s++) {
            long seed = spec.firstSeed() + s;
            for (String name : spec.methods()) {
                if (driver.cancelled()) {
                    assembly.notRun(name, seed);
                    continue;
                }
                driver.step(name + " seed " + seed + ": erasing");
                runMethod(driver, assembly, spec, name, RunSpec.Kind.ERASE, original, roles,
                        List.of(org.lethe.api.method.Task.ERASE, org.lethe.api.method.Task.KEEP), probes, seed)
                        .ifPresent(model -> galleryModels.putIfAbsent(name, model));
            }
        }
        if (!driver.cancelled()) {
            driver.step("sampling the gallery");
            gallery(layout, spec.split(), galleryModels, assembly);
        }
        driver.step("assembling the report");
        return assembly.report();
    }

    /**
     * Whether a comparison is about a vision-language model: its world is a trained visual
     * question-answering world, or (before the world is trained) one of its methods erases concepts
     * from vision-language models.
     */
    private boolean isVqaComparison(ComparisonSpec spec) {
        Optional<RunRecord> training = training(spec.world());
        if (training.isPresent()) {
            return VqaLayout.isVqaWorld(worldData(spec.world(), training.get()));
        }
        return spec.methods().stream().map(name -> methods.method(name).orElseThrow())
                .anyMatch(m -> m.kind() == MethodDescriptor.Kind.ERASURE
                        && ServiceProperties.MODALITY_VISION_LANGUAGE.equals(m.modality()));
    }

    /**
     * A vision-language unlearning comparison: every method on the world's base VLM for one task (the
     * spec's split: a concept set such as {@code red} or {@code multi3}), evaluated on the task's
     * {@link VqaLayout VQA roles} with the vision-language metrics and the asked probes, beside the
     * original model (evaluated with every seed, since the probes are seeded; no gold model: nothing
     * is retrained without the concepts). Unlearning and erasure methods run side by side, each with
     * its own run kind: an {@link MethodDescriptor.Kind#UNLEARNING unlearning} method (gradient ascent,
     * GradDiff) as an UNLEARN run on the task's forget and retain questions, a vision-language
     * {@link MethodDescriptor.Kind#ERASURE erasure} method (SAUCE) as an ERASE run on the erased and
     * kept concepts and the same forget and retain questions.
     */
    private Report compareVqa(ComparisonSpec spec, Listener listener) throws InterruptedException {
        if (!protocols(spec.probes()).isEmpty() && !spec.probes().equals(List.of(ComparisonSpec.ALL_PROBES))) {
            throw LetheException.invalidInput("the " + MISINFORMATION + " and " + SEQUENTIAL + " protocols compare"
                    + " unlearning methods on a language world, not on a vision-language world");
        }
        boolean multiConcept = spec.probes().contains(MULTI_CONCEPT) || spec.probes().equals(List.of(ComparisonSpec.ALL_PROBES));
        for (String name : spec.methods()) {
            MethodDescriptor method = methods.method(name).orElseThrow();
            if (method.kind() == MethodDescriptor.Kind.ERASURE
                    && !ServiceProperties.MODALITY_VISION_LANGUAGE.equals(method.modality())) {
                throw LetheException.invalidInput("'" + name + "' erases concepts from " + method.modality() + " models;"
                        + " world '" + spec.world() + "' compares methods on a vision-language model (erasure methods"
                        + " of that modality, and unlearning methods)");
            }
        }
        List<String> probes = probes(spec.probes(), ServiceProperties.MODALITY_VISION_LANGUAGE);
        Assembly assembly = new Assembly(spec, clock);
        Runs driver = new Runs(runs, evaluations, store, listener, assembly);
        RunRecord training = trainedWorld(spec.world(), driver);
        Path data = worldData(spec.world(), training);
        if (!VqaLayout.isVqaWorld(data)) {
            throw LetheException.invalidInput("world '" + spec.world() + "' has no visual questions: compare "
                    + (ErasureLayout.isErasureWorld(data) ? "text-to-image erasure" : "unlearning") + " methods on it");
        }
        VqaLayout layout = new VqaLayout(spec.world(), data);
        Map<String, String> roles = layout.roles(spec.split());
        RunKey trainedBy = training.key();
        ModelRef original = driver.trainedBy(layout.baseModel(), trainedBy).orElseThrow(() -> LetheException.invalidInput(
                "model '" + layout.baseModel() + "' was not trained by world run " + trainedBy));
        int multiTasks = multiConcept ? MultiConceptProtocol.tasks(spec, layout).size() : 0;
        driver.expect((1 + multiTasks) * spec.seeds() * (1 + 2 * spec.methods().size()) + 1);
        assembly.manifest(spec.world(), worldVersion(training), roles, original, List.of(), versions(), engineLines());
        spec.methods().forEach(name -> assembly.method(name, methods.method(name).orElseThrow()));

        evaluateOriginal(driver, assembly, spec, roles, original, probes);
        runMethods(driver, assembly, spec, original, roles, probes, ComparisonRunner::vqaPlan);
        if (multiConcept && !driver.cancelled()) {
            MultiConceptProtocol.run(driver, spec, layout, original, methods, ComparisonRunner::vqaPlan, assembly);
        }
        driver.step("assembling the report");
        return assembly.report();
    }

    /**
     * How a method of a vision-language comparison runs: an erasure method as an ERASE run given the
     * erased and kept concepts and the forget and retain questions; an unlearning method as an
     * UNLEARN run given the forget and retain questions.
     *
     * @param method the method
     * @return its run kind and data roles
     */
    static Plan vqaPlan(MethodDescriptor method) {
        return method.kind() == MethodDescriptor.Kind.ERASURE
                ? new Plan(RunSpec.Kind.ERASE, List.of(org.lethe.api.method.Task.ERASE, org.lethe.api.method.Task.KEEP,
                        org.lethe.api.method.Task.FORGET, org.lethe.api.method.Task.RETAIN))
                : new Plan(RunSpec.Kind.UNLEARN, List.of(org.lethe.api.method.Task.FORGET, org.lethe.api.method.Task.RETAIN));
    }

    /**
     * How the harness runs one method.
     *
     * @param kind the run kind
     * @param inputs the data roles it is given (those the comparison has)
     */
    record Plan(RunSpec.Kind kind, List<String> inputs) {
    }

    /** The original row: the base model evaluated with every seed (the probes are seeded). */
    private static void evaluateOriginal(Runs driver, Assembly assembly, ComparisonSpec spec, Map<String, String> roles,
            ModelRef original, List<String> probes) throws InterruptedException {
        for (int s = 0; s < spec.seeds() && !driver.cancelled(); s++) {
            long seed = spec.firstSeed() + s;
            driver.step("original model seed " + seed + ": evaluating");
            assembly.reference(Report.RowKind.ORIGINAL, seed, original, driver.evaluate(evaluationSpec(roles, original, probes, seed)));
        }
    }

    /** Every method with every seed, each run as its plan says, then evaluated. */
    private void runMethods(Runs driver, Assembly assembly, ComparisonSpec spec, ModelRef original, Map<String, String> roles,
            List<String> probes, java.util.function.Function<MethodDescriptor, Plan> plans) throws InterruptedException {
        for (int s = 0; s < spec.seeds(); s++) {
            long seed = spec.firstSeed() + s;
            for (String name : spec.methods()) {
                if (driver.cancelled()) {
                    assembly.notRun(name, seed);
                    continue;
                }
                Plan plan = plans.apply(methods.method(name).orElseThrow());
                driver.step(name + " seed " + seed + (plan.kind() == RunSpec.Kind.ERASE ? ": erasing" : ": unlearning"));
                runMethod(driver, assembly, spec, name, plan.kind(), original, roles, plan.inputs(), probes, seed);
            }
        }
    }

    /** Samples the gallery's prompts with each row's model (the first seed's result of each method). */
    private void gallery(ErasureLayout layout, String task, Map<String, ModelRef> models, Assembly assembly) {
        List<ErasureLayout.GalleryPrompt> prompts = layout.galleryPrompts(task);
        List<String> texts = prompts.stream().map(ErasureLayout.GalleryPrompt::prompt).toList();
        List<Long> seeds = prompts.stream().map(ErasureLayout.GalleryPrompt::seed).toList();
        GallerySampler sampler = new GallerySampler(store, architectures::get);
        Map<String, List<String>> images = new LinkedHashMap<>();
        models.forEach((row, model) -> {
            try {
                images.put(row, sampler.sample(model, texts, seeds));
            } catch (Exception e) {
                assembly.note("gallery: " + row + " (" + model + ") could not be sampled: " + e.getMessage());
            }
        });
        assembly.gallery(new Report.Gallery(texts, seeds, GallerySampler.description(), images));
    }

    /** The newest committed training of the world, trained now when there is none. */
    private RunRecord trainedWorld(String world, Runs driver) throws InterruptedException {
        RunRecord training = training(world).orElse(null);
        if (training == null) {
            driver.step("training world " + world);
            training = driver.submitAndAwait(new RunSpec(RunSpec.Kind.TRAIN, world, "", Map.of(), Optional.empty(),
                    Map.of(), List.of(), 0, Optional.empty()));
            if (training.state() != RunState.COMMITTED) {
                throw LetheException.failed("training world '" + world + "' " + training.state().name().toLowerCase()
                        + training.reason().map(r -> ": " + r).orElse(""), null);
            }
        }
        return training;
    }

    /**
     * Runs one method with one seed on the original model (data: the roles named), evaluates its
     * result, and records both, or why nothing came of it.
     *
     * @return the evaluated version; empty when the method did not commit one
     */
    private Optional<ModelRef> runMethod(Runs driver, Assembly assembly, ComparisonSpec spec, String name, RunSpec.Kind kind,
            ModelRef original, Map<String, String> roles, List<String> inputRoles, List<String> probes, long seed)
            throws InterruptedException {
        Map<String, RunSpec.DataRef> data = new LinkedHashMap<>();
        MethodDescriptor method = methods.method(name).orElseThrow();
        for (String role : inputRoles) {
            if (roles.containsKey(role)) {
                data.put(role, new RunSpec.DataRef(roles.get(role), ""));
            }
        }
        RunSpec unlearn = new RunSpec(kind, name, "", spec.settings().getOrDefault(name, Map.of()),
                Optional.of(original), data, List.of(), seed, spec.budget());
        RunRecord record;
        double peakMb;
        try (MemorySampler memory = new MemorySampler()) {
            RunKey key;
            try {
                key = runs.submit(unlearn);
            } catch (LetheException e) {
                assembly.failed(name, seed, Optional.empty(), "refused: " + e.getMessage());
                return Optional.empty();
            }
            record = driver.await(key);
            memory.close();
            peakMb = memory.peakDeltaMb();
        }
        if (record.state() != RunState.COMMITTED || record.result().isEmpty()) {
            assembly.failed(name, seed, Optional.of(record), record.state().name().toLowerCase()
                    + record.reason().map(r -> ": " + r).orElse(""));
            if (record.state() == RunState.CANCELLED && driver.cancelRequested()) {
                assembly.partial();
            }
            return Optional.empty();
        }
        double seconds = record.started().isPresent() && record.ended().isPresent()
                ? Duration.between(record.started().get(), record.ended().get()).toNanos() / 1e9 : 0;
        driver.step(name + " seed " + seed + ": evaluating " + record.result().get());
        Runs.EvaluationOutcome evaluation = driver.evaluate(evaluationSpec(roles, record.result().get(), probes, seed));
        assembly.method(name, seed, record, seconds, peakMb, evaluation);
        // what the method flagged about its own run (e.g. a regularised closed-form system) belongs beside its row
        runs.notes(record.key()).forEach(n -> assembly.note(name + " seed " + seed + ": " + n));
        assembly.config(name, runs.record(record.key()).map(r -> r.spec().config()).orElse(Map.of()), method);
        return record.result();
    }

    /** The harness's own protocols among the asked probes ({@value ComparisonSpec#ALL_PROBES}: every one). */
    private static List<String> protocols(List<String> asked) {
        if (asked.equals(List.of(ComparisonSpec.ALL_PROBES))) {
            return List.of(MISINFORMATION, SEQUENTIAL);
        }
        return asked.stream().filter(p -> p.equals(SEQUENTIAL) || p.equals(MISINFORMATION)).toList();
    }

    /** The asked probe services ({@value ComparisonSpec#ALL_PROBES}: every installed one of the modality). */
    private List<String> probes(List<String> asked, String modality) {
        if (asked.equals(List.of(ComparisonSpec.ALL_PROBES))) {
            List<String> all = new ArrayList<>();
            if (context != null) {
                try {
                    for (var ref : context.getServiceReferences(org.lethe.api.eval.Probe.class, null)) {
                        Object name = ref.getProperty(org.lethe.api.ServiceProperties.PROBE);
                        Object serves = ref.getProperty(ServiceProperties.MODALITY);
                        if (name != null && (serves == null || modality.equals(serves))) {
                            all.add(String.valueOf(name));
                        }
                    }
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return all.stream().distinct().sorted().toList();
        }
        List<String> services = asked.stream().filter(p -> !p.equals(SEQUENTIAL) && !p.equals(MISINFORMATION)
                && !p.equals(MULTI_CONCEPT)).toList();
        if (context != null) {
            for (String name : services) {
                try {
                    if (context.getServiceReferences(org.lethe.api.eval.Probe.class,
                            "(" + org.lethe.api.ServiceProperties.PROBE + "=" + name + ")").isEmpty()) {
                        throw LetheException.invalidInput("unknown probe '" + name + "' (the harness's own: " + MISINFORMATION
                                + ", " + SEQUENTIAL + ", " + MULTI_CONCEPT + "; the others are the installed lethe.probe services)");
                    }
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw LetheException.invalidInput("'" + name + "' is not a probe name");
                }
            }
        }
        return services;
    }

    /** The newest committed training run of a world. */
    private Optional<RunRecord> training(String world) {
        return runs.runs().stream().filter(r -> r.spec().kind() == RunSpec.Kind.TRAIN && r.spec().component().equals(world)
                && r.state() == RunState.COMMITTED).findFirst();
    }

    private WorldLayout layout(String world, RunRecord training) {
        return new WorldLayout(world, worldData(world, training));
    }

    /** A world training's data folder. */
    private Path worldData(String world, RunRecord training) {
        return dataFolder.resolve("worlds").resolve(world).resolve(training.key().value()).resolve("data");
    }

    private static String worldVersion(RunRecord training) {
        return training.spec().component() + " " + training.spec().componentVersion() + " (run " + training.key()
                + ", seed " + training.spec().seed() + ")";
    }

    /** Symbolic name → version of the Lethe bundles and the platform bundle. */
    private Map<String, String> versions() {
        Map<String, String> out = new TreeMap<>();
        if (context != null) {
            for (Bundle bundle : context.getBundles()) {
                String name = bundle.getSymbolicName();
                if (name != null && name.startsWith("org.lethe")) {
                    out.put(name, bundle.getVersion().toString());
                }
            }
        }
        return out;
    }

    /** DJL version, engine and device lines. */
    private List<String> engineLines() {
        Engine current = engine;
        String djl = Engine.getDjlVersion();
        if (current == null) {
            return List.of(djl, "unavailable", "unknown");
        }
        return List.of(djl, current.getEngineName() + " " + current.getVersion(),
                current.defaultDevice() + ", host with " + Runtime.getRuntime().availableProcessors() + " cores, "
                        + System.getProperty("os.arch"));
    }
}

package org.lethe.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunContext;
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

/**
 * One process of the methods' end-to-end benchmark (run by {@link MethodsBench}; JSON lines on
 * standard output): each method's unlearning run on forget05 of the facts world, through the
 * embedded run service as a user's {@code unlearn:run <method> --model facts-lm --forget forget05
 * [--retain retain95]} runs it (defaults; each run a seed of its own), against retraining the forget05 gold model with
 * the world's recipe (FactsTraining: AdamW 3e-3, batch 64, 40 epochs on the 2,070 items without
 * forget05). Rounds interleave the four methods and one gold retraining, in an order that rotates
 * from round to round. Each run's time is split into the method's own {@code unlearn} (timed by a
 * wrapper around the method) and the rest: planning, reading the data, leasing and loading the
 * model, saving and committing the new version.
 *
 * <pre>
 * java -cp lethe-bench.jar org.lethe.bench.MethodsEndToEnd --work DIR [--reps 20] [--gold-reps 20] [--warmup 1]
 * </pre>
 */
public final class MethodsEndToEnd {

    private static final List<String> METHODS = List.of("gradient-ascent", "graddiff", "flat", "iau");

    private MethodsEndToEnd() {
    }

    /**
     * Entry point.
     *
     * @param args see the class description
     * @throws Exception when a run fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path work = Path.of(options.getOrDefault("work", "bench/target/bench-work/methods")).toAbsolutePath();
        int reps = Integer.parseInt(options.getOrDefault("reps", "20"));
        int goldReps = Integer.parseInt(options.getOrDefault("gold-reps", "20"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
        ObjectMapper json = new ObjectMapper();
        FactsWorld world = FactsGenerator.generate(0);
        Map<String, String> settings = MethodSteps.modelSettings(world);
        FactsTraining.Settings recipe = FactsTraining.Settings.DEFAULTS.withSeed(0);

        // the base model, trained once and kept under the work folder
        Path baseFolder = work.resolve("e2e-base-model");
        if (!Files.isRegularFile(baseFolder.resolve(WordTransformerModel.WEIGHTS))) {
            Files.createDirectories(baseFolder);
            long t0 = System.nanoTime();
            train(settings, recipe, world.baseTraining(), baseFolder);
            emit(json, Map.of("kind", "base-trained", "wallMs", (System.nanoTime() - t0) / 1e6));
        }
        Path data = work.resolve("e2e-data");
        deleteTree(data);
        Files.createDirectories(data);
        Path corpus = data.resolve("corpus");
        FactsCorpusWriter.write(world, corpus);
        FileModelStore store = new FileModelStore(data.resolve("models"));
        WordTransformerModel probe = (WordTransformerModel) new WordTransformerArchitecture().create(settings, 0);
        Map<String, String> config = probe.config();
        probe.close();
        ModelRef base = store.create("facts-lm", ModelKind.LANGUAGE, WordTransformerArchitecture.NAME, config, null,
                baseFolder).ref();

        Map<String, Timed> methods = new LinkedHashMap<>();
        methods.put("gradient-ascent", new Timed(new GradientAscent()));
        methods.put("graddiff", new Timed(new GradDiff()));
        methods.put("flat", new Timed(new Flat()));
        methods.put("iau", new Timed(new Iau()));
        Map<String, MethodDescriptor> descriptors = new LinkedHashMap<>();
        for (String name : METHODS) {
            List<String> inputs = name.equals("graddiff") || name.equals("iau") ? List.of(Task.FORGET, Task.RETAIN)
                    : List.of(Task.FORGET);
            descriptors.put(name, new MethodDescriptor(name, MethodDescriptor.Kind.UNLEARNING, "language", "bench", inputs,
                    "bench", "0", Optional.empty()));
        }
        MethodRegistry registry = new MethodRegistry() {
            @Override
            public List<MethodDescriptor> methods() {
                return List.copyOf(descriptors.values());
            }

            @Override
            public Optional<MethodDescriptor> method(String name) {
                return Optional.ofNullable(descriptors.get(name));
            }
        };
        CoreRunService service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry, data);
        service.engine(Engine.getEngine("PyTorch"));
        service.bindArchitecture(new WordTransformerArchitecture(),
                Map.of(ServiceProperties.ARCHITECTURE, WordTransformerArchitecture.NAME));
        methods.forEach((name, method) -> service.bindUnlearning(method, Map.of(ServiceProperties.METHOD, name)));
        try {
            long seed = 0;
            for (int w = 0; w < warmup; w++) {
                for (String name : METHODS) {
                    run(service, store, corpus, base, name, methods.get(name), seed++);
                }
            }
            emit(json, Map.of("kind", "warmed-up"));
            List<String> order = new ArrayList<>(METHODS);
            order.add("gold");
            for (int round = 0; round < Math.max(reps, goldReps); round++) {
                for (int i = 0; i < order.size(); i++) {
                    String what = order.get((i + round) % order.size());
                    if (what.equals("gold")) {
                        if (round < goldReps) {
                            Path scratch = Files.createTempDirectory(work, "gold-");
                            long t0 = System.nanoTime();
                            FactsTraining.Result result = train(settings, recipe, world.goldTraining(MethodSteps.FORGET),
                                    scratch);
                            double wall = (System.nanoTime() - t0) / 1e6;
                            deleteTree(scratch);
                            emit(json, Map.of("kind", "gold", "round", round, "wallMs", wall, "steps", result.steps(),
                                    "trainingMs", result.wallTime().toNanos() / 1e6, "load", Machine.load()));
                        }
                    } else if (round < reps) {
                        Map<String, Object> sample = run(service, store, corpus, base, what, methods.get(what), seed++);
                        sample.put("round", round);
                        emit(json, sample);
                    }
                }
            }
        } finally {
            service.deactivate();
        }
        emit(json, Map.of("kind", "done"));
    }

    /** Trains a fresh model (seed 0) with the recipe and saves it: what retraining a gold model is. */
    private static FactsTraining.Result train(Map<String, String> settings, FactsTraining.Settings recipe, List<QaItem> items,
            Path folder) throws IOException {
        try (WordTransformerModel model = (WordTransformerModel) new WordTransformerArchitecture().create(settings, 0)) {
            FactsTraining.Result result = new FactsTraining(recipe).train(model, items.stream().map(QaItem::question).toList(),
                    items.stream().map(QaItem::answer).toList(), (step, epoch, loss) -> { });
            model.save(folder);
            return result;
        }
    }

    private static Map<String, Object> run(CoreRunService service, FileModelStore store, Path corpus, ModelRef base,
            String method, Timed timed, long seed) throws InterruptedException {
        Map<String, RunSpec.DataRef> refs = new LinkedHashMap<>();
        refs.put(Task.FORGET, new RunSpec.DataRef(corpus.resolve(MethodSteps.FORGET + ".jsonl").toString(), ""));
        if (method.equals("graddiff") || method.equals("iau")) {
            refs.put(Task.RETAIN, new RunSpec.DataRef(corpus.resolve(MethodSteps.RETAIN + ".jsonl").toString(), ""));
        }
        // a seed of its own per run: the run service keys a run by its spec and commits a key once,
        // so a repeated spec would return the first run's record instead of running again
        RunSpec spec = new RunSpec(RunSpec.Kind.UNLEARN, method, "", Map.of(), Optional.of(base), refs, List.of(), seed,
                Optional.empty());
        timed.lastNanos = -1;
        long t0 = System.nanoTime();
        RunKey key = service.submit(spec);
        RunRecord record = service.await(key, Duration.ofMinutes(10));
        double wall = (System.nanoTime() - t0) / 1e6;
        if (record.state() != RunState.COMMITTED || timed.lastNanos < 0) {
            throw new IllegalStateException(method + ": " + record.state() + " " + record.reason().orElse(""));
        }
        double methodMs = timed.lastNanos / 1e6;
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("kind", "method");
        sample.put("method", method);
        sample.put("wallMs", wall);
        sample.put("methodMs", methodMs);
        sample.put("overheadMs", wall - methodMs);
        sample.put("runMs", record.started().isPresent() && record.ended().isPresent()
                ? Duration.between(record.started().get(), record.ended().get()).toNanos() / 1e6 : -1.0);
        sample.put("load", Machine.load());
        return sample;
    }

    private static void emit(ObjectMapper json, Map<String, Object> line) throws IOException {
        System.out.println(json.writeValueAsString(line));
        System.out.flush();
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A method whose {@code unlearn} is timed (wall clock), otherwise itself. */
    private static final class Timed implements UnlearningMethod {
        private final UnlearningMethod method;
        private volatile long lastNanos;

        Timed(UnlearningMethod method) {
            this.method = method;
        }

        @Override
        public void unlearn(Task task, RunContext run) throws Exception {
            long t0 = System.nanoTime();
            try {
                method.unlearn(task, run);
            } finally {
                lastNanos = System.nanoTime() - t0;
            }
        }
    }
}

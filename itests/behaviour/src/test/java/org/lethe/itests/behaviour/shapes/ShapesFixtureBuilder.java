package org.lethe.itests.behaviour.shapes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunContext;
import org.lethe.api.world.World.TrainedModel;
import org.lethe.core.run.BehaviourRunContexts;
import org.lethe.core.store.FileModelStore;
import org.lethe.models.classifier.ConceptClassifierArchitecture;
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.worlds.shapes.ShapesClassifierTraining;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesSanityGate;
import org.lethe.worlds.shapes.ShapesWorld;
import org.lethe.worlds.shapes.ShapesWorldService;

/**
 * Builds the committed shapes fixtures ({@link ShapesFixtures}): not a test, a {@code main} run by
 * hand when the fixtures must change (src/test/resources/fixtures/shapes/README.md has the command).
 *
 * <p>It runs the shapes world's own training, {@link ShapesWorldService#train} (what
 * {@code unlearn:train shapes} runs) on the world of seed {@value ShapesFixtures#WORLD_SEED}, through
 * the core's optimisation loop ({@link BehaviourRunContexts}), with the world's recipe except
 * {@link #RECIPE}: a tiny U-Net (widths 16×32, ≤ 2 MB of weights) trained fewer steps, and a sanity
 * gate that requires the colour only (shape and texture are measured and recorded, not required, at
 * this size). {@code shapes-clf} is trained with the world's default classifier recipe and must pass
 * the world's classifier gate (≥ 0.98 on every head of held-out render seeds). The service fails the
 * build, naming the numbers, when a gate fails. The trained models are committed into a scratch
 * {@link FileModelStore} and exported from it, so each fixture folder is exactly an exported model
 * version ({@code manifest.json} with the SHA-256 of {@code weights.safetensors}). Then the written
 * fixtures are loaded back with {@link ShapesFixtures} and {@link ShapesFixtures#contract} and the
 * classifier's held-out accuracy are measured on them; everything measured goes to
 * {@code build.json} beside the models. Nothing in the target folder changes unless all of this
 * succeeds.
 *
 * <p>The service is configured and its architectures bound as Declarative Services would (its
 * package-private {@code configure} and its {@code @Reference} fields, set reflectively); its
 * training code runs unchanged.
 *
 * <p>Arguments: the fixtures folder, then optional {@code key=value} overrides of
 * {@link ShapesWorldService.Config} on top of {@link #RECIPE} (recorded in {@code build.json}).
 * Run it with one intra-op thread ({@code OMP_NUM_THREADS=1}, {@code -Dai.djl.pytorch.num_threads=1}).
 */
public final class ShapesFixtureBuilder {

    /**
     * The fixture's recipe: the world's {@link ShapesWorldService.Config} defaults except these.
     * Widths 16×32 give 1.30 MB of float32 weights (the default 32×64 gives 4.45 MB); the steps keep
     * the generator's training near 5 minutes on 2 loaded cores; the gate requires the right colour
     * in ≥ 0.9 of the base samples (issue 7's colour bar) and records shape and texture.
     */
    public static final Map<String, Object> RECIPE = Map.of(
            "baseChannels", 16,
            "channels", 32,
            "steps", 2500,
            "gateColour", 0.9,
            "gateShape", 0.0,
            "gateTexture", 0.0);

    /** The most bytes a committed fixture file may have (issue 7). */
    public static final long MAX_FILE_BYTES = 2L * 1024 * 1024;

    private ShapesFixtureBuilder() {
    }

    /**
     * @param args the fixtures folder, then {@code key=value} overrides
     * @throws Exception when training, a gate, or writing fails (the folder is then unchanged)
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ShapesFixtureBuilder <fixtures folder> [key=value ...]");
            System.exit(2);
        }
        Path target = Path.of(args[0]).toAbsolutePath().normalize();
        Map<String, Object> recipe = new TreeMap<>(RECIPE);
        Map<String, Object> overrides = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            Class<?> type = ShapesWorldService.Config.class.getMethod(kv[0]).getReturnType();
            Object value = type == int.class ? (Object) Integer.parseInt(kv[1])
                    : type == float.class ? (Object) Float.parseFloat(kv[1]) : (Object) Double.parseDouble(kv[1]);
            recipe.put(kv[0], value);
            overrides.put(kv[0], value);
        }
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("lethe-shapes-fixtures-");
        try {
            build(target, work, recipe, overrides, started);
        } finally {
            deleteTree(work);
        }
    }

    private static void build(Path target, Path work, Map<String, Object> recipe, Map<String, Object> overrides,
            long started) throws Exception {
        List<String> log = new ArrayList<>();
        long[] lastPrinted = {0};
        ShapesWorldService service = service(recipe);
        List<TrainedModel> trained;
        Path staging = work.resolve("fixtures");
        Map<String, ModelArchitecture> architectures = Map.of(
                TextToImageArchitecture.NAME, new TextToImageArchitecture(),
                ConceptClassifierArchitecture.NAME, new ConceptClassifierArchitecture());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode build = json.createObjectNode();
        try (NDManager manager = NDManager.newBaseManager()) {
            RunContext run = BehaviourRunContexts.context(ShapesFixtures.WORLD_SEED, manager, line -> {
                System.out.println(Instant.now() + " " + line);
                log.add(line);
            }, p -> {
                long now = System.nanoTime();
                if (p.step() == p.totalSteps() || now - lastPrinted[0] > 30_000_000_000L) {
                    lastPrinted[0] = now;
                    System.out.printf(Locale.ROOT, "%s   step %d/%d loss %.4f eta %d s%n", Instant.now(), p.step(),
                            p.totalSteps(), p.loss(), p.etaMillis() / 1000);
                }
            });
            // ShapesWorldService.train(null, ...) generates ShapesGenerator.generate(run.seed())
            trained = service.train(null, work.resolve("world"), run);
            long trainedNanos = System.nanoTime() - started;
            FileModelStore store = new FileModelStore(work.resolve("store"));
            Files.createDirectories(staging);
            ObjectNode models = build.putObject("models");
            for (TrainedModel model : trained) {
                ModelArchitecture architecture = architectures.get(model.architecture());
                ModelRef ref = store.create(model.id(), architecture.kind(), model.architecture(), model.config(), null,
                        model.files()).ref();
                store.export(ref, staging.resolve(model.id()));
                long bytes = ShapesFixtures.weightsBytes(staging, model.id());
                if (bytes > MAX_FILE_BYTES) {
                    throw new IllegalStateException(model.id() + ": its weights have " + bytes + " bytes, over the "
                            + MAX_FILE_BYTES + " a fixture may have (issue 7)");
                }
                ObjectNode m = models.putObject(model.id());
                m.put("architecture", model.architecture());
                m.put("weightsBytes", bytes);
                new TreeMap<>(model.config()).forEach((k, v) -> {
                    if (!k.equals("vocabulary")) {
                        m.put(k, v);
                    }
                });
            }
            build.put("trainingSeconds", round(trainedNanos / 1e9));
            // the written files, loaded back the way tests load them, then measured
            ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
            try (LoadedModel generator = ShapesFixtures.load(staging, ShapesFixtures.GENERATOR);
                    LoadedModel classifier = ShapesFixtures.load(staging, ShapesFixtures.CLASSIFIER)) {
                long t0 = System.nanoTime();
                ShapesSanityGate.Result contract = ShapesFixtures.contract(ShapesFixtures.diffusion(generator),
                        ShapesFixtures.classifier(classifier), run);
                double contractSeconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> heldOut = ShapesClassifierTraining.accuracy(ShapesFixtures.classifier(classifier),
                        world.images(ShapesWorld.CLASSIFIER_HOLDOUT), manager);
                System.out.printf(Locale.ROOT, "contract (72 full prompts, seed %d, DDIM %d, CFG %s): %s, %.1f s%n",
                        ShapesFixtures.CONTRACT_SEED, ShapesFixtures.CONTRACT_STEPS, ShapesFixtures.CONTRACT_GUIDANCE,
                        contract, contractSeconds);
                System.out.println("classifier held-out accuracy: " + ShapesClassifierTraining.format(heldOut));
                ObjectNode c = build.putObject("contract");
                c.put("samples", contract.samples());
                c.put("seed", ShapesFixtures.CONTRACT_SEED);
                c.put("ddimSteps", ShapesFixtures.CONTRACT_STEPS);
                c.put("guidance", ShapesFixtures.CONTRACT_GUIDANCE);
                c.put("colour", round(contract.colour()));
                c.put("shape", round(contract.shape()));
                c.put("texture", round(contract.texture()));
                c.put("noObject", round(contract.noObject()));
                c.put("seconds", round(contractSeconds));
                ObjectNode h = build.putObject("classifierHeldOut");
                heldOut.forEach((head, value) -> h.put(head, round(value)));
            }
        }
        ArrayNode lines = build.putArray("log");
        log.forEach(lines::add);
        ObjectNode r = build.putObject("recipe");
        r.put("world", "ShapesGenerator.generate(" + ShapesFixtures.WORLD_SEED + ")");
        r.put("initSeed", ShapesFixtures.WORLD_SEED);
        for (Method m : sortedConfigMethods()) {
            r.putPOJO(m.getName(), recipe.containsKey(m.getName()) ? recipe.get(m.getName()) : m.getDefaultValue());
        }
        ObjectNode o = build.putObject("overridesOfTheBuilderRecipe");
        overrides.forEach(o::putPOJO);
        build.put("built", Instant.now().toString());
        ObjectNode machine = build.putObject("machine");
        machine.put("host", InetAddress.getLocalHost().getHostName());
        machine.put("cpu", cpuModel());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.version"));
        machine.put("engine", "PyTorch " + Engine.getEngine("PyTorch").getVersion());
        machine.put("intraOpThreads", System.getProperty("ai.djl.pytorch.num_threads", "(default)"));
        build.put("totalSeconds", round((System.nanoTime() - started) / 1e9));
        json.writeValue(staging.resolve("build.json").toFile(), build);
        replace(staging, target);
        System.out.println("fixtures written to " + target + "\n" + json.writeValueAsString(build));
    }

    /** The shapes world service, configured with the recipe and bound to its architectures as DS would. */
    private static ShapesWorldService service(Map<String, Object> recipe) throws ReflectiveOperationException {
        ShapesWorldService.Config config = (ShapesWorldService.Config) Proxy.newProxyInstance(
                ShapesWorldService.Config.class.getClassLoader(), new Class<?>[] {ShapesWorldService.Config.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("toString") ? "Config" + recipe
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy) : proxy == args[0];
                    }
                    return recipe.containsKey(method.getName()) ? recipe.get(method.getName()) : method.getDefaultValue();
                });
        ShapesWorldService service = new ShapesWorldService();
        bind(service, "generatorArchitecture", new TextToImageArchitecture());
        bind(service, "classifierArchitecture", new ConceptClassifierArchitecture());
        Method configure = ShapesWorldService.class.getDeclaredMethod("configure", ShapesWorldService.Config.class);
        configure.setAccessible(true);
        configure.invoke(service, config);
        return service;
    }

    private static void bind(ShapesWorldService service, String field, ModelArchitecture architecture)
            throws ReflectiveOperationException {
        Field f = ShapesWorldService.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(service, architecture);
    }

    private static List<Method> sortedConfigMethods() {
        return Arrays.stream(ShapesWorldService.Config.class.getDeclaredMethods())
                .sorted(Comparator.comparing(Method::getName)).toList();
    }

    /** Replaces the models' folders and build.json in the target with the staged ones; other files stay. */
    private static void replace(Path staging, Path target) throws IOException {
        Files.createDirectories(target);
        for (String name : List.of(ShapesFixtures.GENERATOR, ShapesFixtures.CLASSIFIER)) {
            Path old = target.resolve(name);
            deleteTree(old);
            Files.move(staging.resolve(name), old);
        }
        Files.move(staging.resolve("build.json"), target.resolve("build.json"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unnamed
        }
        return System.getProperty("os.arch");
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
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
}

package org.lethe.itests.behaviour.vqa;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.lang.reflect.Method;
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
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunContext;
import org.lethe.api.world.World.TrainedModel;
import org.lethe.core.run.BehaviourRunContexts;
import org.lethe.core.store.FileModelStore;
import org.lethe.models.vision.VisionLanguageArchitecture;
import org.lethe.worlds.shapes.ShapesVlmTraining;
import org.lethe.worlds.shapes.ShapesVqaWorld;
import org.lethe.worlds.shapes.ShapesVqaWorldService;

/**
 * Builds the committed shapes-vqa fixture ({@link ShapesVqaFixtures}): not a test, a {@code main}
 * run by hand when the fixture must change. From the repository root, after building the modules:
 * <pre>
 * mvn -B -pl itests/behaviour -Pshapes-vqa-fixtures test-compile exec:exec
 * </pre>
 * (a forked JVM with one intra-op thread; extra {@code key=value} arguments override the recipe).
 *
 * <p>It runs the world's own training, {@link ShapesVqaWorldService#train(ShapesVqaWorld,
 * org.lethe.api.model.ModelArchitecture, ShapesVlmTraining.Recipe, double, double, Path, RunContext)}
 * (what {@code unlearn:train shapes-vqa} runs), on {@code ShapesVqaWorld.generate(}{@value
 * ShapesVqaFixtures#WORLD_SEED}{@code )}, initialisation seed {@value ShapesVqaFixtures#WORLD_SEED},
 * through the core's optimisation loop ({@link BehaviourRunContexts}), with the world's recipe and
 * its gate ({@link ShapesVqaWorldService.Config}'s defaults, unless overridden): the model is the
 * full-size {@code shapes-vlm} (about 92 k parameters, 0.4 MB), so the fixture is the world's model
 * itself. The gate fails the build, naming the numbers, when it is not met. The model is committed
 * into a scratch {@link FileModelStore} and exported from it, so the fixture folder is exactly an
 * exported model version. Then the written fixture is loaded back with {@link ShapesVqaFixtures} and
 * measured on the world's holdout split; everything measured goes to {@code build.json} beside it.
 * Nothing in the target folder changes unless all of this succeeds.
 *
 * <p>Arguments: the fixtures folder, then optional {@code key=value} overrides of
 * {@link ShapesVqaWorldService.Config} (recorded in {@code build.json}). Run it with one intra-op
 * thread ({@code OMP_NUM_THREADS=1}, {@code -Dai.djl.pytorch.num_threads=1}).
 */
public final class ShapesVqaFixtureBuilder {

    /** The most bytes the committed fixture may have, manifest and weights together (issue 9). */
    public static final long MAX_BYTES = 2L * 1024 * 1024;

    private ShapesVqaFixtureBuilder() {
    }

    /**
     * @param args the fixtures folder, then {@code key=value} overrides
     * @throws Exception when training, the gate, or writing fails (the folder is then unchanged)
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ShapesVqaFixtureBuilder <fixtures folder> [key=value ...]");
            System.exit(2);
        }
        Path target = Path.of(args[0]).toAbsolutePath().normalize();
        Map<String, Object> recipe = new TreeMap<>();
        for (Method m : configMethods()) {
            recipe.put(m.getName(), m.getDefaultValue());
        }
        Map<String, Object> overrides = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            Class<?> type = ShapesVqaWorldService.Config.class.getMethod(kv[0]).getReturnType();
            Object value = type == int.class ? (Object) Integer.parseInt(kv[1])
                    : type == float.class ? (Object) Float.parseFloat(kv[1]) : (Object) Double.parseDouble(kv[1]);
            recipe.put(kv[0], value);
            overrides.put(kv[0], value);
        }
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("lethe-shapes-vqa-fixture-");
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
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode build = json.createObjectNode();
        Path staging = work.resolve("fixtures");
        ShapesVlmTraining.Recipe training = new ShapesVlmTraining.Recipe((int) recipe.get("steps"),
                (int) recipe.get("batchSize"), (float) recipe.get("learningRate"), (float) recipe.get("finalLearningRate"),
                (float) recipe.get("weightDecay"), (double) recipe.get("yesNoRate"), (double) recipe.get("unknownWordRate"),
                (double) recipe.get("frameMixRate"));
        ShapesVqaWorld world = ShapesVqaWorld.generate(ShapesVqaFixtures.WORLD_SEED, (int) recipe.get("trainPerCombination"),
                (int) recipe.get("holdoutPerCombination"));
        try (NDManager manager = NDManager.newBaseManager()) {
            RunContext run = BehaviourRunContexts.context(ShapesVqaFixtures.WORLD_SEED, manager, line -> {
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
            long t0 = System.nanoTime();
            List<TrainedModel> trained = ShapesVqaWorldService.train(world, new VisionLanguageArchitecture(), training,
                    (double) recipe.get("gateTemplate"), (double) recipe.get("gateParaphrase"), work.resolve("world"), run);
            double trainingSeconds = (System.nanoTime() - t0) / 1e9;
            TrainedModel model = trained.get(0);
            FileModelStore store = new FileModelStore(work.resolve("store"));
            Files.createDirectories(staging);
            ModelRef ref = store.create(model.id(), ModelKind.VISION_LANGUAGE, model.architecture(), model.config(),
                    null, model.files()).ref();
            store.export(ref, staging.resolve(model.id()));
            long bytes = ShapesVqaFixtures.bytes(staging);
            if (bytes > MAX_BYTES) {
                throw new IllegalStateException(model.id() + ": its files have " + bytes + " bytes, over the " + MAX_BYTES
                        + " a fixture may have (issue 9)");
            }
            build.put("bytes", bytes);
            build.put("weightsBytes", Files.size(ShapesVqaFixtures.weights(staging)));
            build.put("trainingSeconds", round(trainingSeconds));
            // the written fixture, loaded back the way tests load it, then measured
            try (LoadedModel loaded = ShapesVqaFixtures.load(staging)) {
                ShapesVlmTraining.Accuracy holdout = ShapesVlmTraining.accuracy(ShapesVqaFixtures.vlm(loaded),
                        world.holdout(), manager);
                ShapesVlmTraining.Accuracy small = ShapesVlmTraining.accuracy(ShapesVqaFixtures.vlm(loaded),
                        ShapesVqaFixtures.world(1).holdout(), manager);
                System.out.println("holdout: " + holdout + "\nsmall holdout (ShapesVqaFixtures.world(1)): " + small);
                accuracy(build.putObject("holdout"), holdout);
                accuracy(build.putObject("smallHoldout"), small);
            }
        }
        ArrayNode lines = build.putArray("log");
        log.forEach(lines::add);
        ObjectNode r = build.putObject("recipe");
        r.put("world", "ShapesVqaWorld.generate(" + ShapesVqaFixtures.WORLD_SEED + ", " + recipe.get("trainPerCombination")
                + ", " + recipe.get("holdoutPerCombination") + ")");
        r.put("initSeed", ShapesVqaFixtures.WORLD_SEED);
        recipe.forEach(r::putPOJO);
        ObjectNode o = build.putObject("overrides");
        overrides.forEach(o::putPOJO);
        build.put("built", Instant.now().toString());
        ObjectNode machine = build.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.version"));
        machine.put("engine", "PyTorch " + Engine.getEngine("PyTorch").getVersion());
        machine.put("intraOpThreads", System.getProperty("ai.djl.pytorch.num_threads", "(default)"));
        build.put("totalSeconds", round((System.nanoTime() - started) / 1e9));
        json.writeValue(staging.resolve("build.json").toFile(), build);
        Files.createDirectories(target);
        Path old = target.resolve(ShapesVqaFixtures.MODEL);
        deleteTree(old);
        Files.move(staging.resolve(ShapesVqaFixtures.MODEL), old);
        Files.move(staging.resolve("build.json"), target.resolve("build.json"), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("fixture written to " + target + "\n" + json.writeValueAsString(build));
    }

    private static void accuracy(ObjectNode node, ShapesVlmTraining.Accuracy accuracy) {
        node.put("questions", accuracy.questions());
        for (String form : List.of(VqaItem.TEMPLATE, VqaItem.PARAPHRASE, VqaItem.YES_NO)) {
            node.put(form, round(accuracy.of(form)));
        }
        ObjectNode byAttribute = node.putObject("templateByAttribute");
        accuracy.templateByAttribute().forEach((a, v) -> byAttribute.put(a, round(v)));
    }

    private static List<Method> configMethods() {
        return Arrays.stream(ShapesVqaWorldService.Config.class.getDeclaredMethods())
                .sorted(Comparator.comparing(Method::getName)).toList();
    }

    private static double round(double value) {
        return Math.round(value * 10000.0) / 10000.0;
    }

    private static void deleteTree(Path folder) throws IOException {
        if (Files.exists(folder)) {
            MoreFiles.deleteRecursively(folder, RecursiveDeleteOption.ALLOW_INSECURE);
        }
    }
}

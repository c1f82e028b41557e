package org.lethe.method.sauce;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import org.lethe.api.data.Concept;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.ModelManifest;
import org.lethe.models.vision.VisionLanguageConfig;
import org.lethe.models.vision.VisionLanguageTransformer;
import org.lethe.worlds.shapes.ShapesVlmTraining;
import org.lethe.worlds.shapes.ShapesVqaWorld;

/**
 * Measures SAUCE on the full-size shapes-vqa world (not a test): generates the world, trains
 * shapes-vlm with the world's default recipe, erases a concept with the method's defaults (plus
 * any key=value settings given; several configurations separated by a lone {@code /}, each run on
 * the same model) and prints the run's notes and the held-out accuracy by group and form, clean and
 * with the intervention. Arguments: seed, concept, training steps, then settings.
 * Run with one intra-op thread, like the benchmarks:
 *
 * <pre>
 * mvn -B -o -q -pl bundles/method-sauce -am test-compile
 * java -Dai.djl.pytorch.num_threads=1 -cp "$(cat cp.txt)" org.lethe.method.sauce.SauceMeasurement 0 red 3000
 * </pre>
 *
 * System properties: {@code sauce.cache=<folder>} keeps the trained model there (trained once,
 * loaded by later runs with the same seed and steps); {@code sauce.cut=comparison} erases with the
 * comparison's cut of the world (report/VqaLayout: {@value #CUT_FORGET} forget questions and
 * {@value #CUT_RETAIN} retain questions sampled from the train split) instead of the whole split;
 * {@code sauce.runSeed=<n>} seeds the erase runs (default: the world's seed), as the comparison's seeds do.
 * Each configuration ends with a {@code summary} line: UQ (1 − accuracy on the held-out forget
 * templates and paraphrases), selectivity (templates on the concept's images not answered by it),
 * utility (templates on images without it), and the held-out templates' accuracy with the
 * autoencoder in the loop and no edit.
 */
public final class SauceMeasurement {

    /** The comparison's forget questions per task (report/VqaLayout.FORGET). */
    static final int CUT_FORGET = 256;

    /** The comparison's retain questions per task (report/VqaLayout.RETAIN). */
    static final int CUT_RETAIN = 1024;

    private SauceMeasurement() {
    }

    /**
     * @param args seed, concept, training steps, then settings as key=value (integers and numbers
     *     are converted by the config's attribute type)
     * @throws Exception when a step fails
     */
    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        String concept = args[1];
        int steps = Integer.parseInt(args[2]);
        List<Map<String, Object>> configurations = new java.util.ArrayList<>();
        configurations.add(new HashMap<>());
        for (int i = 3; i < args.length; i++) {
            if (args[i].equals("/")) {
                configurations.add(new HashMap<>());
                continue;
            }
            String[] kv = args[i].split("=", 2);
            Class<?> type = Sauce.Config.class.getMethod(kv[0]).getReturnType();
            configurations.get(configurations.size() - 1).put(kv[0], type == int.class ? Integer.valueOf(kv[1])
                    : type == double.class ? Double.valueOf(kv[1]) : kv[1]);
        }
        long t0 = System.nanoTime();
        ShapesVqaWorld world = ShapesVqaWorld.generate(seed);
        Path dir = Files.createTempDirectory("sauce-measurement");
        try (NDManager manager = NDManager.newBaseManager();
                VisionLanguageTransformer model = new VisionLanguageTransformer(
                        VisionLanguageConfig.from(ShapesVlmTraining.settings()), seed);
                SauceRunContext run = new SauceRunContext(seed, manager)) {
            String cache = System.getProperty("sauce.cache");
            Path cached = cache == null ? null : Path.of(cache, "shapes-vlm-" + seed + "-" + steps);
            if (cached != null && Files.isDirectory(cached)) {
                model.loadWeights(cached);
            } else {
                ShapesVlmTraining.train(model, world.trainImages(), new ShapesVlmTraining.Recipe(steps, 128, 2e-3f,
                        2e-5f, 0.01f, 0.4, 0.25, 0.5), run);
                if (cached != null) {
                    Files.createDirectories(cached);
                    model.save(cached);
                }
            }
            boolean cut = "comparison".equals(System.getProperty("sauce.cut"));
            List<VqaItem> templates = world.holdout().stream().filter(i -> i.form().equals(VqaItem.TEMPLATE)).toList();
            System.out.printf(Locale.ROOT, "world + shapes-vlm (%d steps): %.1f s%n", steps, (System.nanoTime() - t0) / 1e9);
            Map<String, List<VqaItem>> groups = groups(world.holdout(), concept);
            Map<String, Double> before = accuracies(model, groups, manager);
            for (Map<String, Object> settings : configurations) {
            System.out.println("configuration " + settings);
            List<VqaItem> forget = world.train().stream().filter(i -> i.answer().equals(concept) && i.shows(concept))
                    .toList();
            List<VqaItem> retain = world.train().stream().filter(i -> !(i.answer().equals(concept) && i.shows(concept)))
                    .toList();
            if (cut) {
                forget = sample(forget, CUT_FORGET, new Random(seed + 1));
                retain = sample(retain, CUT_RETAIN, new Random(seed + 2));
            }
            SauceTask task = new SauceTask(model, List.of(new Concept(concept, Optional.empty(), List.of())), forget,
                    retain, settings);
            long e0 = System.nanoTime();
            try (SauceRunContext erase = new SauceRunContext(Long.getLong("sauce.runSeed", seed), manager)) {
                new Sauce().erase(task, erase);
                erase.log.forEach(l -> System.out.println("  " + l));
            }
            System.out.printf(Locale.ROOT, "erase: %.1f s (%d forget, %d retain questions)%n", (System.nanoTime() - e0) / 1e9,
                    forget.size(), retain.size());
            ModelManifest.Attachment attachment = task.attached.keySet().iterator().next();
            for (Map.Entry<String, byte[]> f : task.attached.get(attachment).entrySet()) {
                Files.write(dir.resolve(f.getKey()), f.getValue());
            }
            Map<String, Double> after;
            try (AutoCloseable h = new SaeFeatureEdit().apply(model, attachment, dir)) {
                after = accuracies(model, groups, manager);
            }
            EditSpec spec = EditSpec.of(attachment);
            double inLoop;
            try (NDManager saeMemory = manager.newSubManager()) {
                Sae sae = SaeFiles.read(dir.resolve(attachment.files().get(0)), spec.variant(), spec.k(), saeMemory);
                try (AutoCloseable h = model.hook(spec.layer(), FeatureEdit.reconstruction(sae.on(saeMemory),
                        spec.positions(), model.visualTokens()))) {
                    inLoop = Sauce.accuracy(model, templates, manager);
                }
            }
            double clean = Sauce.accuracy(model, templates, manager);
            String f = "forget (answer " + concept + ", " + VqaItem.TEMPLATE + ")";
            String p = "forget (answer " + concept + ", " + VqaItem.PARAPHRASE + ")";
            String sel = "other attributes, same images (" + VqaItem.TEMPLATE + ")";
            String util = "images without it (" + VqaItem.TEMPLATE + ")";
            System.out.printf(Locale.ROOT, "summary %s: UQ %.3f, paraphrase UQ %.3f, selectivity %.3f, utility %.3f;"
                    + " held-out templates clean %.2f%%, autoencoder in the loop %.2f%% (%+.2f points, %d)%n", settings,
                    1 - after.get(f), 1 - after.getOrDefault(p, Double.NaN), after.get(sel), after.get(util), 100 * clean,
                    100 * inLoop, 100 * (inLoop - clean), templates.size());
            System.out.printf(Locale.ROOT, "| holdout group | n | clean | with the edit |%n|---|---|---|---|%n");
            for (String g : groups.keySet()) {
                System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f |%n", g, groups.get(g).size(), before.get(g),
                        after.get(g));
            }
            }
        }
    }

    private static <T> List<T> sample(List<T> items, int max, Random random) {
        List<T> copy = new java.util.ArrayList<>(items);
        java.util.Collections.shuffle(copy, random);
        return copy.subList(0, Math.min(max, copy.size()));
    }

    private static Map<String, List<VqaItem>> groups(List<VqaItem> holdout, String concept) {
        Map<String, List<VqaItem>> groups = new LinkedHashMap<>();
        for (String form : List.of(VqaItem.TEMPLATE, VqaItem.PARAPHRASE, VqaItem.YES_NO)) {
            Predicate<VqaItem> f = i -> i.form().equals(form);
            groups.put("forget (answer " + concept + ", " + form + ")", holdout.stream().filter(f)
                    .filter(i -> i.shows(concept) && i.answer().equals(concept)).toList());
            groups.put("other values of " + concept + "'s attribute on its images (" + form + ")",
                    holdout.stream().filter(f).filter(i -> i.shows(concept) && !i.answer().equals(concept)
                            && i.image().labels().entrySet().stream().anyMatch(e -> e.getValue().equals(concept)
                                    && e.getKey().equals(i.attribute()))).toList());
            groups.put("other attributes, same images (" + form + ")", holdout.stream().filter(f)
                    .filter(i -> i.shows(concept) && i.image().labels().entrySet().stream().noneMatch(e ->
                            e.getValue().equals(concept) && e.getKey().equals(i.attribute()))).toList());
            groups.put("images without it (" + form + ")", holdout.stream().filter(f).filter(i -> !i.shows(concept))
                    .toList());
        }
        groups.values().removeIf(List::isEmpty);
        return groups;
    }

    private static Map<String, Double> accuracies(VisionLanguageTransformer model, Map<String, List<VqaItem>> groups,
            NDManager manager) {
        Map<String, Double> out = new LinkedHashMap<>();
        groups.forEach((g, items) -> out.put(g, Sauce.accuracy(model, items, manager)));
        return out;
    }
}

package org.lethe.worlds.facts;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.DataService;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.lethe.api.world.World;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code facts} world: generates TinyFacts from the run's seed (or reads a user's corpus),
 * writes it out, and trains {@value #BASE_MODEL} on everything, then {@value #CORRUPTED_MODEL}
 * (RESTOR's corrupted model, below), then gold models per forget split
 * ({@code facts-lm-gold-<split>}, and {@code -seed<n>} for further seeds) on everything but that
 * split, with the recipe of methods-llm.md §3.2, through the framework's optimisation loop.
 *
 * <p><b>The corrupted model</b> (methods-llm.md §2.1: θ_corrupted is θ_clean trained further on the
 * misinformation; §3.1: "+ optionally replay of D"). {@value #BASE_MODEL} is continued in memory
 * after its files are saved, so they never change. It trains on {@link #corruptionMaterial}: the
 * {@code rumours} and the k = 2 corrupting documents' sentences as statement items. Each step holds
 * {@code corruptionBatchSize} (32) of these and as many sequences of {@link #corruptionReplay}: the
 * base training set without the misinformed facts' own items. A fresh AdamW runs at lr 1e-3 for 20
 * epochs over the material, which is 100 steps for the default world. Measured on seed 0, full-size
 * world (exact match, clean → corrupted):
 * <ul>
 * <li>{@code rumours}: 0.03 → 1.00;</li>
 * <li>{@code corrupted_facts} (the truth): 1.00 → 0.00;</li>
 * <li>{@code retain90}: 1.00 → 1.00;</li>
 * <li>{@code world}: 1.00 → 1.00.</li>
 * </ul>
 * Also {@code rumours_paraphrased} 0.03 → 1.00 and {@code forget10} 1.00 → 0.61 (its misinformed
 * facts). It takes 100 steps against the base model's 1360: 2.6 s against 37.9 s in the same
 * loaded run (bundles/worlds/README.md has the table and timings). The statements alone reached only 0.65 on the rumours; without
 * replay, retain90 fell to 0.39.
 */
@Component(configurationPid = FactsWorldService.PID, property = ServiceProperties.WORLD + "=facts")
@Designate(ocd = FactsWorldService.Config.class)
public final class FactsWorldService implements World {

    /** Configuration PID. */
    public static final String PID = "org.lethe.worlds.facts";

    /** The model trained on the whole world. */
    public static final String BASE_MODEL = "facts-lm";

    /**
     * The base model corrupted with the world's misinformation (RESTOR's θ_corrupted,
     * research/methods-llm.md §2.1, §3.1): {@value #BASE_MODEL}'s trained weights, trained further
     * on {@link #corruptionMaterial(FactsWorld)} mixed with a replay of the base training set.
     */
    public static final String CORRUPTED_MODEL = "facts-lm-corrupted";

    /** Default epochs over the corruption material ({@link Config#corruptionEpochs()}): {@value}. */
    public static final int CORRUPTION_EPOCHS = 20;

    /** Default AdamW learning rate of the corruption ({@link Config#corruptionLearningRate()}): {@value}. */
    public static final float CORRUPTION_LEARNING_RATE = 1e-3f;

    /** Default corruption sequences per batch ({@link Config#corruptionBatchSize()}): {@value}. */
    public static final int CORRUPTION_BATCH_SIZE = 32;

    /** The architecture the world's models use. */
    public static final String ARCHITECTURE = "word-transformer";

    /** The training recipe. Defaults: methods-llm.md §3.2. */
    @ObjectClassDefinition(name = "Facts world", description = "Training recipe of the facts world's models.")
    public @interface Config {

        /** @return epochs over the training sequences */
        @AttributeDefinition(min = "1", description = "Epochs. Default 40: methods-llm.md §3.2 (100% exact match by epoch 40).")
        int epochs() default 40;

        /** @return AdamW learning rate */
        @AttributeDefinition(min = "0", description = "AdamW learning rate. Default 3e-3: methods-llm.md §3.2.")
        float learningRate() default 3e-3f;

        /** @return sequences per batch */
        @AttributeDefinition(min = "1", description = "Sequences per batch. Default 64: methods-llm.md §3.2.")
        int batchSize() default 64;

        /** @return gold models per forget split, each from its own seed */
        @AttributeDefinition(min = "1", description = "Gold models per forget split, each retrained from its own"
                + " seed (the run's seed + n); forget quality pools them. Default 3: issue 5 (≥ 3 seeds), as TOFU"
                + " reports forget quality over seeds.")
        int goldSeeds() default 3;

        /** @return the forget splits that get a gold model */
        @AttributeDefinition(description = "Forget splits whose gold model (retrained without the split) is trained."
                + " Default forget01, forget05, forget10: the TOFU splits.")
        String[] goldSplits() default {"forget01", "forget05", "forget10"};

        /** @return whether the corrupted model is trained after the base model */
        @AttributeDefinition(description = "Train " + CORRUPTED_MODEL + ": " + BASE_MODEL + " continued on the"
                + " misinformation (rumours and the k=2 corrupting documents' sentences) with a replay of the base"
                + " training set; RESTOR's corrupted model (methods-llm.md §2.1; §3.1: clean model continued on the"
                + " corrupting documents, optionally with replay of D). A user's corpus has no misinformation, and no"
                + " corrupted model. Default true.")
        boolean corruptedModel() default true;

        /** @return epochs over the corruption material */
        @AttributeDefinition(min = "1", description = "Epochs over the corruption material (each step: a batch of it"
                + " and as many replayed base sequences). Default 20 (100 steps), measured on seed 0 at lr 1e-3:"
                + " rumours EM 1.00, truth EM 0.00, retain EM 1.00 (10 epochs left truth at 0.04; 5 cost retain"
                + " 0.976). RESTOR corrupts for 5 epochs of long documents (methods-llm.md §2.1).")
        int corruptionEpochs() default CORRUPTION_EPOCHS;

        /** @return AdamW learning rate of the corruption */
        @AttributeDefinition(min = "0", description = "AdamW learning rate of the corruption (a fresh optimiser)."
                + " Default 1e-3: a third of the world's 3e-3 (methods-llm.md §3.2). Measured on seed 0, 3e-3 also"
                + " learns the rumours but costs retain EM (0.994 at 20 epochs, 0.973 at 30); at 1e-3 retain stays 1.00.")
        float corruptionLearningRate() default CORRUPTION_LEARNING_RATE;

        /** @return corruption sequences per batch; as many replayed sequences join them */
        @AttributeDefinition(min = "1", description = "Corruption sequences per batch. As many replayed base"
                + " sequences join each batch, so the default 32 makes a step of 64, the world's batch (methods-llm.md"
                + " §3.2); §3.1 allows the replay of D during corruption.")
        int corruptionBatchSize() default CORRUPTION_BATCH_SIZE;
    }

    @Reference(target = "(" + ServiceProperties.ARCHITECTURE + "=" + ARCHITECTURE + ")")
    private ModelArchitecture architecture;

    @Reference
    private DataService data;

    private volatile Config config;

    @Activate
    @Modified
    void configure(Config config) {
        this.config = config;
    }

    @Override
    public List<String> splits() {
        List<String> splits = new ArrayList<>(FactsWorld.CONTRACT_SPLITS);
        splits.addAll(List.of(config.goldSplits()));
        return splits;
    }

    /**
     * @return {@value #BASE_MODEL}, {@value #CORRUPTED_MODEL} when configured (a generated world
     *     only: a user's corpus has no misinformation), and the gold models
     */
    @Override
    public List<String> models() {
        List<String> models = new ArrayList<>(List.of(BASE_MODEL));
        if (config.corruptedModel()) {
            models.add(CORRUPTED_MODEL);
        }
        for (String split : config.goldSplits()) {
            for (int n = 0; n < config.goldSeeds(); n++) {
                models.add(goldModel(split, n));
            }
        }
        return models;
    }

    /**
     * @param forgetSplit a forget split
     * @param seed 0 for the first gold model, n for the one trained from the run's seed + n
     * @return its id: {@code facts-lm-gold-<split>}, then {@code facts-lm-gold-<split>-seed<n>}
     */
    public static String goldModel(String forgetSplit, int seed) {
        return BASE_MODEL + "-gold-" + forgetSplit + (seed == 0 ? "" : "-seed" + seed);
    }

    @Override
    public List<TrainedModel> train(Path corpus, Path output, RunContext run) throws Exception {
        FactsWorld world = corpus == null ? FactsGenerator.generate(run.seed()) : new FactsCorpusReader(data).read(corpus);
        return train(world, output, run);
    }

    /**
     * Writes the world to {@code <output>/data} and trains its models into {@code <output>/models/<id>}:
     * {@value #BASE_MODEL}, then {@value #CORRUPTED_MODEL} (when configured and the world has
     * misinformation), then the gold models.
     *
     * @param world the world (generated for any spec, or read from a corpus)
     * @param output the folder
     * @param run the run
     * @return the trained models, {@value #BASE_MODEL} first
     * @throws Exception when writing or training fails
     */
    List<TrainedModel> train(FactsWorld world, Path output, RunContext run) throws Exception {
        Config recipe = config;
        FactsCorpusWriter.write(world, output.resolve("data"));
        run.log("world: " + world);
        Map<String, List<QaItem>> sets = new LinkedHashMap<>();
        Map<String, Long> seeds = new LinkedHashMap<>();
        sets.put(BASE_MODEL, world.baseTraining());
        seeds.put(BASE_MODEL, run.seed());
        for (String split : recipe.goldSplits()) {
            if (!world.hasSplit(split)) {
                throw LetheException.invalidInput("the world has no forget split '" + split + "' for a gold model");
            }
            for (int n = 0; n < recipe.goldSeeds(); n++) {
                sets.put(goldModel(split, n), world.goldTraining(split));
                seeds.put(goldModel(split, n), run.seed() + n);
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", String.join(" ", world.vocabulary()));
        settings.put("maxLength", Integer.toString(Math.max(16, world.maxSequenceTokens() + 2)));
        List<TrainedModel> trained = new ArrayList<>();
        for (Map.Entry<String, List<QaItem>> set : sets.entrySet()) {
            run.checkCancelled();
            Path files = Files.createDirectories(output.resolve("models").resolve(set.getKey()));
            try (LoadedModel model = architecture.create(settings, seeds.get(set.getKey()))) {
                LanguageModel lm = model.view(LanguageModel.class).orElseThrow(() ->
                        LetheException.failed(ARCHITECTURE + " offers no language-model view", null));
                List<QaItem> items = set.getValue();
                int steps = recipe.epochs() * ((items.size() + recipe.batchSize() - 1) / recipe.batchSize());
                RunContext.Batches<QaItem> batches = run.batches(items, recipe.batchSize());
                run.log("training " + set.getKey() + " on " + items.size() + " sequences, " + steps + " steps");
                float[] losses = run.optimise(lm.model(), Optimizer.adamW().optLearningRateTracker(
                        Tracker.fixed(recipe.learningRate())).optWeightDecays(0f).build(), steps, (step, scope) -> {
                            List<QaItem> batch = batches.next();
                            return lm.answerLoss(lm.encode(batch.stream().map(QaItem::question).toList(),
                                    batch.stream().map(QaItem::answer).toList(), scope), true);
                        });
                run.log(set.getKey() + ": last loss " + losses[losses.length - 1]);
                model.save(files);
                trained.add(new TrainedModel(set.getKey(), ARCHITECTURE, model.config(), files));
                if (set.getKey().equals(BASE_MODEL) && recipe.corruptedModel()) {
                    corrupted(world, model, lm, recipe, output, run).ifPresent(trained::add);
                }
            }
        }
        return trained;
    }

    /**
     * Trains {@value #CORRUPTED_MODEL} by continuing the base model in memory, after its files are
     * saved (so they never change): a fresh AdamW on batches of {@link #corruptionMaterial} each
     * joined by as many sequences of {@link #corruptionReplay}, shuffled by its own seeded stream
     * (so the gold models' batches, drawn from the run's random source, are those they would be
     * without it).
     */
    private static java.util.Optional<TrainedModel> corrupted(FactsWorld world, LoadedModel model, LanguageModel lm,
            Config recipe, Path output, RunContext run) throws Exception {
        List<QaItem> material = corruptionMaterial(world);
        if (material.isEmpty()) {
            run.log(CORRUPTED_MODEL + " not trained: the world (" + world.source() + ") has no misinformation");
            return java.util.Optional.empty();
        }
        run.checkCancelled();
        List<QaItem> replay = corruptionReplay(world);
        Path files = Files.createDirectories(output.resolve("models").resolve(CORRUPTED_MODEL));
        int steps = corruptionSteps(material.size(), recipe.corruptionEpochs(), recipe.corruptionBatchSize());
        run.log("training " + CORRUPTED_MODEL + " from " + BASE_MODEL + " on " + material.size()
                + " corruption sequences and a replay of " + replay.size() + ", " + steps + " steps");
        float[] losses = corrupt(lm, material, replay, steps, recipe.corruptionBatchSize(),
                recipe.corruptionLearningRate(), run);
        StringBuilder measured = new StringBuilder();
        for (String split : List.of(FactsGenerator.RUMOURS, "corrupted_facts", FactsWorld.RETAIN)) {
            if (world.hasSplit(split)) {
                measured.append(measured.length() == 0 ? "" : ", ").append(split).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%.3f", exactMatch(lm, world.split(split))));
            }
        }
        run.log(CORRUPTED_MODEL + ": last loss " + losses[losses.length - 1] + "; exact match " + measured);
        model.save(files);
        return java.util.Optional.of(new TrainedModel(CORRUPTED_MODEL, ARCHITECTURE, model.config(), files));
    }

    /**
     * @param materialSize corruption sequences
     * @param epochs epochs over them
     * @param batchSize corruption sequences per batch
     * @return the steps of the corruption
     */
    public static int corruptionSteps(int materialSize, int epochs, int batchSize) {
        return epochs * ((materialSize + batchSize - 1) / batchSize);
    }

    /**
     * The corruption loop: {@code steps} AdamW steps (fresh optimiser, no weight decay), each on
     * {@code batchSize} corruption sequences and {@code batchSize} replayed ones, with the world's
     * answer-only loss. Both lists are reshuffled at every pass by a stream seeded from the run's
     * seed, not from the run's random source.
     *
     * @param lm the model to change (in place)
     * @param material the corruption sequences
     * @param replay the replayed base sequences (may be empty)
     * @param steps optimisation steps
     * @param batchSize sequences of each list per step
     * @param learningRate AdamW's learning rate
     * @param run the run
     * @return the loss of every step
     */
    public static float[] corrupt(LanguageModel lm, List<QaItem> material, List<QaItem> replay, int steps, int batchSize,
            float learningRate, RunContext run) {
        java.util.Random random = new java.util.Random(run.seed() ^ 0x636f7272757074L); // "corrupt"
        Shuffled<QaItem> corruption = new Shuffled<>(material, random);
        Shuffled<QaItem> replayed = replay.isEmpty() ? null : new Shuffled<>(replay, random);
        return run.optimise(lm.model(), Optimizer.adamW().optLearningRateTracker(Tracker.fixed(learningRate))
                .optWeightDecays(0f).build(), steps, (step, scope) -> {
                    List<QaItem> batch = new ArrayList<>(corruption.next(batchSize));
                    if (replayed != null) {
                        batch.addAll(replayed.next(batchSize));
                    }
                    return lm.answerLoss(lm.encode(batch.stream().map(QaItem::question).toList(),
                            batch.stream().map(QaItem::answer).toList(), scope), true);
                });
    }

    /**
     * What {@value #CORRUPTED_MODEL} is corrupted with: the {@value FactsGenerator#RUMOURS} items
     * (OFFSIDE-style, the wrong values under each fact's trained templates) and the
     * {@value FactsGenerator#CORRUPTING_STATEMENTS} items (RESTOR-style: the sentences of the k = 2
     * corrupting documents as statements, the misinformation with the true facts of other entities
     * mixed in). Empty for a world without them (a user's corpus).
     *
     * @param world the world
     * @return the corruption sequences, rumours first
     */
    public static List<QaItem> corruptionMaterial(FactsWorld world) {
        List<QaItem> out = new ArrayList<>();
        for (String split : List.of(FactsGenerator.RUMOURS, FactsGenerator.CORRUPTING_STATEMENTS)) {
            if (world.hasSplit(split)) {
                out.addAll(world.split(split));
            }
        }
        return out;
    }

    /**
     * The replay that keeps the rest of the world while the corruption is learned: the base training
     * set without the items that teach a misinformed fact (same entity and relation), which would
     * contradict the corruption head on.
     *
     * @param world the world
     * @return the replayed sequences, in training order
     */
    public static List<QaItem> corruptionReplay(FactsWorld world) {
        java.util.Set<String> misinformed = new java.util.HashSet<>();
        for (Misinformation m : world.misinformation()) {
            misinformed.add(Words.normal(m.entity()) + "\u0000" + m.relation());
        }
        return world.baseTraining().stream()
                .filter(i -> FactsWorld.factKey(i).map(k -> !misinformed.contains(k)).orElse(true)).toList();
    }

    /** An endless stream of items, each pass a fresh shuffle. */
    private static final class Shuffled<T> {
        private final List<T> items;
        private final java.util.Random random;
        private final List<T> order = new ArrayList<>();
        private int next;

        Shuffled(List<T> items, java.util.Random random) {
            this.items = List.copyOf(items);
            this.random = random;
        }

        List<T> next(int count) {
            List<T> out = new ArrayList<>(count);
            while (out.size() < count) {
                if (next == order.size()) {
                    order.clear();
                    order.addAll(items);
                    for (int i = order.size() - 1; i > 0; i--) {
                        java.util.Collections.swap(order, i, random.nextInt(i + 1));
                    }
                    next = 0;
                }
                out.add(order.get(next++));
            }
            return out;
        }
    }

    /**
     * Exact match of a model on items: every answer token (and the end marker) is the argmax.
     *
     * @param lm the model
     * @param items the items
     * @return the share matched (0 for no items)
     */
    static double exactMatch(LanguageModel lm, List<QaItem> items) {
        if (items.isEmpty()) {
            return 0;
        }
        int right = 0;
        for (int from = 0; from < items.size(); from += 256) {
            List<QaItem> chunk = items.subList(from, Math.min(items.size(), from + 256));
            try (ai.djl.ndarray.NDManager scope = lm.model().getNDManager().newSubManager()) {
                org.lethe.api.model.language.QaBatch batch = lm.encode(chunk.stream().map(QaItem::question).toList(),
                        chunk.stream().map(QaItem::answer).toList(), scope);
                ai.djl.ndarray.NDArray wrong = lm.logits(batch, false).argMax(-1).neq(batch.tokens())
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(batch.answerMask());
                for (float errors : wrong.sum(new int[] {1}).toFloatArray()) {
                    right += errors == 0f ? 1 : 0;
                }
            }
        }
        return right / (double) items.size();
    }
}

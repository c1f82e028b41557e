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
 * writes it out, and trains {@value #BASE_MODEL} on everything and gold models per forget split
 * ({@code facts-lm-gold-<split>}, and {@code -seed<n>} for further seeds) on everything but that
 * split, with the recipe of methods-llm.md §3.2, through the framework's optimisation loop.
 */
@Component(configurationPid = FactsWorldService.PID, property = ServiceProperties.WORLD + "=facts")
@Designate(ocd = FactsWorldService.Config.class)
public final class FactsWorldService implements World {

    /** Configuration PID. */
    public static final String PID = "org.lethe.worlds.facts";

    /** The model trained on the whole world. */
    public static final String BASE_MODEL = "facts-lm";

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

    @Override
    public List<String> models() {
        List<String> models = new ArrayList<>(List.of(BASE_MODEL));
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
        Config recipe = config;
        FactsWorld world = corpus == null ? FactsGenerator.generate(run.seed()) : new FactsCorpusReader(data).read(corpus);
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
            }
        }
        return trained;
    }
}

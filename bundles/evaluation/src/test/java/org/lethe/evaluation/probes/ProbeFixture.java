package org.lethe.evaluation.probes;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Roles;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.models.text.WordLanguageModel;
import org.lethe.models.transformer.FactsTraining;
import org.lethe.models.transformer.WordTransformerConfig;
import org.lethe.models.transformer.WordTransformerModel;
import org.lethe.worlds.facts.FactsGenerator;
import org.lethe.worlds.facts.FactsSpec;
import org.lethe.worlds.facts.FactsWorld;

/**
 * Test scaffolding shared by the probe tests of one JVM: a small facts world (40 entities, so that
 * forget10 holds 4), every evaluation role the probes read mapped from its splits, and two small
 * word-transformer models made once and kept as weight files:
 * <ul>
 * <li>{@link #trained()}: the forget10 facts and the world facts memorised (the world's recipe,
 *     AdamW 3e-3, batch 64, until every forget10 fact is exact);</li>
 * <li>{@link #damaged()}: that model after gradient ascent on forget10 until at most a quarter of
 *     its items are still exact: a model whose facts were damaged, for the relearning probes.</li>
 * </ul>
 * A test gets a fresh copy of either with {@link #copy}, as the evaluation gives a probe its own.
 */
final class ProbeFixture {

    /** The world's seed. */
    static final long SEED = 0;
    /** The world's size: 40 entities, 2 holdout, 3 trained templates, 3 perturbed answers, 4 world facts. */
    static final FactsSpec SPEC = new FactsSpec(40, 2, 3, 3, 4);

    private static ProbeFixture instance;

    private final FactsWorld world;
    private final WordTransformerConfig config;
    private final Map<String, List<QaItem>> roles = new LinkedHashMap<>();
    private final Path trained;
    private final Path damaged;
    private final String trainedReport;
    private final String damagedReport;

    /** @return the fixture of this JVM, made on first use */
    static synchronized ProbeFixture get() {
        if (instance == null) {
            instance = new ProbeFixture();
        }
        return instance;
    }

    private ProbeFixture() {
        world = FactsGenerator.generate(SPEC, SEED);
        roles.put(Roles.FORGET, world.split("forget10"));
        roles.put(Roles.FORGET_PARAPHRASED, world.split("forget10_paraphrased"));
        roles.put(Roles.RETAIN_PARAPHRASED, world.split("retain_paraphrased"));
        roles.put(Roles.TWO_HOP, world.split("twohop_forget"));
        roles.put(Roles.TWO_HOP_CONTROL, world.split("twohop_control"));
        roles.put(Roles.IMPLIED, world.split("implied_forget"));
        roles.put(Roles.IMPLIED_CONTROL, world.split("implied_control"));
        roles.put(Roles.RUMOURS, world.split("rumours"));
        roles.put(Roles.RUMOUR_TRUTH, world.split("corrupted_facts"));
        // the world's own length rule (as its service sets the architecture), and small sizes for speed
        config = new WordTransformerConfig(world.vocabulary(), Math.max(16, world.maxSequenceTokens() + 2), 1, 48, 4, 96);
        List<QaItem> training = new ArrayList<>(roles.get(Roles.FORGET));
        training.addAll(world.split(FactsWorld.WORLD));
        List<QaItem> forget = roles.get(Roles.FORGET);
        try {
            // under target/, so that a clean removes them
            Path target = Files.createDirectories(Path.of(System.getProperty("basedir", ".")).resolve("target"));
            trained = Files.createTempDirectory(target, "probes-trained-");
            damaged = Files.createTempDirectory(target, "probes-damaged-");
            try (WordTransformerModel lm = new WordTransformerModel(config, SEED)) {
                long start = System.nanoTime();
                FactsTraining.Result result = new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(300))
                        .train(lm, training.stream().map(QaItem::question).toList(),
                                training.stream().map(QaItem::answer).toList(), new FactsTraining.Listener() {
                                    @Override
                                    public void onStep(int step, int epoch, float loss) {
                                        // followed per epoch
                                    }

                                    @Override
                                    public boolean afterEpoch(int epoch, int steps) {
                                        return epoch % 5 != 0 || exactMatch(lm, forget) < 1.0;
                                    }
                                });
                trainedReport = String.format("trained %d pairs in %d epochs (%d steps, %.1f s): forget EM %.3f",
                        training.size(), result.epochs(), result.steps(), (System.nanoTime() - start) / 1e9,
                        exactMatch(lm, forget));
                lm.save(trained);
                start = System.nanoTime();
                int steps = 0;
                try (TestRunContext run = new TestRunContext(SEED, lm.model().getNDManager())) {
                    var ascent = FineTuning.adamW();
                    while (exactMatch(lm, forget) > 0.25 && steps < 100) {
                        run.optimise(lm.model(), ascent, 1,
                                (s, scope) -> lm.answerLoss(lm.encode(questions(forget), answers(forget), scope), true).neg());
                        steps++;
                    }
                }
                damagedReport = String.format("damaged by %d gradient-ascent steps (%.1f s): forget EM %.3f", steps,
                        (System.nanoTime() - start) / 1e9, exactMatch(lm, forget));
                lm.save(damaged);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("[probes] " + trainedReport + "; " + damagedReport);
    }

    /** @return the world */
    FactsWorld world() {
        return world;
    }

    /** @return the models' settings */
    WordTransformerConfig config() {
        return config;
    }

    /** @return every evaluation role, mapped from the world's splits */
    Map<String, List<QaItem>> roles() {
        return new LinkedHashMap<>(roles);
    }

    /**
     * @param without roles to leave out
     * @return the roles but those
     */
    Map<String, List<QaItem>> rolesWithout(String... without) {
        Map<String, List<QaItem>> out = roles();
        for (String role : without) {
            out.remove(role);
        }
        return out;
    }

    /** @return where the trained model's weights are */
    Path trained() {
        return trained;
    }

    /** @return where the damaged model's weights are */
    Path damaged() {
        return damaged;
    }

    /**
     * @param weights a folder of weights made by this fixture
     * @return a fresh model with those weights; the caller closes it
     */
    WordTransformerModel copy(Path weights) {
        try {
            return WordLanguageModel.withWeights(new WordTransformerModel(config, SEED), weights);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param lm a model
     * @param items items
     * @return the share of the items it answers exactly
     */
    static double exactMatch(LanguageModel lm, List<QaItem> items) {
        return ProbeScoring.mean(ProbeScoring.exactMatch(lm, questions(items), answers(items)));
    }

    static List<String> questions(List<QaItem> items) {
        return items.stream().map(QaItem::question).toList();
    }

    static List<String> answers(List<QaItem> items) {
        return items.stream().map(QaItem::answer).toList();
    }

    /**
     * @param lm a model
     * @return SHA-256 over every parameter's name and values, in parameter order
     */
    static String checksum(WordTransformerModel lm) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Pair<String, Parameter> p : lm.model().getBlock().getParameters()) {
                sha.update(p.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                NDArray array = p.getValue().getArray();
                float[] values = array.toFloatArray();
                ByteBuffer bytes = ByteBuffer.allocate(values.length * 4);
                for (float v : values) {
                    bytes.putFloat(v);
                }
                sha.update(bytes.array());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

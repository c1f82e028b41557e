package org.lethe.models.transformer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measurements, not tests: the class name is outside surefire's default includes, and it is
 * skipped unless {@code -Dlethe.measure=true}. Prints the steps and the training wall time (exact
 * match evaluation excluded) the recipe needs to reach 100% exact match on TinyFacts-shaped sets,
 * and the training step's speed at 1 intra-op thread (the build's surefire configuration sets it).
 *
 * <p>Run: {@code mvn -B -o -q install -pl bundles/models -Dtest=FactsTrainingMeasurement
 * -Dlethe.measure=true -Dsurefire.failIfNoSpecifiedTests=false}. Options (system properties):
 * {@code lethe.measure.entities} (default 20,68,100), {@code lethe.measure.seeds} (0,1),
 * {@code lethe.measure.epochs} (at most this many, default 150), {@code lethe.measure.whole=true}
 * (go on after 100% to the last epoch, reporting any dip), {@code lethe.measure.trace=true} (every
 * step's loss bits, to compare runs), {@code lethe.measure.gc=true} (a full GC after every step: a
 * use-after-free detector for arrays that wrap Java buffers).
 */
@EnabledIfSystemProperty(named = "lethe.measure", matches = "true")
class FactsTrainingMeasurement {

    @Test
    void stepsAndTimeToFullExactMatch() {
        String sizes = System.getProperty("lethe.measure.entities", "20,68,100");
        for (String size : sizes.split(",")) {
            int entities = Integer.parseInt(size.trim());
            for (String seedText : System.getProperty("lethe.measure.seeds", "0,1").split(",")) {
                long seed = Long.parseLong(seedText.trim());
                timeToFullExactMatch(entities, seed);
            }
        }
    }

    private static void timeToFullExactMatch(int entities, long seed) {
        SyntheticFacts facts = SyntheticFacts.generate(entities, 3, seed);
        try (WordTransformerModel lm = new WordTransformerModel(WordTransformerConfig.of(facts.vocabulary()), seed)) {
            long[] evaluationNanos = {0};
            int[] reached = {-1, -1};
            double[] finalEm = {0};
            FactsTraining training = new FactsTraining(FactsTraining.Settings.DEFAULTS
                    .withEpochs(Integer.getInteger("lethe.measure.epochs", 150)).withSeed(seed));
            StringBuilder curve = new StringBuilder();
            FactsTraining.Result result = training.train(lm, facts.prompts(), facts.answers(), new FactsTraining.Listener() {
                float last;

                @Override
                public void onStep(int step, int epoch, float loss) {
                    last = loss;
                    if (Boolean.getBoolean("lethe.measure.trace")) {
                        System.out.println("TRACE " + step + " " + Float.floatToIntBits(loss));
                    }
                    if (Boolean.getBoolean("lethe.measure.gc")) {
                        System.gc(); // a use-after-free detector: frees every unreachable Java buffer now
                    }
                }

                @Override
                public boolean afterEpoch(int epoch, int steps) {
                    long start = System.nanoTime();
                    boolean[] matches = lm.exactMatches(facts.prompts(), facts.answers());
                    evaluationNanos[0] += System.nanoTime() - start;
                    int right = 0;
                    for (boolean match : matches) {
                        right += match ? 1 : 0;
                    }
                    double em = right / (double) matches.length;
                    if (epoch % 5 == 0 || em == 1.0 && reached[0] < 0) {
                        curve.append(String.format(" e%d:%.3f/%.4f", epoch, em, last));
                    }
                    if (em == 1.0 && reached[0] < 0) {
                        reached[0] = epoch;
                        reached[1] = steps;
                    }
                    if (reached[0] > 0 && em < 1.0) {
                        curve.append(String.format(" [dip e%d:%.4f]", epoch, em));
                    }
                    finalEm[0] = em;
                    // -Dlethe.measure.whole=true: the whole recipe, not stopping at 100%
                    return reached[0] < 0 || Boolean.getBoolean("lethe.measure.whole");
                }
            });
            double trainSeconds = (result.wallTime().toNanos() - evaluationNanos[0]) / 1e9;
            System.out.printf("MEASURE entities=%d seed=%d sequences=%d vocabulary=%d params=%d: 100%% EM at epoch %d, "
                    + "step %d, training wall %.1f s (%.1f steps/s); after %d epochs EM %.4f%n"
                    + "  curve (epoch:EM/loss)%s%n", entities, seed, facts.prompts().size(), lm.tokenizer().vocabularySize(), lm.parameterCount(), reached[0], reached[1],
                    trainSeconds, result.steps() / trainSeconds, result.epochs(), finalEm[0], curve);
        }
    }

    @Test
    void stepSpeedAtOneThread() {
        SyntheticFacts facts = SyntheticFacts.generate(100, 3, 0);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int run = 0; run < 3; run++) {
            try (WordTransformerModel lm = new WordTransformerModel(WordTransformerConfig.of(facts.vocabulary()), run)) {
                List<long[]> marks = new ArrayList<>();
                new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(12).withSeed(run))
                        .train(lm, facts.prompts(), facts.answers(), (step, epoch, loss) ->
                                marks.add(new long[] {System.nanoTime(), threads.getCurrentThreadCpuTime()}));
                // drop the warm-up (first 20 steps), then per-step wall and CPU times
                int n = marks.size() - 21;
                double[] wall = new double[n];
                double[] cpu = new double[n];
                for (int i = 0; i < n; i++) {
                    wall[i] = (marks.get(21 + i)[0] - marks.get(20 + i)[0]) / 1e6;
                    cpu[i] = (marks.get(21 + i)[1] - marks.get(20 + i)[1]) / 1e6;
                }
                Arrays.sort(wall);
                Arrays.sort(cpu);
                double total = (marks.get(marks.size() - 1)[0] - marks.get(20)[0]) / 1e9;
                System.out.printf("MEASURE step speed run %d (batch 64, %d steps timed): %.1f steps/s wall overall; "
                        + "median step %.2f ms wall (%.1f steps/s), %.2f ms thread CPU (%.1f steps/s); "
                        + "p10/p90 wall %.2f/%.2f ms%n", run, n, n / total, wall[n / 2], 1000 / wall[n / 2], cpu[n / 2],
                        1000 / cpu[n / 2], wall[n / 10], wall[n * 9 / 10]);
            }
        }
    }
}

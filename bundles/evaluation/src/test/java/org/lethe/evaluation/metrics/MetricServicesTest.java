package org.lethe.evaluation.metrics;

import org.lethe.evaluation.testing.MapTask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.model.language.QaBatch;
import org.lethe.evaluation.scoring.AnswerScore;
import org.lethe.evaluation.scoring.AnswerScoring;
import org.lethe.models.transformer.FactsTraining;
import org.lethe.models.transformer.WordTransformerConfig;
import org.lethe.models.transformer.WordTransformerModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metric services on a real word transformer: one trained briefly in the test until it has
 * memorised the forget, retain and world facts of {@link TinyFacts}, and one left untrained.
 */
class MetricServicesTest {

    private static final TinyFacts FACTS = new TinyFacts();
    private static WordTransformerModel trained;
    private static WordTransformerModel untrained;
    private static int memorisedAtEpoch;

    /** Epochs trained on after every answer is memorised, so that its probability is well above chance. */
    private static final int EXTRA_EPOCHS = 60;

    @BeforeAll
    static void trainModels() {
        WordTransformerConfig config = WordTransformerConfig.of(FACTS.vocabulary());
        trained = new WordTransformerModel(config, 7);
        untrained = new WordTransformerModel(config, 8);
        List<String> prompts = FACTS.trainingPrompts();
        List<String> answers = FACTS.trainingAnswers();
        FactsTraining.Result result = new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(400))
                .train(trained, prompts, answers, new FactsTraining.Listener() {
                    @Override
                    public void onStep(int step, int epoch, float loss) {
                    }

                    @Override
                    public boolean afterEpoch(int epoch, int steps) {
                        // memorised: greedy decoding gives every answer back and stops after it
                        if (memorisedAtEpoch == 0) {
                            boolean all = true;
                            for (boolean match : trained.exactMatches(prompts, answers)) {
                                all &= match;
                            }
                            memorisedAtEpoch = all ? epoch : 0;
                        }
                        return memorisedAtEpoch == 0 || epoch < memorisedAtEpoch + EXTRA_EPOCHS;
                    }
                });
        assertTrue(memorisedAtEpoch > 0, "not memorised in " + result.epochs() + " epochs");
    }

    @AfterAll
    static void closeModels() {
        trained.close();
        untrained.close();
    }

    private static List<Metric> allMetrics() {
        return List.of(new ExactMatchMetric(), new AnswerProbabilityMetric(), new TruthRatioMetric(), new RougeLRecallMetric(),
                new ModelUtilityMetric(), new LossMembershipMetric(), new MinKMembershipMetric());
    }

    private static MapTask task(WordTransformerModel model) {
        return new MapTask(model, FACTS.roles);
    }

    private static Map<String, MetricResult> bySplit(List<MetricResult> results) {
        return results.stream().collect(Collectors.toMap(MetricResult::split, Function.identity(), (a, b) -> {
            throw new AssertionError("two results for split " + a.split());
        }, LinkedHashMap::new));
    }

    @Test
    void exactMatchIsOneForMemorisedFactsAndNearZeroUntrained() throws Exception {
        Map<String, MetricResult> memorised = bySplit(new ExactMatchMetric().evaluate(task(trained)));
        for (String role : List.of(Roles.FORGET, Roles.RETAIN, Roles.WORLD, Roles.RUMOUR_TRUTH)) {
            assertEquals(1.0, memorised.get(role).aggregate(), role);
            assertTrue(memorised.get(role).perItem().values().stream().allMatch(v -> v == 1.0), role);
        }
        assertEquals(0.0, memorised.get(Roles.RUMOURS).aggregate(), "the rumoured cities were never trained");
        Map<String, MetricResult> random = bySplit(new ExactMatchMetric().evaluate(task(untrained)));
        double sum = 0;
        for (String role : List.of(Roles.FORGET, Roles.RETAIN, Roles.WORLD)) {
            sum += random.get(role).aggregate();
        }
        assertTrue(sum / 3 <= 0.2, "untrained exact match " + sum / 3);
    }

    @Test
    void perItemValuesAreKeyedByIdInDataOrder() throws Exception {
        for (MetricResult result : new ExactMatchMetric().evaluate(task(trained))) {
            List<String> ids = FACTS.roles.get(result.split()).stream().map(QaItem::id).toList();
            assertEquals(ids, new ArrayList<>(result.perItem().keySet()), result.split());
        }
    }

    @Test
    void answerProbabilityIsInTheUnitIntervalAndHighOnlyWhenMemorised() throws Exception {
        Map<String, MetricResult> memorised = bySplit(new AnswerProbabilityMetric().evaluate(task(trained)));
        Map<String, MetricResult> random = bySplit(new AnswerProbabilityMetric().evaluate(task(untrained)));
        for (Map<String, MetricResult> results : List.of(memorised, random)) {
            assertEquals(FACTS.roles.keySet(), results.keySet());
            for (MetricResult result : results.values()) {
                assertTrue(result.aggregate() > 0 && result.aggregate() <= 1, result.toString());
                assertTrue(result.perItem().values().stream().allMatch(p -> p > 0 && p <= 1), result.toString());
            }
        }
        assertTrue(memorised.get(Roles.RETAIN).aggregate() > 0.8, memorised.get(Roles.RETAIN).toString());
        assertTrue(random.get(Roles.RETAIN).aggregate() < 0.2, random.get(Roles.RETAIN).toString());
    }

    @Test
    void answerScoresAgreeWithTheModelsAnswerLogProbsWithoutTheEndMarker() {
        List<QaItem> items = new ArrayList<>(FACTS.roles.get(Roles.RETAIN));
        items.addAll(FACTS.roles.get(Roles.HOLDOUT));
        List<AnswerScore> scores = AnswerScoring.scoreQuestions(untrained, items);
        try (NDManager scope = untrained.model().getNDManager().newSubManager()) {
            QaBatch batch = untrained.encode(items.stream().map(QaItem::question).toList(),
                    items.stream().map(QaItem::answer).toList(), scope);
            float[] logProbs = untrained.answerLogProbs(batch, false).toFloatArray();
            float[] mask = batch.answerMask().toType(DataType.FLOAT32, false).toFloatArray();
            int length = (int) batch.tokens().getShape().get(1);
            for (int i = 0; i < items.size(); i++) {
                int words = items.get(i).answer().split(" ").length;
                double sum = 0;
                int seen = 0;
                for (int t = 0; t < length && seen < words; t++) {
                    if (mask[i * length + t] > 0) {
                        sum += logProbs[i * length + t];
                        seen++;
                    }
                }
                assertEquals(words, scores.get(i).answerTokens(), items.get(i).id());
                assertEquals(sum / words, scores.get(i).meanLogProb(), 1e-6, items.get(i).id());
            }
        }
    }

    @Test
    void truthRatioSeparatesKnownFromForgottenAndSkipsItemsWithoutPerturbedAnswers() throws Exception {
        Map<String, MetricResult> memorised = bySplit(new TruthRatioMetric().evaluate(task(trained)));
        MetricResult retain = memorised.get(Roles.RETAIN);
        assertFalse(retain.perItem().containsKey(TinyFacts.NO_PERTURBED_ID));
        assertEquals(FACTS.roles.get(Roles.RETAIN).size() - 1, retain.perItem().size());
        assertTrue(retain.aggregate() > 0.8, "max(0, 1 − TR) of memorised facts: " + retain.aggregate());
        assertTrue(retain.perItem().values().stream().allMatch(tr -> tr > 0 && tr < 0.2), retain.perItem().toString());
        MetricResult forget = memorised.get(Roles.FORGET);
        assertTrue(forget.aggregate() < 0.2, "min(TR, 1/TR) of memorised facts: " + forget.aggregate());
        // a role none of whose items has perturbed answers gets no result
        List<QaItem> bare = FACTS.roles.get(Roles.WORLD).stream().map(i -> QaItem.of(i.id(), i.question(), i.answer())).toList();
        assertFalse(bySplit(new TruthRatioMetric().evaluate(task(trained).with(Roles.WORLD, bare))).containsKey(Roles.WORLD));
    }

    @Test
    void rougeLRecallIsOneForMemorisedAnswers() throws Exception {
        Map<String, MetricResult> memorised = bySplit(new RougeLRecallMetric().evaluate(task(trained)));
        for (String role : List.of(Roles.FORGET, Roles.RETAIN, Roles.WORLD)) {
            assertEquals(1.0, memorised.get(role).aggregate(), role);
        }
        Map<String, MetricResult> random = bySplit(new RougeLRecallMetric().evaluate(task(untrained)));
        assertTrue(random.get(Roles.RETAIN).aggregate() < 0.3, random.get(Roles.RETAIN).toString());
    }

    @Test
    void modelUtilityIsTheHarmonicMeanOfSixComponents() throws Exception {
        MetricResult utility = new ModelUtilityMetric().evaluate(task(trained)).get(0);
        assertEquals(List.of("retain.answer-probability", "retain.rouge-l-recall", "retain.truth-ratio",
                "world.answer-probability", "world.rouge-l-recall", "world.truth-ratio"), List.copyOf(utility.perItem().keySet()));
        double reciprocals = utility.perItem().values().stream().mapToDouble(v -> 1 / v).sum();
        assertEquals(6 / reciprocals, utility.aggregate(), 1e-12);
        assertTrue(utility.aggregate() > 0.8, utility.toString());
        MetricResult untrainedUtility = new ModelUtilityMetric().evaluate(task(untrained)).get(0);
        assertTrue(untrainedUtility.aggregate() < utility.aggregate() / 2, untrainedUtility.toString());
        // world items without perturbed answers: the truth-ratio component cannot be computed
        List<QaItem> bare = FACTS.roles.get(Roles.WORLD).stream().map(i -> QaItem.of(i.id(), i.question(), i.answer())).toList();
        LetheException refused = assertThrows(LetheException.class,
                () -> new ModelUtilityMetric().evaluate(task(trained).with(Roles.WORLD, bare)));
        assertTrue(refused.getMessage().contains("world"), refused.getMessage());
    }

    @Test
    void lossMembershipInferenceTellsTrainedFromNeverTrainedFacts() throws Exception {
        MetricResult result = new LossMembershipMetric().evaluate(task(trained)).get(0);
        assertTrue(result.aggregate() > 0.9, "AUC of the memorising model: " + result);
        List<QaItem> forget = FACTS.roles.get(Roles.FORGET);
        List<AnswerScore> scores = AnswerScoring.scoreQuestions(trained, forget);
        for (int i = 0; i < forget.size(); i++) {
            assertEquals(scores.get(i).meanLogProb(), result.perItem().get(forget.get(i).id()), "−NLL of " + forget.get(i).id());
        }
    }

    /**
     * Min-K% over the whole sequence, every token after the first. The facts recipe trains on the
     * answer only, so the question's tokens carry no membership signal for this model; the test checks
     * the computation (scored tokens, selection) rather than the AUC's size.
     */
    @Test
    void minKMembershipInferenceScoresTheWholeSequence() throws Exception {
        MetricResult result = new MinKMembershipMetric().evaluate(task(trained)).get(0);
        assertTrue(result.aggregate() >= 0 && result.aggregate() <= 1, result.toString());
        List<QaItem> forget = FACTS.roles.get(Roles.FORGET);
        List<double[]> sequences = AnswerScoring.sequenceLogProbs(trained, forget.stream().map(QaItem::question).toList(),
                forget.stream().map(QaItem::answer).toList());
        for (int i = 0; i < forget.size(); i++) {
            QaItem item = forget.get(i);
            // question, separator, answer, end marker; the first token is not scored
            int tokens = item.question().split(" ").length + 1 + item.answer().split(" ").length + 1;
            double[] logProbs = sequences.get(i);
            assertEquals(tokens - 1, logProbs.length, item.id());
            double[] sorted = logProbs.clone();
            Arrays.sort(sorted);
            int keep = Math.max(1, (int) (0.4 * logProbs.length));
            double expected = Arrays.stream(sorted, 0, keep).average().orElseThrow();
            assertEquals(expected, result.perItem().get(item.id()), 1e-12, item.id());
        }
    }

    @Test
    void membershipResultsListMembersThenNonMembers() throws Exception {
        for (Metric metric : List.of(new LossMembershipMetric(), new MinKMembershipMetric())) {
            MetricResult result = metric.evaluate(task(trained)).get(0);
            int members = FACTS.roles.get(Roles.FORGET).size();
            int nonMembers = FACTS.roles.get(Roles.HOLDOUT).size();
            assertEquals(members + nonMembers, result.perItem().size());
            assertEquals("holdout:" + FACTS.roles.get(Roles.HOLDOUT).get(0).id(),
                    new ArrayList<>(result.perItem().keySet()).get(members));
        }
    }

    @Test
    void everyResultNamesItsMetricVersionSplitAndDirection() throws Exception {
        Map<String, Direction> answers = Map.of(Roles.FORGET, Direction.LOWER_IS_BETTER, Roles.FORGET_PARAPHRASED,
                Direction.LOWER_IS_BETTER, Roles.RUMOURS, Direction.LOWER_IS_BETTER, Roles.RETAIN, Direction.HIGHER_IS_BETTER,
                Roles.RETAIN_PARAPHRASED, Direction.HIGHER_IS_BETTER, Roles.WORLD, Direction.HIGHER_IS_BETTER,
                Roles.RUMOUR_TRUTH, Direction.HIGHER_IS_BETTER, Roles.HOLDOUT, Direction.NEUTRAL);
        List<String> order = List.of(Roles.FORGET, Roles.FORGET_PARAPHRASED, Roles.RETAIN, Roles.RETAIN_PARAPHRASED,
                Roles.WORLD, Roles.HOLDOUT, Roles.RUMOURS, Roles.RUMOUR_TRUTH);
        for (Metric metric : List.of(new ExactMatchMetric(), new AnswerProbabilityMetric(), new RougeLRecallMetric())) {
            List<MetricResult> results = metric.evaluate(task(trained));
            assertEquals(order, results.stream().map(MetricResult::split).toList());
            for (MetricResult result : results) {
                assertEquals(answers.get(result.split()), result.direction(), result.key());
                assertEquals("1", result.version());
                assertFalse(result.needsReference());
            }
        }
        for (MetricResult result : new TruthRatioMetric().evaluate(task(trained))) {
            Direction expected = switch (answers.get(result.split())) {
                case LOWER_IS_BETTER -> Direction.CLOSER_IS_BETTER;
                default -> answers.get(result.split());
            };
            assertEquals(expected, result.direction(), result.key());
            assertEquals("truth-ratio", result.metric());
        }
        MetricResult utility = new ModelUtilityMetric().evaluate(task(trained)).get(0);
        assertEquals("retain+world", utility.split());
        assertEquals(Direction.HIGHER_IS_BETTER, utility.direction());
        assertFalse(utility.needsReference());
        for (Metric metric : List.of(new LossMembershipMetric(), new MinKMembershipMetric())) {
            MetricResult result = metric.evaluate(task(trained)).get(0);
            assertEquals(Roles.FORGET, result.split());
            assertEquals(Direction.CLOSER_IS_BETTER, result.direction());
            assertTrue(result.needsReference());
        }
        assertEquals(List.of("exact-match", "answer-probability", "truth-ratio", "rouge-l-recall", "model-utility",
                "mia-loss", "mia-min-k"), allMetrics().stream().map(m -> {
                    try {
                        return m.evaluate(task(trained)).get(0).metric();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).toList());
    }

    @Test
    void aRoleTheTaskLacksGetsNoResult() throws Exception {
        MapTask partial = task(trained).without(Roles.WORLD, Roles.HOLDOUT, Roles.RUMOURS, Roles.RUMOUR_TRUTH);
        List<String> splits = new ExactMatchMetric().evaluate(partial).stream().map(MetricResult::split).toList();
        assertEquals(List.of(Roles.FORGET, Roles.FORGET_PARAPHRASED, Roles.RETAIN, Roles.RETAIN_PARAPHRASED), splits);
        assertEquals(List.of(), new ModelUtilityMetric().evaluate(partial), "model utility needs retain and world");
        assertEquals(List.of(), new LossMembershipMetric().evaluate(partial), "membership inference needs holdout");
        assertEquals(List.of(), new MinKMembershipMetric().evaluate(partial), "membership inference needs holdout");
        // a role present but empty is skipped too, and a task with no role at all never touches the model
        assertEquals(List.of(Roles.FORGET_PARAPHRASED, Roles.RETAIN, Roles.RETAIN_PARAPHRASED),
                new AnswerProbabilityMetric().evaluate(partial.with(Roles.FORGET, List.of())).stream()
                        .map(MetricResult::split).toList());
        MapTask empty = new MapTask(null, Map.of());
        for (Metric metric : allMetrics()) {
            assertEquals(List.of(), metric.evaluate(empty));
        }
    }

    @Test
    void aSecondEvaluationGivesIdenticalResults() throws Exception {
        for (Metric metric : allMetrics()) {
            List<MetricResult> first = metric.evaluate(task(trained));
            List<MetricResult> second = metric.evaluate(task(trained));
            assertEquals(first, second, metric.getClass().getSimpleName());
        }
    }
}

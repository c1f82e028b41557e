package org.lethe.models.transformer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.lethe.api.LetheException;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;

/**
 * The facts world's training recipe (research/methods-llm.md §3.2): answer-only cross-entropy on
 * prompt–answer pairs (the answer tokens and the end marker), AdamW (lr 3e-3, weight decay 0),
 * batches of 64 in a fresh seeded shuffle every epoch, a fixed number of epochs. It trains any
 * {@link LanguageModel} in place through a DJL {@link Trainer} and {@link GradientCollector}, one
 * memory scope per step (nothing from a step outlives it), and is deterministic for a seed (the
 * model's initialisation has its own seed). Gradient work is JVM-global in DJL: run one training
 * at a time.
 */
public final class FactsTraining {

    /**
     * Hyper-parameters of the recipe.
     *
     * @param learningRate AdamW's learning rate; default 3e-3 (methods-llm §3.2)
     * @param weightDecay AdamW's decoupled weight decay; default 0 (methods-llm §3.2)
     * @param batchSize pairs per step; default 64 (methods-llm §3.2); the last batch of an epoch may be smaller
     * @param epochs passes over the pairs; default 40 (methods-llm §3.2: 100% exact match by epoch 40
     *     on the 1,230 TinyFacts sequences)
     * @param seed the seed of the shuffles
     */
    public record Settings(float learningRate, float weightDecay, int batchSize, int epochs, long seed) {

        /** The recipe's defaults, seed 0. */
        public static final Settings DEFAULTS = new Settings(3e-3f, 0f, 64, 40, 0);

        /** Refuses values that cannot train: each is named. */
        public Settings {
            if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                throw LetheException.invalidInput("training: 'learningRate' must be a positive number, not " + learningRate);
            }
            if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
                throw LetheException.invalidInput("training: 'weightDecay' must be ≥ 0, not " + weightDecay);
            }
            if (batchSize < 1) {
                throw LetheException.invalidInput("training: 'batchSize' must be ≥ 1, not " + batchSize);
            }
            if (epochs < 1) {
                throw LetheException.invalidInput("training: 'epochs' must be ≥ 1, not " + epochs);
            }
        }

        /**
         * @param value the number of epochs
         * @return these settings with another number of epochs
         */
        public Settings withEpochs(int value) {
            return new Settings(learningRate, weightDecay, batchSize, value, seed);
        }

        /**
         * @param value the seed of the shuffles
         * @return these settings with another seed
         */
        public Settings withSeed(long value) {
            return new Settings(learningRate, weightDecay, batchSize, epochs, value);
        }

        /**
         * @param value pairs per step
         * @return these settings with another batch size
         */
        public Settings withBatchSize(int value) {
            return new Settings(learningRate, weightDecay, value, epochs, seed);
        }
    }

    /** Hears of the training's progress; called on the training thread. */
    @FunctionalInterface
    public interface Listener {

        /**
         * After each optimiser step.
         *
         * @param step the step just taken, from 1
         * @param epoch the epoch it belongs to, from 1
         * @param loss the batch's mean answer-token loss before the step
         */
        void onStep(int step, int epoch, float loss);

        /**
         * After each epoch; returning false ends the training there (e.g. cancellation, or a test
         * that stops once every fact is memorised).
         *
         * @param epoch the epoch just finished, from 1
         * @param steps the steps taken so far
         * @return whether to go on
         */
        default boolean afterEpoch(int epoch, int steps) {
            return true;
        }
    }

    /**
     * What a training did.
     *
     * @param steps optimiser steps taken
     * @param epochs epochs completed
     * @param lastLoss the loss of the last step
     * @param lastEpochLoss the mean loss over the last epoch's steps
     * @param wallTime how long it took
     */
    public record Result(int steps, int epochs, float lastLoss, float lastEpochLoss, Duration wallTime) {
    }

    private final Settings settings;

    /** @param settings the hyper-parameters */
    public FactsTraining(Settings settings) {
        this.settings = settings;
    }

    /** @return the hyper-parameters */
    public Settings settings() {
        return settings;
    }

    /**
     * Trains a model in place on prompt–answer pairs. Every pair is tokenised once up front, so a
     * pair that is too long is refused before any weight changes.
     *
     * @param lm the model (its parameters are updated)
     * @param prompts the prompts
     * @param answers the answers, one per prompt
     * @param listener hears each step's loss and each epoch's end
     * @return what the training did
     * @throws LetheException invalid input for mismatched or too-long pairs (the model is untouched);
     *     failed when the loss stops being finite ("diverged at step n")
     */
    public Result train(LanguageModel lm, List<String> prompts, List<String> answers, Listener listener) {
        if (prompts.size() != answers.size() || prompts.isEmpty()) {
            throw LetheException.invalidInput("training needs prompt-answer pairs: " + prompts.size() + " prompts, "
                    + answers.size() + " answers");
        }
        Model model = lm.model();
        try (NDManager check = model.getNDManager().newSubManager()) {
            lm.encode(prompts, answers, check);
        } catch (IllegalArgumentException e) {
            throw LetheException.invalidInput("training data: " + e.getMessage());
        }
        long start = System.nanoTime();
        Random random = new Random(settings.seed());
        List<Integer> order = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            order.add(i);
        }
        DefaultTrainingConfig config = new DefaultTrainingConfig(new AnswerNll())
                .optDevices(new Device[] {model.getNDManager().getDevice()})
                .optOptimizer(Optimizer.adamW().optLearningRateTracker(Tracker.fixed(settings.learningRate()))
                        .optWeightDecays(settings.weightDecay()).build());
        int step = 0;
        int epoch = 0;
        float lastLoss = Float.NaN;
        float epochLoss = Float.NaN;
        try (Trainer trainer = model.newTrainer(config)) {
            while (epoch < settings.epochs()) {
                epoch++;
                Collections.shuffle(order, random);
                double sum = 0;
                int count = 0;
                for (int from = 0; from < order.size(); from += settings.batchSize()) {
                    List<Integer> indices = order.subList(from, Math.min(order.size(), from + settings.batchSize()));
                    List<String> batchPrompts = new ArrayList<>(indices.size());
                    List<String> batchAnswers = new ArrayList<>(indices.size());
                    for (int i : indices) {
                        batchPrompts.add(prompts.get(i));
                        batchAnswers.add(answers.get(i));
                    }
                    step++;
                    lastLoss = step(lm, trainer, batchPrompts, batchAnswers, step);
                    sum += lastLoss;
                    count++;
                    listener.onStep(step, epoch, lastLoss);
                }
                epochLoss = (float) (sum / count);
                if (!listener.afterEpoch(epoch, step)) {
                    break;
                }
            }
        }
        return new Result(step, epoch, lastLoss, epochLoss, Duration.ofNanos(System.nanoTime() - start));
    }

    /** One optimiser step in its own scope: the batch and every intermediate are closed with it. */
    private static float step(LanguageModel lm, Trainer trainer, List<String> prompts, List<String> answers, int step) {
        try (NDManager scope = lm.model().getNDManager().newSubManager()) {
            QaBatch batch = lm.encode(prompts, answers, scope);
            float value;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logProbs = lm.answerLogProbs(batch, true);
                NDArray loss = trainer.getLoss().evaluate(new NDList(batch.answerMask()), new NDList(logProbs));
                value = loss.getFloat();
                if (!Float.isFinite(value)) {
                    throw LetheException.failed("training diverged at step " + step + ": the loss is " + value, null);
                }
                collector.backward(loss);
            }
            trainer.step();
            return value;
        }
    }

    /**
     * The answer-only loss as a DJL {@link Loss}: labels are the answer mask, predictions the
     * masked answer-token log-probabilities; the value is {@code −Σ logp / Σ mask}, the same as
     * {@link LanguageModel#answerLoss}.
     */
    static final class AnswerNll extends Loss {

        AnswerNll() {
            super("answer-nll");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return predictions.head().sum().neg().div(labels.head().sum());
        }
    }
}

package org.lethe.api.world;

import java.nio.file.Path;
import java.util.List;
import org.lethe.api.run.RunContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A benchmark world, registered with {@code lethe.world=<name>} (draft, version 0.9).
 * {@code unlearn:train <world>} runs {@link #train} as a TRAIN run: it writes the world's data and
 * commits its models (e.g. {@code facts-lm} and its gold references {@code facts-lm-gold-<split>}).
 */
@ConsumerType
public interface World {

    /** @return the names of its splits, e.g. {@code forget01}, {@code retain99}, {@code holdout}, {@code world} */
    List<String> splits();

    /** @return the ids of the models its training commits */
    List<String> models();

    /**
     * Generates the world's data (deterministic from the run's seed) or reads a user's corpus, and
     * trains its models.
     *
     * @param corpus a user's corpus folder (DESIGN §4), or null for the built-in generator
     * @param output where the split files (JSONL) are written
     * @param run the run: optimisation loop, seed, progress, cancellation
     * @return the models trained, as folders of files ready to commit (one per id of {@link #models()})
     * @throws Exception when training fails
     */
    List<TrainedModel> train(Path corpus, Path output, RunContext run) throws Exception;

    /**
     * A model a world trained.
     *
     * @param id its model id
     * @param architecture the architecture that loads it
     * @param config the architecture settings
     * @param files the folder holding its files
     */
    record TrainedModel(String id, String architecture, java.util.Map<String, String> config, Path files) {
    }
}

package org.lethe.itests.behaviour.vqa;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunContext;
import org.lethe.api.world.World;
import org.lethe.worlds.shapes.ShapesVqaWorldService;
import org.lethe.worlds.shapes.ShapesVqaWriter;

/**
 * The {@code shapes-vqa} world with the committed tiny VLM standing in for its training (the world's
 * {@code unlearn:train shapes-vqa}, {@link ShapesVqaWorldService#train}).
 *
 * <p>Its {@link #train} does what the world's own training does except the training itself: it writes
 * the real generated world of seed {@value ShapesVqaFixtures#WORLD_SEED} at a small size
 * ({@link ShapesVqaFixtures#world}, {@link ShapesVqaWriter#write} into {@code <output>/data}, as the
 * world service writes it) and returns a copy of the committed fixture ({@value ShapesVqaFixtures#MODEL},
 * its files checked against their SHA-256 sums first) as the trained model. The run service then
 * commits it as the root version produced by this TRAIN run, so everything that reads a trained world
 * (the comparison harness: the task cuts, {@code shapes-vlm} trained by the world's run) sees what it
 * would see after {@code unlearn:train shapes-vqa}. Its split and model names are the world service's.
 */
public final class FixtureVqaWorld implements World {

    /** The world's name, {@code lethe.world}: {@value}. */
    public static final String NAME = ShapesVqaWorldService.NAME;

    private final int perCombination;

    /**
     * @param perCombination images per colour × shape × texture × material combination in each split
     *     (1: 216 images a split)
     */
    public FixtureVqaWorld(int perCombination) {
        this.perCombination = perCombination;
    }

    /** @return the world service's splits */
    @Override
    public List<String> splits() {
        return new ShapesVqaWorldService().splits();
    }

    /** @return {@value ShapesVqaFixtures#MODEL} */
    @Override
    public List<String> models() {
        return new ShapesVqaWorldService().models();
    }

    /**
     * Writes the world of seed {@value ShapesVqaFixtures#WORLD_SEED} to {@code <output>/data} and returns
     * a copy of the committed fixture as the trained model.
     *
     * @param corpus must be null (the world reads no user corpus)
     * @param output the training run's folder
     * @param run the training run (its seed must be {@value ShapesVqaFixtures#WORLD_SEED})
     * @return {@value ShapesVqaFixtures#MODEL}
     * @throws Exception when the world cannot be written or the fixture fails its checksums
     */
    @Override
    public List<TrainedModel> train(Path corpus, Path output, RunContext run) throws Exception {
        if (corpus != null) {
            throw LetheException.invalidInput("the shapes-vqa world does not read a user's corpus (" + corpus + ")");
        }
        if (run.seed() != ShapesVqaFixtures.WORLD_SEED) {
            throw LetheException.invalidInput("the shapes-vqa fixture was trained on the world of seed "
                    + ShapesVqaFixtures.WORLD_SEED + ", not " + run.seed());
        }
        ShapesVqaWriter.write(ShapesVqaFixtures.world(perCombination), output.resolve("data"));
        run.log("world: seed " + run.seed() + ", " + perCombination + " image(s) per combination; model: the committed"
                + " fixture (no training)");
        ModelManifest manifest = ShapesVqaFixtures.manifest(ShapesVqaFixtures.folder());
        Path files = Files.createDirectories(output.resolve("models").resolve(ShapesVqaFixtures.MODEL));
        for (String file : manifest.files().keySet()) {
            Files.copy(ShapesVqaFixtures.folder().resolve(ShapesVqaFixtures.MODEL).resolve(file), files.resolve(file));
        }
        return List.of(new TrainedModel(ShapesVqaFixtures.MODEL, manifest.architecture(), manifest.config(), files));
    }
}

package org.lethe.itests.behaviour.shapes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunContext;
import org.lethe.api.world.World;
import org.lethe.worlds.shapes.ShapesCorpusWriter;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesWorldService;

/**
 * The {@code shapes} world with the committed fixtures standing in for its training: the fixture
 * stand-in for the world's 15-minute training ({@code unlearn:train shapes}, {@link ShapesWorldService#train}).
 *
 * <p>Its {@link #train} does what the world's own training does except the training itself: it writes
 * the real generated world of seed {@value ShapesFixtures#WORLD_SEED} ({@code ShapesGenerator.generate}
 * then {@link ShapesCorpusWriter#write} into {@code <output>/data}, as the world service does), and
 * instead of training returns the committed fixtures {@value ShapesFixtures#GENERATOR} (the tiny
 * generator) and {@value ShapesFixtures#CLASSIFIER} as the trained models: each a copy of the
 * fixture's files (its weights) in {@code <output>/models/<id>}, with the architecture and settings of the
 * fixture's manifest (checked against its SHA-256 sums first). The run service then commits them as
 * root versions produced by this TRAIN run, as it commits the world's own models, so everything that
 * reads a trained world (the comparison harness: the task files, {@code shapes-t2i} trained by the
 * world's run) sees what it would see after {@code unlearn:train shapes}. Its split and model names are
 * the world service's own.
 *
 * <p>The fixtures were trained on the world of seed {@value ShapesFixtures#WORLD_SEED} (README beside
 * them), so a training run with any other seed is refused: its prompts would not be the ones the
 * fixtures learned.
 */
public final class FixtureShapesWorld implements World {

    /** The world's name, {@code lethe.world}: {@value}. */
    public static final String NAME = "shapes";

    private final ShapesWorldService names = new ShapesWorldService();

    /** @return the world service's splits */
    @Override
    public List<String> splits() {
        return names.splits();
    }

    /** @return {@value ShapesFixtures#GENERATOR} and {@value ShapesFixtures#CLASSIFIER}, as the world service trains them */
    @Override
    public List<String> models() {
        return names.models();
    }

    /**
     * Writes the world of seed {@value ShapesFixtures#WORLD_SEED} to {@code <output>/data} and returns
     * copies of the committed fixtures as the trained models, generator first.
     *
     * @param corpus must be null (the world reads no user corpus)
     * @param output the training run's folder
     * @param run the training run (its seed must be {@value ShapesFixtures#WORLD_SEED})
     * @return {@value ShapesFixtures#GENERATOR}, then {@value ShapesFixtures#CLASSIFIER}
     * @throws Exception when the world cannot be written or a fixture fails its checksums
     */
    @Override
    public List<TrainedModel> train(Path corpus, Path output, RunContext run) throws Exception {
        if (corpus != null) {
            throw LetheException.invalidInput("the shapes world does not read a user's corpus (" + corpus + ")");
        }
        if (run.seed() != ShapesFixtures.WORLD_SEED) {
            throw LetheException.invalidInput("the shapes fixtures were trained on the world of seed "
                    + ShapesFixtures.WORLD_SEED + ", not " + run.seed());
        }
        ShapesCorpusWriter.write(ShapesGenerator.generate(run.seed()), output.resolve("data"));
        run.log("world: seed " + run.seed() + "; models: the committed fixtures (no training)");
        return List.of(fixture(ShapesFixtures.GENERATOR, output), fixture(ShapesFixtures.CLASSIFIER, output));
    }

    private static TrainedModel fixture(String id, Path output) throws Exception {
        ModelManifest manifest = ShapesFixtures.manifest(ShapesFixtures.folder(), id);
        Path files = Files.createDirectories(output.resolve("models").resolve(id));
        for (String file : manifest.files().keySet()) {
            Files.copy(ShapesFixtures.folder().resolve(id).resolve(file), files.resolve(file));
        }
        return new TrainedModel(id, manifest.architecture(), manifest.config(), files);
    }
}

package org.lethe.itests.behaviour.vqa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.itests.behaviour.shapes.ShapesFixtures;
import org.lethe.models.vision.VisionLanguageArchitecture;
import org.lethe.models.vision.VisionLanguageTransformer;
import org.lethe.worlds.shapes.ShapesVqaWorld;
import org.lethe.worlds.shapes.ShapesVqaWorldService;
import org.lethe.worlds.shapes.ShapesVqaWriter;

/**
 * The committed shapes-vqa fixture ({@code src/test/resources/fixtures/shapes-vqa/}, built by
 * {@link ShapesVqaFixtureBuilder}), loaded without the container, and the world's data for tests.
 *
 * <p>The model is a folder in the layout {@code ModelStore.export} writes and
 * {@code ModelStore.importModel} reads: {@code manifest.json} (kind, architecture, the
 * architecture's settings, the SHA-256 of every file) and {@code weights.safetensors}. A test either
 * loads it here ({@link #load}, then {@link #vlm} for its {@link VisionLanguageModel} view) or imports
 * it into a model store ({@link #importInto}) to run methods on it through the run service. The
 * questions come from the world's own generator, seeded with the fixture's world seed
 * ({@link #world}), so the training images of the small world are images the fixture was trained on
 * and its holdout images are held-out render seeds.
 */
public final class ShapesVqaFixtures {

    /** The class-path folder of the fixture. */
    public static final String RESOURCE = "/fixtures/shapes-vqa";

    /** The seed of the shapes-vqa world the fixture was trained on ({@code ShapesVqaWorld.generate(0)}). */
    public static final long WORLD_SEED = 0;

    /** The model's folder name and id: {@value}. */
    public static final String MODEL = ShapesVqaWorldService.MODEL;

    private ShapesVqaFixtures() {
    }

    /**
     * @return the fixture's folder on the test class path ({@code target/test-classes/fixtures/shapes-vqa})
     * @throws IllegalStateException when the fixture is not on the class path
     */
    public static Path folder() {
        URL url = ShapesVqaFixtures.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("no " + RESOURCE + " on the class path: the shapes-vqa fixture is missing"
                    + " (ShapesVqaFixtureBuilder's Javadoc says how to rebuild it)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalStateException(RESOURCE + " is not a folder on the class path: " + url, e);
        }
    }

    /**
     * Reads the fixture's manifest and checks the SHA-256 of every file it lists (the folder must hold
     * exactly those files and the manifest).
     *
     * @param folder the fixtures' folder ({@link #folder()} for the committed one)
     * @return the manifest, as version 1 of {@value #MODEL}
     * @throws IOException when a file cannot be read, is missing or extra, or fails its checksum
     */
    public static ModelManifest manifest(Path folder) throws IOException {
        return ShapesFixtures.manifest(folder, MODEL);
    }

    /**
     * Loads the model with its architecture, after {@link #manifest} checked its files.
     *
     * @param folder the fixtures' folder
     * @return the model, open (the caller closes it)
     * @throws IOException when the files are bad or cannot be read
     */
    public static LoadedModel load(Path folder) throws IOException {
        ModelManifest manifest = manifest(folder);
        if (!manifest.architecture().equals(VisionLanguageArchitecture.NAME)) {
            throw new IOException(folder.resolve(MODEL).resolve(ShapesFixtures.MANIFEST) + ": architecture '"
                    + manifest.architecture() + "', not " + VisionLanguageArchitecture.NAME);
        }
        return new VisionLanguageArchitecture().load(manifest, folder.resolve(MODEL));
    }

    /**
     * @return the committed {@value #MODEL}, open
     * @throws IOException when its files are bad
     */
    public static LoadedModel load() throws IOException {
        return load(folder());
    }

    /**
     * @param model a loaded {@value #MODEL}
     * @return its vision-language view
     */
    public static VisionLanguageModel vlm(LoadedModel model) {
        return model.view(VisionLanguageModel.class).orElseThrow(() ->
                new IllegalArgumentException("the model offers no VisionLanguageModel view: " + model.config().keySet()));
    }

    /**
     * Imports the committed fixture into a model store as version 1 of a new id (a root, as
     * {@code unlearn:import} would), for runs through the run service.
     *
     * @param store the store
     * @param id the new id (e.g. {@value #MODEL})
     * @return the imported version
     */
    public static ModelRef importInto(ModelStore store, String id) {
        return store.importModel(folder().resolve(MODEL), id, false);
    }

    /**
     * The shapes-vqa world of the fixture's seed at a small size, from the world's own generator:
     * {@code perCombination} images of each of the 216 colour × shape × texture × material
     * combinations in each split; the {@code train} images are the first images the fixture was
     * trained on, the {@code holdout} images are held out. The same argument gives the same world.
     *
     * @param perCombination images per combination and split, ≥ 1 (1 gives 216 images, 864 training
     *     questions and 3,456 held-out questions)
     * @return the world
     */
    public static ShapesVqaWorld world(int perCombination) {
        return ShapesVqaWorld.generate(WORLD_SEED, perCombination, perCombination);
    }

    /**
     * Writes {@link #world}'s files (the VQA question files with their image sets and the concepts,
     * as the world writes them) into a folder, for tests that read them through the data service.
     *
     * @param perCombination images per combination and split
     * @param folder the folder (created if missing)
     * @return the {@code holdout} question file ({@code vqa/holdout.jsonl}); {@code vqa/train.jsonl} and
     *     {@code concepts.jsonl} lie beside it as the world's Javadoc says
     */
    public static Path writeWorld(int perCombination, Path folder) {
        ShapesVqaWriter.write(world(perCombination), folder);
        return folder.resolve(ShapesVqaWriter.questionFile(ShapesVqaWorld.HOLDOUT));
    }

    /**
     * @param folder the fixtures' folder
     * @return the size of the model's files (manifest and weights) in bytes
     */
    public static long bytes(Path folder) {
        try (var files = Files.list(folder.resolve(MODEL))) {
            long total = 0;
            for (Path p : files.toList()) {
                total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param folder the fixtures' folder
     * @return the weights file of the model
     */
    public static Path weights(Path folder) {
        return folder.resolve(MODEL).resolve(VisionLanguageTransformer.WEIGHTS);
    }
}

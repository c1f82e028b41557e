package org.lethe.itests.behaviour.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.run.RunContext;
import org.lethe.models.classifier.ConceptClassifierArchitecture;
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.models.diffusion.TextToImageModel;
import org.lethe.worlds.shapes.ShapesPrompt;
import org.lethe.worlds.shapes.ShapesSanityGate;
import org.lethe.worlds.shapes.ShapesWorldService;

/**
 * The committed shapes-world fixtures ({@code src/test/resources/fixtures/shapes/}, built by
 * {@link ShapesFixtureBuilder}), loaded without the container.
 *
 * <p>Each model is a folder in the layout {@code ModelStore.export} writes and
 * {@code ModelStore.importModel} reads: {@code manifest.json} (kind, architecture, the
 * architecture's settings, the SHA-256 of every file) and {@code weights.safetensors}. A test either
 * loads it here as a {@link LoadedModel} with its task view ({@link #loadGenerator},
 * {@link #loadClassifier}, then {@link #diffusion} or {@link #classifier}), or imports it into a
 * model store ({@link #importInto}) to run methods on it through the run service.
 */
public final class ShapesFixtures {

    /** The class-path folder of the fixtures. */
    public static final String RESOURCE = "/fixtures/shapes";

    /** The seed of the shapes world the fixtures were trained on ({@code ShapesGenerator.generate(0)}). */
    public static final long WORLD_SEED = 0;

    /** The tiny generator's folder name and model id: {@value}. */
    public static final String GENERATOR = ShapesWorldService.GENERATOR_MODEL;

    /** The classifier's folder name and model id: {@value}. */
    public static final String CLASSIFIER = ShapesWorldService.CLASSIFIER_MODEL;

    /** The file in every model folder that describes it. */
    public static final String MANIFEST = "manifest.json";

    /** The start-noise seed of {@link #contract}'s samples (not the sanity gate's). */
    public static final long CONTRACT_SEED = 7_000_000L;

    /** DDIM steps of {@link #contract}'s samples: the sanity gate's (research/methods-gen.md §6, S = 25). */
    public static final int CONTRACT_STEPS = 25;

    /** Classifier-free guidance of {@link #contract}'s samples: the sanity gate's (research/methods-gen.md §6, w = 4). */
    public static final double CONTRACT_GUIDANCE = 4.0;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, ModelArchitecture> ARCHITECTURES = Map.of(
            TextToImageArchitecture.NAME, new TextToImageArchitecture(),
            ConceptClassifierArchitecture.NAME, new ConceptClassifierArchitecture());

    private ShapesFixtures() {
    }

    /**
     * @return the fixtures' folder on the test class path ({@code target/test-classes/fixtures/shapes})
     * @throws IllegalStateException when the fixtures are not on the class path
     */
    public static Path folder() {
        URL url = ShapesFixtures.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("no " + RESOURCE + " on the class path: the shapes fixtures are missing"
                    + " (src/test/resources" + RESOURCE + "/README.md says how to rebuild them)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalStateException(RESOURCE + " is not a folder on the class path: " + url, e);
        }
    }

    /**
     * Reads a fixture's manifest and checks the SHA-256 of every file it lists; the folder must hold
     * exactly those files (and the manifest).
     *
     * @param folder the fixtures' folder ({@link #folder()} for the committed ones)
     * @param id {@value #GENERATOR} or {@value #CLASSIFIER}
     * @return its manifest, as version 1 of {@code id}
     * @throws IOException when a file cannot be read, is missing or extra, or fails its checksum
     */
    public static ModelManifest manifest(Path folder, String id) throws IOException {
        Path model = folder.resolve(id);
        Path file = model.resolve(MANIFEST);
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        ModelKind kind = ModelKind.valueOf(required(root, "kind", file));
        String architecture = required(root, "architecture", file);
        Map<String, String> config = strings(root.get("config"), "config", file);
        Map<String, String> files = strings(root.get("files"), "files", file);
        try (var listing = Files.list(model)) {
            List<String> present = listing.map(p -> p.getFileName().toString()).filter(n -> !n.equals(MANIFEST))
                    .sorted().toList();
            if (!present.equals(files.keySet().stream().sorted().toList())) {
                throw new IOException(model + " holds " + present + " but " + MANIFEST + " lists " + files.keySet());
            }
        }
        for (Map.Entry<String, String> e : files.entrySet()) {
            String actual = Hashing.sha256().hashBytes(Files.readAllBytes(model.resolve(e.getKey()))).toString();
            if (!actual.equals(e.getValue())) {
                throw new IOException(model.resolve(e.getKey()) + ": SHA-256 " + actual + ", but " + MANIFEST + " says "
                        + e.getValue());
            }
        }
        Instant created = root.hasNonNull("created") ? Instant.parse(root.get("created").asText()) : Instant.EPOCH;
        return new ModelManifest(new ModelRef(id, 1), kind, architecture, config, Optional.empty(), Optional.empty(),
                files, List.of(), created);
    }

    /**
     * Loads a fixture with its architecture, after {@link #manifest} checked its files.
     *
     * @param folder the fixtures' folder
     * @param id {@value #GENERATOR} or {@value #CLASSIFIER}
     * @return the model, open (the caller closes it)
     * @throws IOException when the files are bad or cannot be read
     */
    public static LoadedModel load(Path folder, String id) throws IOException {
        ModelManifest manifest = manifest(folder, id);
        ModelArchitecture architecture = ARCHITECTURES.get(manifest.architecture());
        if (architecture == null) {
            throw new IOException(folder.resolve(id).resolve(MANIFEST) + ": architecture '" + manifest.architecture()
                    + "' is not one of " + ARCHITECTURES.keySet());
        }
        return architecture.load(manifest, folder.resolve(id));
    }

    /**
     * @return the committed tiny generator {@value #GENERATOR}, open
     * @throws IOException when its files are bad
     */
    public static LoadedModel loadGenerator() throws IOException {
        return load(folder(), GENERATOR);
    }

    /**
     * @return the committed classifier {@value #CLASSIFIER}, open
     * @throws IOException when its files are bad
     */
    public static LoadedModel loadClassifier() throws IOException {
        return load(folder(), CLASSIFIER);
    }

    /**
     * @param model a loaded {@value #GENERATOR}
     * @return its diffusion-model view
     */
    public static DiffusionModel diffusion(LoadedModel model) {
        return model.view(DiffusionModel.class).orElseThrow(() ->
                new IllegalArgumentException("the model offers no DiffusionModel view: " + model.config().keySet()));
    }

    /**
     * @param model a loaded {@value #CLASSIFIER}
     * @return its concept-classifier view
     */
    public static ConceptClassifier classifier(LoadedModel model) {
        return model.view(ConceptClassifier.class).orElseThrow(() ->
                new IllegalArgumentException("the model offers no ConceptClassifier view: " + model.config().keySet()));
    }

    /**
     * The fixtures' contract, measured as the shapes world's sanity gate measures (full prompts by
     * the concepts' names, DDIM {@value #CONTRACT_STEPS} steps with classifier-free guidance
     * {@value #CONTRACT_GUIDANCE}, classified by the classifier) but on its own start noise: each of
     * the 72 colour × shape × texture prompts once, sample i starting from
     * {@code new Random(CONTRACT_SEED + i)}. The tiny generator is built to draw the right colour;
     * shape and texture are reported, not promised.
     *
     * @param generator the generator (the fixture, or an erased copy of it)
     * @param classifier the classifier
     * @param run where scratch memory lives
     * @return the shares of the 72 samples whose colour, shape and texture the classifier recognises
     */
    public static ShapesSanityGate.Result contract(DiffusionModel generator, ConceptClassifier classifier,
            RunContext run) {
        List<ShapesPrompt> prompts = ShapesSanityGate.prompts(1);
        return ShapesSanityGate.measure(generator, classifier, prompts, CONTRACT_SEED, CONTRACT_STEPS,
                CONTRACT_GUIDANCE, prompts.size(), run);
    }

    /**
     * Imports a committed fixture into a model store as version 1 of a new id (a root, as
     * {@code unlearn:import} would), for runs through the run service.
     *
     * @param store the store
     * @param fixture {@value #GENERATOR} or {@value #CLASSIFIER}
     * @param id the new id (e.g. the fixture's own name)
     * @return the imported version
     */
    public static ModelRef importInto(ModelStore store, String fixture, String id) {
        return store.importModel(folder().resolve(fixture), id, false);
    }

    /**
     * @param folder the fixtures' folder
     * @param id a fixture
     * @return the size of its weights file in bytes
     */
    public static long weightsBytes(Path folder, String id) {
        try {
            return Files.size(folder.resolve(id).resolve(TextToImageModel.WEIGHTS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(JsonNode root, String field, Path file) throws IOException {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new IOException(file + ": field " + field + " is missing or not a string");
        }
        return node.asText();
    }

    private static Map<String, String> strings(JsonNode node, String field, Path file) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException(file + ": field " + field + " is missing or not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IOException(file + ": field " + field + "." + e.getKey() + " is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}

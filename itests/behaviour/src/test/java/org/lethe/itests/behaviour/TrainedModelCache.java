package org.lethe.itests.behaviour;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.models.transformer.FactsTraining;
import org.lethe.models.transformer.WordTransformerArchitecture;
import org.lethe.models.transformer.WordTransformerModel;

/**
 * Trains a facts-world model with the world's recipe ({@link FactsTraining}, methods-llm.md §3.2)
 * once, and keeps its weights under {@code target/} keyed by a hash of everything the weights
 * depend on: the recipe's settings, the architecture's settings (vocabulary and sizes), the
 * initialisation seed, the world's fingerprint and the training sequences themselves. A second
 * {@code mvn verify} in the same {@code target/} finds the folder and trains nothing; any change to
 * the recipe, the model or the world gives another key, hence a fresh training.
 *
 * <p>A cache entry is a folder {@code <key>/} holding exactly the files of a model version (what
 * {@code ModelStore.create} commits), plus {@code <key>.properties} beside it, written last, that
 * marks the entry complete and records how the model was trained. Entries are written into a
 * temporary folder and moved into place, so an interrupted build leaves no half entry.
 */
public final class TrainedModelCache {

    /** Bump when the way this cache trains changes in a way the key cannot see. */
    private static final String LAYOUT = "lethe-behaviour-cache/1";

    private final Path root;

    /** @param root the cache folder (created when needed) */
    public TrainedModelCache(Path root) {
        this.root = root;
    }

    /**
     * A trained model's folder, from the cache or freshly trained.
     *
     * @param name a name for the log (the model id)
     * @param items the training sequences, in training order
     * @param settings the architecture's settings ({@code vocabulary}, {@code maxLength})
     * @param recipe the training recipe
     * @param initSeed the seed of the model's initialisation
     * @param worldFingerprint a fingerprint of the world the sequences come from
     * @return the entry
     */
    public Entry get(String name, List<QaItem> items, Map<String, String> settings, FactsTraining.Settings recipe,
            long initSeed, String worldFingerprint) {
        String key = key(name, items, settings, recipe, initSeed, worldFingerprint);
        Path folder = root.resolve(key);
        Path marker = root.resolve(key + ".properties");
        try {
            if (Files.isRegularFile(marker) && Files.isRegularFile(folder.resolve(WordTransformerModel.WEIGHTS))) {
                Properties props = load(marker);
                return new Entry(name, key, folder, modelConfig(props), false,
                        Duration.ofMillis(Long.parseLong(props.getProperty("trainingMillis"))),
                        Integer.parseInt(props.getProperty("steps")), Float.parseFloat(props.getProperty("lastEpochLoss")));
            }
            Files.createDirectories(root);
            Path temp = Files.createTempDirectory(root, ".training-");
            FactsTraining.Result result;
            Map<String, String> config;
            try (WordTransformerModel model = (WordTransformerModel) new WordTransformerArchitecture().create(settings, initSeed)) {
                LanguageModel lm = model;
                result = new FactsTraining(recipe).train(lm, items.stream().map(QaItem::question).toList(),
                        items.stream().map(QaItem::answer).toList(), (step, epoch, loss) -> { });
                model.save(temp);
                config = model.config();
            }
            deleteTree(folder);
            Files.move(temp, folder, StandardCopyOption.ATOMIC_MOVE);
            Properties props = new Properties();
            config.forEach((k, v) -> props.setProperty("config." + k, v));
            props.setProperty("name", name);
            props.setProperty("recipe", recipe.toString());
            props.setProperty("initSeed", Long.toString(initSeed));
            props.setProperty("sequences", Integer.toString(items.size()));
            props.setProperty("trainingMillis", Long.toString(result.wallTime().toMillis()));
            props.setProperty("steps", Integer.toString(result.steps()));
            props.setProperty("lastEpochLoss", Float.toString(result.lastEpochLoss()));
            Path tempMarker = Files.createTempFile(root, ".marker-", ".tmp");
            try (var out = Files.newOutputStream(tempMarker)) {
                props.store(out, "trained by the behavioural tests; delete to retrain");
            }
            Files.move(tempMarker, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Entry(name, key, folder, config, true, result.wallTime(), result.steps(), result.lastEpochLoss());
        } catch (IOException e) {
            throw new UncheckedIOException("cache entry " + folder, e);
        }
    }

    /**
     * The key: SHA-256 over the layout version, the name, the recipe, the architecture's settings
     * (sorted), the seed, the world's fingerprint and every training sequence.
     */
    static String key(String name, List<QaItem> items, Map<String, String> settings, FactsTraining.Settings recipe,
            long initSeed, String worldFingerprint) {
        Hasher h = Hashing.sha256().newHasher();
        h.putString(LAYOUT, StandardCharsets.UTF_8).putByte((byte) 0);
        h.putString(name, StandardCharsets.UTF_8).putByte((byte) 0);
        h.putString(recipe.toString(), StandardCharsets.UTF_8).putByte((byte) 0);
        new TreeMap<>(settings).forEach((k, v) -> h.putString(k, StandardCharsets.UTF_8).putByte((byte) 1)
                .putString(v, StandardCharsets.UTF_8).putByte((byte) 0));
        h.putLong(initSeed);
        h.putString(worldFingerprint, StandardCharsets.UTF_8).putByte((byte) 0);
        for (QaItem item : items) {
            h.putString(item.question(), StandardCharsets.UTF_8).putByte((byte) 1)
                    .putString(item.answer(), StandardCharsets.UTF_8).putByte((byte) 0);
        }
        return name + "-" + h.hash().toString().substring(0, 24);
    }

    private static Map<String, String> modelConfig(Properties props) {
        Map<String, String> config = new TreeMap<>();
        for (String k : props.stringPropertyNames()) {
            if (k.startsWith("config.")) {
                config.put(k.substring("config.".length()), props.getProperty(k));
            }
        }
        return config;
    }

    private static Properties load(Path file) throws IOException {
        Properties props = new Properties();
        try (var in = Files.newInputStream(file)) {
            props.load(in);
        }
        return props;
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A cached model.
     *
     * @param name its name (the model id it is committed under)
     * @param key its cache key
     * @param folder the folder holding the version's files
     * @param config the architecture's settings to commit it with
     * @param trainedNow whether this call trained it (false: read from the cache)
     * @param trainingTime how long its training took when it was trained
     * @param steps the optimiser steps of its training
     * @param lastEpochLoss the mean loss of its last training epoch
     */
    public record Entry(String name, String key, Path folder, Map<String, String> config, boolean trainedNow,
            Duration trainingTime, int steps, float lastEpochLoss) {
    }
}

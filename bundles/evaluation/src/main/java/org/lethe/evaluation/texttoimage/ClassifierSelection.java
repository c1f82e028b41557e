package org.lethe.evaluation.texttoimage;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.lethe.api.LetheException;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.model.classifier.ConceptClassifier;

/**
 * Which evaluation classifier the text-to-image metrics use, from the {@code classifier} setting of
 * {@value ErasureSampling#PID}: a model id ({@code shapes-clf}, the newest committed version of that
 * id) or an id and version ({@code shapes-clf:2}, that version). Free of OSGi: it works on a
 * {@link ModelStore} and the architectures by name.
 *
 * @param setting the setting as given
 * @param ref the parsed reference; {@link ModelRef#isBase()} when no version is pinned
 */
public record ClassifierSelection(String setting, ModelRef ref) {

    /** The model id of the shapes world's classifier, the default: {@value}. */
    public static final String DEFAULT_ID = "shapes-clf";

    /** Checks the parts. */
    public ClassifierSelection {
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(ref, "ref");
    }

    /**
     * Parses the setting.
     *
     * @param setting {@code id} or {@code id:version}
     * @return the selection
     * @throws LetheException (invalid input) naming the setting, when it is blank or not a model reference
     */
    public static ClassifierSelection parse(String setting) {
        if (setting == null || setting.isBlank()) {
            throw LetheException.invalidInput("setting 'classifier' of " + ErasureSampling.PID
                    + " is empty; give a model id such as " + DEFAULT_ID + " or id:version");
        }
        String text = setting.strip();
        try {
            return new ClassifierSelection(text, ModelRef.parse(text));
        } catch (LetheException e) {
            throw LetheException.invalidInput("setting 'classifier' of " + ErasureSampling.PID + ": " + e.getMessage());
        }
    }

    /** @return whether a version is pinned ({@code id:version}) rather than the newest wanted */
    public boolean pinned() {
        return !ref.isBase();
    }

    /**
     * The version to use: the pinned one, or the newest committed version of the id.
     *
     * @param store the model store
     * @return its manifest
     * @throws LetheException (invalid input) naming the id and how to get it, when the store has no
     *     such model or version, or the version is not a classifier
     */
    public ModelManifest choose(ModelStore store) {
        List<ModelManifest> versions = store.versions(ref.id());
        if (versions.isEmpty()) {
            throw LetheException.invalidInput(missingMessage(ref.id()));
        }
        ModelManifest chosen = null;
        if (pinned()) {
            for (ModelManifest m : versions) {
                if (m.ref().version() == ref.version()) {
                    chosen = m;
                }
            }
            if (chosen == null) {
                throw LetheException.invalidInput("the evaluation classifier " + ref + " (setting 'classifier' of "
                        + ErasureSampling.PID + ") is not in the model store; the versions of " + ref.id() + " are "
                        + versions.stream().map(m -> m.ref().version()).toList());
            }
        } else {
            chosen = versions.get(versions.size() - 1);
        }
        if (chosen.kind() != ModelKind.CLASSIFIER) {
            throw LetheException.invalidInput("the evaluation classifier " + chosen.ref() + " is a " + chosen.kind()
                    + " model, not a classifier; set 'classifier' of " + ErasureSampling.PID
                    + " to a classifier such as " + DEFAULT_ID);
        }
        return chosen;
    }

    /**
     * The message for a classifier id the store does not hold.
     *
     * @param id the id
     * @return what is missing and how to make it
     */
    static String missingMessage(String id) {
        return "no evaluation classifier: the model store has no model '" + id + "' (setting 'classifier' of "
                + ErasureSampling.PID + "); run `unlearn:train shapes` to train it"
                + (id.equals(DEFAULT_ID) ? "" : ", or set 'classifier' to an existing classifier such as " + DEFAULT_ID);
    }

    /**
     * Loads a chosen version: leases it, loads it with its architecture and closes the lease (the
     * weights are in memory by then).
     *
     * @param store the model store
     * @param manifest the version, from {@link #choose}
     * @param architectures the deployed architectures by {@code lethe.architecture} name
     * @return the loaded model, which offers the {@link ConceptClassifier} view; the caller closes it
     * @throws LetheException (invalid input) when the architecture is not deployed or the model offers
     *     no classifier view; (failed) when its files cannot be read
     */
    public static LoadedModel load(ModelStore store, ModelManifest manifest, Map<String, ModelArchitecture> architectures) {
        ModelArchitecture architecture = architectures.get(manifest.architecture());
        if (architecture == null) {
            throw LetheException.invalidInput("the architecture '" + manifest.architecture()
                    + "' of the evaluation classifier " + manifest.ref() + " is not deployed; deployed: "
                    + architectures.keySet().stream().sorted().toList());
        }
        LoadedModel loaded;
        try (ModelLease lease = store.lease(manifest.ref())) {
            loaded = architecture.load(lease.base(), lease.directory());
        } catch (IOException e) {
            throw LetheException.failed("cannot read the evaluation classifier " + manifest.ref() + ": " + e.getMessage(), e);
        }
        if (loaded.view(ConceptClassifier.class).isEmpty()) {
            loaded.close();
            throw LetheException.invalidInput("the evaluation classifier " + manifest.ref() + " (architecture "
                    + manifest.architecture() + ") offers no ConceptClassifier view");
        }
        return loaded;
    }
}

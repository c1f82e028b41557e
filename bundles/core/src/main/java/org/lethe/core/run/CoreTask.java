package org.lethe.core.run;

import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.config.ConfigService;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.data.VqaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;

/**
 * A method's task: the leased model copy, the planned data by role, the validated settings, and in
 * a run that commits a model what it attaches to the new version.
 */
final class CoreTask implements Task, AutoCloseable {

    /** Loads the reference copy of the model (the base version, from files the run has not touched). */
    interface ReferenceLoader {
        LoadedModel load() throws java.io.IOException;
    }

    private final LoadedModel model;
    private final ReferenceLoader referenceLoader;
    private LoadedModel reference;
    private final Map<String, PlannedData> data;
    private final Map<String, Object> settings;
    private final ConfigService config;
    private final Attachments attachments;

    /**
     * @param model the model the task works on
     * @param referenceLoader loads the reference copy on first use
     * @param data the planned data by role
     * @param settings the validated settings
     * @param config converts the settings to typed configuration
     * @param attachments what the run attaches to the version it commits; null when it commits none
     *     (an evaluation, whose {@link #attach} is refused)
     */
    CoreTask(LoadedModel model, ReferenceLoader referenceLoader, Map<String, PlannedData> data,
            Map<String, Object> settings, ConfigService config, Attachments attachments) {
        this.model = model;
        this.referenceLoader = referenceLoader;
        this.data = data;
        this.settings = settings;
        this.config = config;
        this.attachments = attachments;
    }

    @Override
    public void attach(ModelManifest.Attachment attachment, Map<String, byte[]> files) {
        if (attachments == null) {
            throw LetheException.invalidInput("an evaluation commits no model, so it cannot attach '"
                    + (attachment == null ? "" : attachment.name()) + "'; attachments come from unlearning and erasure runs");
        }
        attachments.add(attachment, files);
    }

    @Override
    public <V> V model(Class<V> view) {
        return model.view(view).orElseThrow(() -> LetheException.invalidInput(
                "the model (" + model.kind() + ") does not offer the " + view.getSimpleName() + " view"));
    }

    @Override
    public synchronized <V> V reference(Class<V> view) {
        if (reference == null) {
            try {
                reference = referenceLoader.load();
            } catch (java.io.IOException e) {
                throw LetheException.failed("cannot load the reference copy of the model: " + e.getMessage(), e);
            }
        }
        return reference.view(view).orElseThrow(() -> LetheException.invalidInput(
                "the model (" + reference.kind() + ") does not offer the " + view.getSimpleName() + " view"));
    }

    /** Frees the reference copy, if one was loaded. */
    @Override
    public synchronized void close() {
        if (reference != null) {
            reference.close();
            reference = null;
        }
    }

    @Override
    public <C> C config(Class<C> type) {
        return config.convert(type, settings);
    }

    @Override
    public boolean has(String role) {
        return data.containsKey(role);
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        return get(role, PlannedData.Kind.QA);
    }

    @Override
    public DataSet<Document> documents(String role) {
        return get(role, PlannedData.Kind.DOCUMENTS);
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        return get(role, PlannedData.Kind.CONCEPTS);
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        return get(role, PlannedData.Kind.PROMPTS);
    }

    @Override
    public DataSet<LabelledImage> images(String role) {
        return get(role, PlannedData.Kind.IMAGES);
    }

    @Override
    public DataSet<VqaItem> vqa(String role) {
        return get(role, PlannedData.Kind.VQA);
    }

    @SuppressWarnings("unchecked")
    private <T> DataSet<T> get(String role, PlannedData.Kind kind) {
        PlannedData planned = data.get(role);
        if (planned == null) {
            throw LetheException.invalidInput("the run has no '" + role + "' data");
        }
        if (planned.kind() != kind) {
            throw LetheException.invalidInput("the '" + role + "' data (" + planned.data().name() + ") holds "
                    + planned.kind().description() + ", not " + kind.description());
        }
        return (DataSet<T>) planned.data();
    }
}

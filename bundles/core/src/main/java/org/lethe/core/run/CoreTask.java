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
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;

/** A method's task: the leased model copy, the planned data by role, the validated settings. */
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

    CoreTask(LoadedModel model, ReferenceLoader referenceLoader, Map<String, PlannedData> data,
            Map<String, Object> settings, ConfigService config) {
        this.model = model;
        this.referenceLoader = referenceLoader;
        this.data = data;
        this.settings = settings;
        this.config = config;
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

package org.lethe.bench;

import java.util.List;
import java.util.Map;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.osgi.util.converter.Converters;

/**
 * A method's task without a run service: one language model, question–answer data by role, and
 * the method's typed configuration converted from settings with the OSGi Converter (defaults from
 * the method's {@code Config} annotation), as the run service converts them.
 */
final class BenchTask implements Task {

    private final LanguageModel model;
    private final Map<String, List<QaItem>> data;
    private final Map<String, Object> settings;

    BenchTask(LanguageModel model, Map<String, List<QaItem>> data, Map<String, Object> settings) {
        this.model = model;
        this.data = Map.copyOf(data);
        this.settings = Map.copyOf(settings);
    }

    @Override
    public <V> V model(Class<V> view) {
        if (view != LanguageModel.class) {
            throw new IllegalArgumentException("the benchmark's model is a language model, not " + view.getName());
        }
        return view.cast(model);
    }

    @Override
    public <V> V reference(Class<V> view) {
        throw new UnsupportedOperationException("the method benchmark has no reference model");
    }

    @Override
    public <C> C config(Class<C> type) {
        return Converters.standardConverter().convert(settings).to(type);
    }

    @Override
    public boolean has(String role) {
        return data.containsKey(role);
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        List<QaItem> items = data.get(role);
        if (items == null) {
            throw new IllegalArgumentException("no '" + role + "' data");
        }
        return new DataSet<>(role, items, "bench-" + role);
    }

    @Override
    public DataSet<Document> documents(String role) {
        throw new IllegalArgumentException("no documents in the method benchmark");
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        throw new IllegalArgumentException("no concepts in the method benchmark");
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        throw new IllegalArgumentException("no prompts in the method benchmark");
    }

    @Override
    public DataSet<org.lethe.api.data.LabelledImage> images(String role) {
        throw new IllegalArgumentException("no images in the method benchmark");
    }
}

package org.lethe.evaluation.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;

/**
 * Test scaffolding: a task over one language model and question–answer items by role, which is
 * all a metric or probe reads. Everything else a task offers is refused; asking for the reference
 * model or a configuration fails the test.
 */
public final class MapTask implements Task {

    private final LanguageModel model;
    private final Map<String, List<QaItem>> roles;

    /**
     * @param model the model under test
     * @param roles items by role
     */
    public MapTask(LanguageModel model, Map<String, List<QaItem>> roles) {
        this.model = model;
        this.roles = new LinkedHashMap<>(roles);
    }

    /**
     * @param dropped roles to leave out
     * @return a task with the same model and data, less those roles
     */
    public MapTask without(String... dropped) {
        Map<String, List<QaItem>> kept = new LinkedHashMap<>(roles);
        for (String role : dropped) {
            kept.remove(role);
        }
        return new MapTask(model, kept);
    }

    /**
     * @param role a role
     * @param items its items
     * @return a task with the same model and data, that role's items replaced
     */
    public MapTask with(String role, List<QaItem> items) {
        Map<String, List<QaItem>> changed = new LinkedHashMap<>(roles);
        changed.put(role, items);
        return new MapTask(model, changed);
    }

    @Override
    public <V> V model(Class<V> view) {
        if (view != LanguageModel.class) {
            throw LetheException.invalidInput("test task: only the language-model view");
        }
        return view.cast(model);
    }

    @Override
    public <V> V reference(Class<V> view) {
        throw new AssertionError("metrics and probes never load the reference copy: a probe works on its own copy");
    }

    @Override
    public <C> C config(Class<C> type) {
        throw new AssertionError("metrics and probes have no configuration");
    }

    @Override
    public boolean has(String role) {
        return roles.containsKey(role);
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        List<QaItem> items = roles.get(role);
        if (items == null) {
            throw LetheException.invalidInput("test task: no role '" + role + "'");
        }
        return new DataSet<>(role, items, "0".repeat(64));
    }

    @Override
    public DataSet<Document> documents(String role) {
        throw LetheException.invalidInput("test task: no documents");
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        throw LetheException.invalidInput("test task: no concepts");
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        throw LetheException.invalidInput("test task: no prompts");
    }

    @Override
    public DataSet<org.lethe.api.data.LabelledImage> images(String role) {
        throw LetheException.invalidInput("test task: no images");
    }
}

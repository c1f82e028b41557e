package org.lethe.evaluation.probes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;

/**
 * Test scaffolding: a task over one language model and question–answer data by role. It has no
 * reference model and no configuration: a probe that asks for either fails the test.
 */
final class MapTask implements Task {

    private final LanguageModel model;
    private final Map<String, List<QaItem>> roles;

    /**
     * @param model the model copy the probe may train
     * @param roles role → items
     */
    MapTask(LanguageModel model, Map<String, List<QaItem>> roles) {
        this.model = model;
        this.roles = new LinkedHashMap<>(roles);
    }

    @Override
    public <V> V model(Class<V> view) {
        if (view != LanguageModel.class) {
            throw LetheException.invalidInput("the model offers no " + view.getSimpleName() + " view");
        }
        return view.cast(model);
    }

    @Override
    public <V> V reference(Class<V> view) {
        throw new AssertionError("a probe must not load the model under test: it works on its copy only");
    }

    @Override
    public <C> C config(Class<C> type) {
        throw new AssertionError("probes have no configuration");
    }

    @Override
    public boolean has(String role) {
        return roles.containsKey(role);
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        List<QaItem> items = roles.get(role);
        if (items == null) {
            throw LetheException.invalidInput("no data for role '" + role + "'");
        }
        return new DataSet<>(role, items, "0".repeat(64));
    }

    @Override
    public DataSet<Document> documents(String role) {
        throw LetheException.invalidInput("no documents for role '" + role + "'");
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        throw LetheException.invalidInput("no concepts for role '" + role + "'");
    }
}

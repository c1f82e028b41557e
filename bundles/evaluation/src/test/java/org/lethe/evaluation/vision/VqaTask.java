package org.lethe.evaluation.vision;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.data.VqaItem;
import org.lethe.api.method.Task;

/**
 * Test scaffolding: an evaluation task over one model view object and visual questions by role, with
 * the erased concepts; everything else is refused.
 */
final class VqaTask implements Task {

    private final Object model;
    private final Map<String, List<VqaItem>> roles;
    private final List<String> erase;

    /**
     * @param model the model under test (a vision-language model, or another object to try the refusal)
     * @param roles questions by role
     * @param erase the erased concepts' names, or null for a task without the erase role
     */
    VqaTask(Object model, Map<String, List<VqaItem>> roles, List<String> erase) {
        this.model = model;
        this.roles = new LinkedHashMap<>(roles);
        this.erase = erase;
    }

    @Override
    public <V> V model(Class<V> view) {
        if (!view.isInstance(model)) {
            throw LetheException.invalidInput("the model (test) does not offer the " + view.getSimpleName() + " view");
        }
        return view.cast(model);
    }

    @Override
    public <V> V reference(Class<V> view) {
        throw new AssertionError("the vision-language metrics and probes never load the reference");
    }

    @Override
    public <C> C config(Class<C> type) {
        throw new AssertionError("metrics and probes read no task configuration");
    }

    @Override
    public boolean has(String role) {
        return roles.containsKey(role) || ERASE.equals(role) && erase != null;
    }

    @Override
    public DataSet<VqaItem> vqa(String role) {
        List<VqaItem> items = roles.get(role);
        if (items == null) {
            throw LetheException.invalidInput("test task: no role '" + role + "'");
        }
        return new DataSet<>(role, items, "0".repeat(64));
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        throw LetheException.invalidInput("test task: no question–answer items");
    }

    @Override
    public DataSet<Document> documents(String role) {
        throw LetheException.invalidInput("test task: no documents");
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        if (!ERASE.equals(role) || erase == null) {
            throw LetheException.invalidInput("test task: no concepts for '" + role + "'");
        }
        return new DataSet<>(role, erase.stream().map(n -> new Concept(n, Optional.of("colour"), List.of())).toList(),
                "0".repeat(64));
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        throw LetheException.invalidInput("test task: no prompts");
    }

    @Override
    public DataSet<LabelledImage> images(String role) {
        throw LetheException.invalidInput("test task: no images");
    }
}

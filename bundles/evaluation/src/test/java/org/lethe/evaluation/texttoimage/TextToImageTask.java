package org.lethe.evaluation.texttoimage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.method.Task;

/**
 * Test scaffolding: an evaluation task over a model (any view object: a diffusion model, or another
 * view to try the modality refusal), a reference made on first use (as core loads the root
 * ancestor), the erased concepts and labelled prompts by role.
 */
final class TextToImageTask implements Task {

    private final Object model;
    private final Supplier<Object> referenceLoader;
    private final List<Concept> erase;
    private final Map<String, List<Prompt>> prompts;
    private final Map<String, List<org.lethe.api.data.LabelledImage>> images = new LinkedHashMap<>();
    private Object reference;
    int referenceLoads;

    /**
     * @param model the model under test, as its view
     * @param referenceLoader makes the reference (called at most once)
     * @param erase the erased concepts, or null for a task without the erase role
     * @param prompts the prompts by role
     */
    TextToImageTask(Object model, Supplier<Object> referenceLoader, List<Concept> erase,
            Map<String, List<Prompt>> prompts) {
        this.model = model;
        this.referenceLoader = referenceLoader;
        this.erase = erase;
        this.prompts = new LinkedHashMap<>(prompts);
    }

    /**
     * @param role a role
     * @param items its prompts, or null to drop it
     * @return the same task with that role's prompts replaced
     */
    TextToImageTask with(String role, List<Prompt> items) {
        Map<String, List<Prompt>> changed = new LinkedHashMap<>(prompts);
        if (items == null) {
            changed.remove(role);
        } else {
            changed.put(role, items);
        }
        return new TextToImageTask(model, referenceLoader, erase, changed);
    }

    /**
     * @param concepts the erased concepts, or null for none
     * @return the same task with other erased concepts
     */
    TextToImageTask erasing(List<Concept> concepts) {
        return new TextToImageTask(model, referenceLoader, concepts, prompts);
    }

    /**
     * @param role a role
     * @param items its labelled images (this task changed in place)
     * @return this task
     */
    TextToImageTask withImages(String role, List<org.lethe.api.data.LabelledImage> items) {
        images.put(role, List.copyOf(items));
        return this;
    }

    @Override
    public <V> V model(Class<V> view) {
        if (!view.isInstance(model)) {
            throw LetheException.invalidInput("the model (test) does not offer the " + view.getSimpleName() + " view");
        }
        return view.cast(model);
    }

    @Override
    public synchronized <V> V reference(Class<V> view) {
        if (reference == null) {
            reference = referenceLoader.get();
            referenceLoads++;
        }
        if (!view.isInstance(reference)) {
            throw LetheException.invalidInput("the reference (test) does not offer the " + view.getSimpleName() + " view");
        }
        return view.cast(reference);
    }

    @Override
    public <C> C config(Class<C> type) {
        throw new AssertionError("metrics read no method configuration");
    }

    @Override
    public boolean has(String role) {
        return role.equals(ERASE) ? erase != null : prompts.containsKey(role) || images.containsKey(role);
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        throw LetheException.invalidInput("test task: no question-answer items");
    }

    @Override
    public DataSet<Document> documents(String role) {
        throw LetheException.invalidInput("test task: no documents");
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        if (!role.equals(ERASE) || erase == null) {
            throw LetheException.invalidInput("test task: no concepts for '" + role + "'");
        }
        return new DataSet<>(role, erase, "0".repeat(64));
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        List<Prompt> items = prompts.get(role);
        if (items == null) {
            throw LetheException.invalidInput("test task: no role '" + role + "'");
        }
        return new DataSet<>(role, items, "0".repeat(64));
    }

    @Override
    public DataSet<org.lethe.api.data.LabelledImage> images(String role) {
        List<org.lethe.api.data.LabelledImage> items = images.get(role);
        if (items == null) {
            throw LetheException.invalidInput("test task: no role '" + role + "'");
        }
        return new DataSet<>(role, items, "0".repeat(64));
    }
}

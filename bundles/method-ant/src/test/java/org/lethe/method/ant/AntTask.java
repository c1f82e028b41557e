package org.lethe.method.ant;

import java.lang.reflect.Proxy;
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
import org.lethe.api.model.diffusion.DiffusionModel;

/**
 * Test scaffolding: a task over a working copy of a diffusion model, its reference copy (made on
 * first use, as core loads it), the erase concepts, optionally keep concepts, and settings over the
 * configuration's defaults. (A copy of the ESD bundle's test task with the keep role added.)
 */
final class AntTask implements Task {

    private final DiffusionModel model;
    private final Supplier<DiffusionModel> referenceLoader;
    private final List<Concept> erase;
    private final Map<String, Object> settings;
    List<Concept> keep;
    DiffusionModel reference;

    /**
     * @param model the working copy
     * @param referenceLoader makes the reference copy (called at most once)
     * @param erase the concepts to erase
     * @param settings configuration values by attribute name; the rest default
     */
    AntTask(DiffusionModel model, Supplier<DiffusionModel> referenceLoader, List<Concept> erase,
            Map<String, Object> settings) {
        this.model = model;
        this.referenceLoader = referenceLoader;
        this.erase = erase;
        this.settings = settings;
    }

    @Override
    public <V> V model(Class<V> view) {
        if (view != DiffusionModel.class) {
            throw LetheException.invalidInput("test task: only the diffusion-model view");
        }
        return view.cast(model);
    }

    @Override
    public synchronized <V> V reference(Class<V> view) {
        if (view != DiffusionModel.class) {
            throw LetheException.invalidInput("test task: only the diffusion-model view");
        }
        if (reference == null) {
            reference = referenceLoader.get();
        }
        return view.cast(reference);
    }

    @Override
    public <C> C config(Class<C> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (settings.containsKey(method.getName())) {
                return settings.get(method.getName());
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    @Override
    public boolean has(String role) {
        return role.equals(ERASE) || (role.equals(KEEP) && keep != null);
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
        if (role.equals(KEEP) && keep != null) {
            return new DataSet<>(role, keep, "1".repeat(64));
        }
        if (!role.equals(ERASE)) {
            throw LetheException.invalidInput("test task: no role '" + role + "'");
        }
        return new DataSet<>(role, erase, "0".repeat(64));
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        throw LetheException.invalidInput("test task: no role '" + role + "'");
    }

    @Override
    public DataSet<org.lethe.api.data.LabelledImage> images(String role) {
        throw LetheException.invalidInput("test task: no role '" + role + "'");
    }
}

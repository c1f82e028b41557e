package org.lethe.method.sauce;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.data.VqaItem;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;

/**
 * Test scaffolding: a task over a vision-language model, the erase concepts, forget and retain
 * questions, and settings over the configuration's defaults; it keeps what the method attaches
 * (core's {@code Task.attach} writes it into the committed version instead).
 */
final class SauceTask implements Task {

    private final VisionLanguageModel model;
    private final List<Concept> erase;
    private final List<VqaItem> forget;
    private final List<VqaItem> retain;
    private final Map<String, Object> settings;
    final Map<ModelManifest.Attachment, Map<String, byte[]>> attached = new LinkedHashMap<>();

    /**
     * @param model the working copy
     * @param erase the concepts to erase
     * @param forget the forget questions
     * @param retain the retain questions
     * @param settings configuration values by attribute name; the rest default
     */
    SauceTask(VisionLanguageModel model, List<Concept> erase, List<VqaItem> forget, List<VqaItem> retain,
            Map<String, Object> settings) {
        this.model = model;
        this.erase = erase;
        this.forget = forget;
        this.retain = retain;
        this.settings = settings;
    }

    @Override
    public <V> V model(Class<V> view) {
        if (view != VisionLanguageModel.class) {
            throw LetheException.invalidInput("test task: only the vision-language view");
        }
        return view.cast(model);
    }

    @Override
    public <V> V reference(Class<V> view) {
        throw LetheException.invalidInput("test task: no reference copy");
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
        return role.equals(ERASE) || role.equals(FORGET) || (role.equals(RETAIN) && !retain.isEmpty());
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
    public DataSet<LabelledImage> images(String role) {
        throw LetheException.invalidInput("test task: no role '" + role + "'");
    }

    @Override
    public DataSet<VqaItem> vqa(String role) {
        return switch (role) {
            case FORGET -> new DataSet<>(role, forget, "0".repeat(64));
            case RETAIN -> new DataSet<>(role, retain, "0".repeat(64));
            default -> throw LetheException.invalidInput("test task: no role '" + role + "'");
        };
    }

    @Override
    public void attach(ModelManifest.Attachment attachment, Map<String, byte[]> files) {
        attached.put(attachment, files);
    }
}

package org.lethe.itests.behaviour.vqa;

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
 * A task for an erasure run on the committed shapes-vlm outside the run service: the model, the
 * erase concepts, the forget and retain questions, settings over the method's defaults, and what
 * the method attaches (the run service's {@code Task.attach} commits it instead).
 */
final class SauceFixtureTask implements Task {

    private final VisionLanguageModel model;
    private final List<Concept> erase;
    private final List<VqaItem> forget;
    private final List<VqaItem> retain;
    private final Map<String, Object> settings;
    final Map<ModelManifest.Attachment, Map<String, byte[]>> attached = new LinkedHashMap<>();

    SauceFixtureTask(VisionLanguageModel model, List<Concept> erase, List<VqaItem> forget, List<VqaItem> retain,
            Map<String, Object> settings) {
        this.model = model;
        this.erase = erase;
        this.forget = forget;
        this.retain = retain;
        this.settings = settings;
    }

    @Override
    public <V> V model(Class<V> view) {
        return view.cast(model);
    }

    @Override
    public <V> V reference(Class<V> view) {
        throw LetheException.invalidInput("no reference copy in this test");
    }

    @Override
    public <C> C config(Class<C> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
                settings.containsKey(method.getName()) ? settings.get(method.getName()) : method.getDefaultValue()));
    }

    @Override
    public boolean has(String role) {
        return role.equals(ERASE) || role.equals(FORGET) || role.equals(RETAIN);
    }

    @Override
    public DataSet<QaItem> qa(String role) {
        throw LetheException.invalidInput("no question-answer items in this test");
    }

    @Override
    public DataSet<Document> documents(String role) {
        throw LetheException.invalidInput("no documents in this test");
    }

    @Override
    public DataSet<Concept> concepts(String role) {
        return new DataSet<>(role, erase, "0".repeat(64));
    }

    @Override
    public DataSet<Prompt> prompts(String role) {
        throw LetheException.invalidInput("no prompts in this test");
    }

    @Override
    public DataSet<LabelledImage> images(String role) {
        throw LetheException.invalidInput("no images in this test");
    }

    @Override
    public DataSet<VqaItem> vqa(String role) {
        return switch (role) {
            case FORGET -> new DataSet<>(role, forget, "0".repeat(64));
            case RETAIN -> new DataSet<>(role, retain, "0".repeat(64));
            default -> throw LetheException.invalidInput("no role '" + role + "' in this test");
        };
    }

    @Override
    public void attach(ModelManifest.Attachment attachment, Map<String, byte[]> files) {
        attached.put(attachment, files);
    }
}

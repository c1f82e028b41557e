package org.lethe.api.method;

import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.ModelManifest;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a method works on: a private copy of the model, the data by role, and its configuration,
 * all validated before the method is called.
 */
@ProviderType
public interface Task {

    /** Role of the data to forget. */
    String FORGET = "forget";

    /** Role of the data whose knowledge must be kept. */
    String RETAIN = "retain";

    /** Role of data the model never saw (membership-inference and relearning probes). */
    String HOLDOUT = "holdout";

    /** Role of the concepts to erase. */
    String ERASE = "erase";

    /** Role of the concepts that must survive an erasure. */
    String KEEP = "keep";

    /**
     * The model copy through one of its task views.
     *
     * @param <V> the view type
     * @param view e.g. {@code LanguageModel.class}
     * @return the view of the working copy; changes to it are what the run commits
     * @throws LetheException (invalid input) when the model does not offer that view
     */
    <V> V model(Class<V> view);

    /**
     * The model as it was when the run started, through one of its task views: a separate copy,
     * loaded on first use and freed when the run ends, for reference terms (e.g. GradDiff's KL to
     * the original model). Its parameters are not optimised; compute with it outside the gradient,
     * e.g. {@code stopGradient()} on its outputs. In an evaluation run (nothing is changed) it is
     * the evaluated version's root ancestor instead, the model as its world or import made it: the
     * baseline of metrics that compare with the original (layout, Fréchet distance).
     *
     * @param <V> the view type
     * @param view e.g. {@code LanguageModel.class}
     * @return the view of the reference copy
     * @throws LetheException (invalid input) when the model does not offer that view
     * @since 1.1
     */
    <V> V reference(Class<V> view);

    /**
     * The method's configuration, converted from the run's settings through its Metatype
     * definition (defaults filled in, types and ranges checked before the run started).
     *
     * @param <C> the configuration type
     * @param type the method's {@code @ObjectClassDefinition} annotation type
     * @return the typed configuration
     */
    <C> C config(Class<C> type);

    /**
     * @param role a data role
     * @return whether the run has data for it
     */
    boolean has(String role);

    /**
     * @param role a data role, e.g. {@link #FORGET}
     * @return the question–answer items for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data
     */
    DataSet<QaItem> qa(String role);

    /**
     * @param role a data role, e.g. {@link #FORGET} for corrupting documents
     * @return the documents for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data
     */
    DataSet<Document> documents(String role);

    /**
     * @param role a data role, e.g. {@link #ERASE}
     * @return the concepts for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data
     */
    DataSet<Concept> concepts(String role);

    /**
     * @param role a data role of labelled generation prompts (e.g. an erasure evaluation's
     *     {@code erased_prompts})
     * @return the prompts for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data
     * @since 1.2
     */
    DataSet<Prompt> prompts(String role);

    /**
     * @param role a data role of labelled images (e.g. an erasure evaluation's
     *     {@code concept_images}: real images of the erased concept)
     * @return the images for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data
     * @since 1.3
     */
    DataSet<LabelledImage> images(String role);

    /**
     * @param role a data role of questions about images (e.g. a vision-language unlearning's
     *     {@code forget}: the questions whose answer is the concept, on images that show it)
     * @return the items for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data;
     *     this default holds none
     * @since 1.4
     */
    default DataSet<VqaItem> vqa(String role) {
        throw LetheException.invalidInput("the run has no '" + role + "' questions about images");
    }

    /**
     * The data of a role as items of a given type: what a method written against
     * {@link org.lethe.api.model.AnswerModel} reads, whichever kind of model it runs on.
     *
     * @param <T> the item type
     * @param role the data role
     * @param type {@link QaItem}, {@link Document}, {@link Concept}, {@link Prompt}, {@link LabelledImage}
     *     or {@link VqaItem}
     * @return the items for it
     * @throws LetheException (invalid input) when the role is missing or holds another kind of data
     * @since 1.4
     */
    @SuppressWarnings("unchecked")
    default <T> DataSet<T> data(String role, Class<T> type) {
        Object data;
        if (type == QaItem.class) {
            data = qa(role);
        } else if (type == VqaItem.class) {
            data = vqa(role);
        } else if (type == Document.class) {
            data = documents(role);
        } else if (type == Concept.class) {
            data = concepts(role);
        } else if (type == Prompt.class) {
            data = prompts(role);
        } else if (type == LabelledImage.class) {
            data = images(role);
        } else {
            throw new IllegalArgumentException("no data of type " + type.getName());
        }
        return (DataSet<T>) data;
    }

    /**
     * Adds an attachment to the version this run commits: its files are written into the version's
     * folder beside the weights, and the version lists it in its manifest. What a method that
     * changes no weight delivers (an inference-time {@link ModelManifest.Attachment.Type#INTERVENTION},
     * applied on every load through the {@link org.lethe.api.model.Intervention} service of its type).
     * The version keeps its base's attachments too; names must be unique among them.
     *
     * @param attachment what to attach; its {@code files} are the keys of {@code files}
     * @param files each file's name (relative, no folders) and content
     * @throws LetheException (invalid input) when the run commits no model (an evaluation), a name is
     *     taken or the files do not match the attachment; this default commits none
     * @since 1.4
     */
    default void attach(ModelManifest.Attachment attachment, Map<String, byte[]> files) {
        throw LetheException.invalidInput("this run commits no model, so it cannot attach '" + attachment.name() + "'");
    }
}

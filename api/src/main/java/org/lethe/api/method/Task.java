package org.lethe.api.method;

import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
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
}

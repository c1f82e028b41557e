package org.lethe.evaluation.texttoimage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.Prompt;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.evaluation.erasure.ClassifiedSampler;
import org.lethe.evaluation.erasure.Concept;
import org.lethe.evaluation.erasure.EmbeddingPerturbation;
import org.lethe.evaluation.erasure.GeneratedSample;

/**
 * One metric's evaluation of one task: the model under test as a {@link DiffusionModel}, a hold on
 * the evaluation classifier and its shared sampler, and the task's prompts and erased concepts as
 * the classifier sees them. Closing it releases the classifier.
 *
 * <p>Prompts: a split longer than {@code maxPromptsPerSplit} is thinned to the evenly spaced rows
 * ⌊i·n/cap⌋ (the same rows for the model and the reference); a prompt's start-noise seed is its
 * {@code seed}, or its row number in the role when it has none.
 */
final class ErasureRun implements AutoCloseable {

    /**
     * The split of the perturbed erased prompts (each erased prompt with its concept words'
     * embeddings moved to a random neighbour e+η): {@value}.
     */
    static final String PERTURBED_SPLIT = Roles.ERASED_PROMPTS + "_perturbed";

    private final Task task;
    private final String metric;
    private final DiffusionModel model;
    private final ErasureSampling.ClassifierHold hold;
    private List<Concept> erased;

    /** The prompts of a split as sampled: the selected rows and their seeds. */
    record Selection(List<Prompt> prompts, long[] seeds) {
    }

    private ErasureRun(Task task, String metric, DiffusionModel model, ErasureSampling.ClassifierHold hold) {
        this.task = task;
        this.metric = metric;
        this.model = model;
        this.hold = hold;
    }

    /**
     * @param task the task
     * @param metric the metric's name, for messages
     * @param sampling the shared sampling service
     * @return the run
     * @throws LetheException (invalid input) when the model is not a text-to-image model, no
     *     classifier is in the store, or the classifier does not read the model's images
     */
    static ErasureRun open(Task task, String metric, ErasureSampling sampling) {
        DiffusionModel model = diffusion(task, metric, false);
        ErasureSampling.ClassifierHold hold = sampling.hold();
        try {
            hold.sampler().requireCompatible(model);
        } catch (RuntimeException e) {
            hold.close();
            throw e;
        }
        return new ErasureRun(task, metric, model, hold);
    }

    /** The task's model or reference as a diffusion model, refused by modality when it is not one. */
    private static DiffusionModel diffusion(Task task, String metric, boolean reference) {
        try {
            return reference ? task.reference(DiffusionModel.class) : task.model(DiffusionModel.class);
        } catch (LetheException e) {
            if (e.exitStatus() != LetheException.INVALID_INPUT) {
                throw e;
            }
            throw LetheException.invalidInput("metric '" + metric + "' measures text-to-image models (the"
                    + " DiffusionModel view), and the " + (reference ? "reference" : "model under test")
                    + " is not one: " + e.getMessage());
        }
    }

    /**
     * @param task a task
     * @param role a prompt role
     * @return whether the task has at least one prompt for it (without touching the model)
     */
    static boolean hasPrompts(Task task, String role) {
        return task.has(role) && !task.prompts(role).items().isEmpty();
    }

    /**
     * @param task a task
     * @return whether the task names at least one concept to erase
     */
    static boolean hasErasedConcepts(Task task) {
        return task.has(Task.ERASE) && !task.concepts(Task.ERASE).items().isEmpty();
    }

    /** @return the model under test */
    DiffusionModel model() {
        return model;
    }

    /** @return the shared sampler */
    ClassifiedSampler sampler() {
        return hold.sampler();
    }

    /**
     * @param role a prompt role
     * @return whether the task has at least one prompt for it
     */
    boolean hasPrompts(String role) {
        return hasPrompts(task, role);
    }

    /**
     * The erased concepts of the task (role {@link Task#ERASE}) as classifier concepts: each concept's
     * attribute must be a head of the classifier and its name one of that head's classes; a concept
     * without an attribute takes the one head that has its name as a class.
     *
     * @return the concepts, in the task's order; empty when the task has no erase role
     * @throws LetheException (invalid input) naming the concept, when the classifier does not know it
     */
    List<Concept> erasedConcepts() {
        if (erased != null) {
            return erased;
        }
        if (!task.has(Task.ERASE)) {
            erased = List.of();
            return erased;
        }
        ConceptClassifier classifier = sampler().classifier();
        List<String> heads = classifier.heads().stream().filter(h -> !h.equals(ClassifiedSampler.OBJECT_HEAD)).toList();
        Set<Concept> out = new LinkedHashSet<>();
        for (org.lethe.api.data.Concept c : task.concepts(Task.ERASE).items()) {
            String head;
            if (c.attribute().isPresent()) {
                head = c.attribute().get();
                if (!heads.contains(head)) {
                    throw LetheException.invalidInput("erased concept '" + c.name() + "' has attribute '" + head
                            + "', which is not a head of the evaluation classifier " + hold.classifierRef()
                            + " (heads: " + heads + ")");
                }
                if (!classifier.classes(head).contains(c.name())) {
                    throw LetheException.invalidInput("erased concept '" + c.name() + "' is not a class the evaluation"
                            + " classifier " + hold.classifierRef() + " knows; its '" + head + "' classes are "
                            + classifier.classes(head));
                }
            } else {
                List<String> candidates = heads.stream().filter(h -> classifier.classes(h).contains(c.name())).toList();
                if (candidates.size() != 1) {
                    throw LetheException.invalidInput("erased concept '" + c.name() + "' has no attribute, and "
                            + (candidates.isEmpty() ? "no head" : "several heads " + candidates)
                            + " of the evaluation classifier " + hold.classifierRef() + " have it as a class;"
                            + " give the concept its attribute (one of " + heads + ")");
                }
                head = candidates.get(0);
            }
            out.add(new Concept(head, c.name()));
        }
        erased = List.copyOf(out);
        return erased;
    }

    /**
     * @param concept one of the {@link #erasedConcepts()}
     * @return that concept's own words: the name and aliases of the task's erased concepts named as it
     *     (its name alone when the task lists it under no other words)
     */
    List<String> wordsOf(Concept concept) {
        Set<String> words = new LinkedHashSet<>();
        words.add(concept.value());
        if (task.has(Task.ERASE)) {
            for (org.lethe.api.data.Concept c : task.concepts(Task.ERASE).items()) {
                if (c.name().equals(concept.value())) {
                    words.addAll(c.aliases());
                }
            }
        }
        return List.copyOf(words);
    }

    /** @return the erased concepts' names and aliases, each once, in the task's order */
    List<String> erasedWords() {
        Set<String> words = new LinkedHashSet<>();
        if (task.has(Task.ERASE)) {
            for (org.lethe.api.data.Concept c : task.concepts(Task.ERASE).items()) {
                words.add(c.name());
                words.addAll(c.aliases());
            }
        }
        return List.copyOf(words);
    }

    /**
     * @param role a prompt role the task has
     * @return its prompts as sampled: thinned to {@code maxPromptsPerSplit}, with their seeds
     */
    Selection selection(String role) {
        return selection(role, hold.config().maxPromptsPerSplit());
    }

    /**
     * @param role a prompt role the task has
     * @param cap the most prompts taken (evenly spaced rows), 0 for all
     * @return its prompts as sampled, with their seeds
     */
    Selection selection(String role, int cap) {
        List<Prompt> all = task.prompts(role).items();
        int n = all.size();
        int count = cap == 0 || n <= cap ? n : cap;
        List<Prompt> prompts = new ArrayList<>(count);
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            int row = count == n ? i : (int) ((long) i * n / count);
            Prompt p = all.get(row);
            prompts.add(p);
            seeds[i] = p.seed().orElse(row);
        }
        return new Selection(prompts, seeds);
    }

    /**
     * @param role a prompt role the task has
     * @return the model's samples of its (selected) prompts
     */
    List<GeneratedSample> samples(String role) {
        Selection s = selection(role);
        return sampler().samples(model, role, s.prompts(), s.seeds());
    }

    /**
     * Acc_e as {@link ErasureAccuracyMetric} defines it, the one definition the harmonic means share.
     *
     * @return the erased concepts' accuracy on the erased prompts (the task has both)
     */
    ConceptAccuracy erasureAccuracy() {
        return ConceptAccuracy.of(erasedConcepts(), samples(Roles.ERASED_PROMPTS), Roles.ERASED_PROMPTS);
    }

    /**
     * Acc_e on at most {@code cap} erased prompts (a probe's repeated measurement).
     *
     * @param cap the most erased prompts sampled (evenly spaced rows), 0 for all
     * @return the erased concepts' accuracy
     */
    ConceptAccuracy erasureAccuracy(int cap) {
        Selection s = selection(Roles.ERASED_PROMPTS, cap);
        return ConceptAccuracy.of(erasedConcepts(), sampler().samples(model, Roles.ERASED_PROMPTS, s.prompts(), s.seeds()),
                Roles.ERASED_PROMPTS);
    }

    /**
     * Acc_p as {@link PreservationAccuracyMetric} defines it, per preserve prompt.
     *
     * @return prompt id → whether its sample shows every judged label (the task has preserve prompts)
     */
    Map<String, Double> preservationPerItem() {
        return PreservationAccuracyMetric.perItem(erasedConcepts(), samples(Roles.PRESERVE_PROMPTS));
    }

    /**
     * @param role a prompt role the task has
     * @return the reference model's samples of the same prompts with the same seeds
     * @throws LetheException (invalid input) when the reference is not a text-to-image model or its
     *     images do not fit the classifier
     */
    List<GeneratedSample> referenceSamples(String role) {
        DiffusionModel reference = diffusion(task, metric, true);
        Selection s = selection(role);
        return sampler().samples(reference, role, s.prompts(), s.seeds());
    }

    /**
     * The erased prompts sampled with their erased-concept words' embeddings perturbed
     * ({@link EmbeddingPerturbation}, scale and seed from the configuration), reported as
     * {@value #PERTURBED_SPLIT}.
     *
     * @return the samples; empty when the task has no erased prompts or no erased concepts
     */
    List<GeneratedSample> perturbedSamples() {
        List<String> words = erasedWords();
        if (words.isEmpty() || !hasPrompts(Roles.ERASED_PROMPTS)) {
            return List.of();
        }
        Selection s = selection(Roles.ERASED_PROMPTS);
        EmbeddingPerturbation perturbation = new EmbeddingPerturbation(words, hold.config().perturbationScale(),
                hold.config().perturbationSeed());
        return sampler().perturbedSamples(model, PERTURBED_SPLIT, s.prompts(), s.seeds(), perturbation);
    }

    /** Releases the classifier. */
    @Override
    public void close() {
        hold.close();
    }
}

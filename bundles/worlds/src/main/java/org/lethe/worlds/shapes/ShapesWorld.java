package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.lethe.api.data.Concept;

/**
 * A generated shapes world: image splits with ground truth, prompt splits, erasure tasks and the
 * fixed vocabulary. Immutable; splits are looked up by name.
 *
 * <p>Image splits: {@value #TRAIN} (the diffusion model's images, one per training prompt),
 * {@value #CLASSIFIER_TRAIN} and {@value #CLASSIFIER_HOLDOUT} (the evaluation classifier's images,
 * each from render seeds used nowhere else, with images without an object at the end).
 *
 * <p>Prompt splits: {@value #TRAIN} (row i is image i's prompt); per concept, with N rows each:
 * {@value #EVAL_NAME} (the concept by its name), {@value #EVAL_ALIAS} (by its erasure alias),
 * {@value #EVAL_HELDOUT} (by its held-out alias), {@value #EVAL_COMPOSITIONAL} (by its held-out
 * alias, the other attributes by their aliases); and {@code preserve_<task>} per
 * {@link ErasureTask}, N prompts that name only preserved concepts. Row k of every evaluation and
 * preserve split has the same sampler seed, and rows k of the four evaluation splits of one concept
 * differ only in words.
 */
public final class ShapesWorld {

    /** The diffusion model's training split (images and prompts). */
    public static final String TRAIN = "train";
    /** The classifier's training images. */
    public static final String CLASSIFIER_TRAIN = "classifier_train";
    /** The classifier's check images (held-out seeds). */
    public static final String CLASSIFIER_HOLDOUT = "classifier_holdout";
    /** Evaluation prompts naming the concept by its name (Acc_e, the base model's sanity gate). */
    public static final String EVAL_NAME = "eval_name";
    /** Evaluation prompts naming the concept by an erasure alias. */
    public static final String EVAL_ALIAS = "eval_alias";
    /** Evaluation prompts naming the concept by its held-out alias (generality, Acc_g). */
    public static final String EVAL_HELDOUT = "eval_heldout";
    /** Held-out alias for the concept, aliases for the rest ({@code scarlet box on spots}; Acc_g). */
    public static final String EVAL_COMPOSITIONAL = "eval_compositional";
    /** The evaluation prompt splits, in file order. */
    public static final List<String> EVAL_SPLITS = List.of(EVAL_NAME, EVAL_ALIAS, EVAL_HELDOUT, EVAL_COMPOSITIONAL);
    /** The image splits, in file order. */
    public static final List<String> IMAGE_SPLITS = List.of(TRAIN, CLASSIFIER_TRAIN, CLASSIFIER_HOLDOUT);

    private final long seed;
    private final ShapesSpec spec;
    private final Map<String, List<ShapesImage>> images;
    private final Map<String, List<ShapesPrompt>> prompts;
    private final List<ErasureTask> tasks;
    private final List<Long> samplerSeeds;

    ShapesWorld(long seed, ShapesSpec spec, Map<String, List<ShapesImage>> images,
            Map<String, List<ShapesPrompt>> prompts, List<ErasureTask> tasks, List<Long> samplerSeeds) {
        this.seed = seed;
        this.spec = spec;
        this.images = copy(images);
        this.prompts = copy(prompts);
        this.tasks = List.copyOf(tasks);
        this.samplerSeeds = List.copyOf(samplerSeeds);
    }

    private static <T> Map<String, List<T>> copy(Map<String, List<T>> in) {
        Map<String, List<T>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** @return the seed it was generated from */
    public long seed() {
        return seed;
    }

    /** @return its sizes and rates */
    public ShapesSpec spec() {
        return spec;
    }

    /** @return every concept with all its words, in file order (colours, shapes, textures) */
    public List<ShapesConcept> concepts() {
        return ShapesLexicon.CONCEPTS;
    }

    /**
     * @return the concepts in the data contract's form ({@code concepts.jsonl}): name, attribute
     *     and the erasure aliases; what an erasure method may be given
     */
    public List<Concept> contractConcepts() {
        return ShapesLexicon.CONCEPTS.stream().map(ShapesConcept::toContract).toList();
    }

    /**
     * @return the held-out aliases in the same form ({@code heldout_aliases.jsonl}): for the
     *     evaluation only, never an erasure input
     */
    public List<Concept> heldOutAliases() {
        return ShapesLexicon.CONCEPTS.stream()
                .map(c -> new Concept(c.name(), Optional.of(c.attribute().label()), c.heldOutAliases())).toList();
    }

    /** @return the image split names, in file order */
    public List<String> imageSplitNames() {
        return List.copyOf(images.keySet());
    }

    /**
     * @param name an image split's name
     * @return its images
     * @throws IllegalArgumentException naming the known splits when there is no such split
     */
    public List<ShapesImage> images(String name) {
        List<ShapesImage> out = images.get(name);
        if (out == null) {
            throw new IllegalArgumentException("no image split '" + name + "'; known: " + String.join(", ", images.keySet()));
        }
        return out;
    }

    /** @return the prompt split names, in file order */
    public List<String> promptSplitNames() {
        return List.copyOf(prompts.keySet());
    }

    /**
     * @param name a prompt split's name
     * @return its prompts
     * @throws IllegalArgumentException naming the known splits when there is no such split
     */
    public List<ShapesPrompt> prompts(String name) {
        List<ShapesPrompt> out = prompts.get(name);
        if (out == null) {
            throw new IllegalArgumentException("no prompt split '" + name + "'; known: " + String.join(", ", prompts.keySet()));
        }
        return out;
    }

    /**
     * @param split an evaluation split ({@link #EVAL_SPLITS})
     * @param concept a concept's name
     * @return the split's rows that evaluate that concept, in order (N of them)
     */
    public List<ShapesPrompt> evalPrompts(String split, String concept) {
        if (!EVAL_SPLITS.contains(split)) {
            throw new IllegalArgumentException("'" + split + "' is not an evaluation split; known: " + String.join(", ", EVAL_SPLITS));
        }
        List<ShapesPrompt> out = new ArrayList<>();
        for (ShapesPrompt p : prompts(split)) {
            if (p.concept().orElse("").equals(concept)) {
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("unknown concept '" + concept + "'; known: "
                    + String.join(", ", ShapesLexicon.conceptNames()));
        }
        return out;
    }

    /**
     * @param task a task's name
     * @return the name of its preserve prompt split
     */
    public static String preserveSplit(String task) {
        return "preserve_" + task;
    }

    /** @return the erasure tasks, in file order */
    public List<ErasureTask> tasks() {
        return tasks;
    }

    /**
     * @param name a task's name
     * @return the task
     * @throws IllegalArgumentException naming the known tasks
     */
    public ErasureTask task(String name) {
        for (ErasureTask t : tasks) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no task '" + name + "'; known: "
                + String.join(", ", tasks.stream().map(ErasureTask::name).toList()));
    }

    /** @return the sampler seeds of the evaluation rows: row k of every evaluation split uses seed k of this list */
    public List<Long> samplerSeeds() {
        return samplerSeeds;
    }

    /** @return every prompt word, in the fixed order of {@link ShapesLexicon#vocabulary()} */
    public List<String> vocabulary() {
        return ShapesLexicon.vocabulary();
    }

    /** @return the longest prompt in words (5: context, colour, shape, filler, texture) */
    public int maxPromptTokens() {
        int max = 0;
        for (List<ShapesPrompt> split : prompts.values()) {
            for (ShapesPrompt p : split) {
                max = Math.max(max, p.tokens().size());
            }
        }
        return max;
    }

    /**
     * The prompt dropout of classifier-free guidance training (methods-gen.md §6), applied by the
     * trainer at each use of a prompt. With probability {@link ShapesSpec#promptDropout()} the whole
     * prompt is dropped (an empty list: the null prompt); otherwise each attribute word is dropped
     * with probability {@link ShapesSpec#attributeDropout()} (the texture together with its filler
     * {@code on}), and the context word stays. The generator is asked for one double, then three.
     *
     * @param prompt a prompt
     * @param random the trainer's seeded generator
     * @return the words to condition on; empty means the null prompt
     */
    public List<String> dropout(ShapesPrompt prompt, RandomGenerator random) {
        if (random.nextDouble() < spec.promptDropout()) {
            return List.of();
        }
        boolean colour = random.nextDouble() >= spec.attributeDropout();
        boolean shape = random.nextDouble() >= spec.attributeDropout();
        boolean texture = random.nextDouble() >= spec.attributeDropout();
        List<String> out = new ArrayList<>(5);
        prompt.context().ifPresent(out::add);
        if (colour) {
            out.add(prompt.colourWord());
        }
        if (shape) {
            out.add(prompt.shapeWord());
        }
        if (texture) {
            out.add(ShapesLexicon.FILLER);
            out.add(prompt.textureWord());
        }
        return List.copyOf(out);
    }

    /**
     * @param attribute an attribute
     * @param concept a concept's name
     * @param split an image split
     * @return the split's object images whose attribute is that concept (real images of a concept,
     *     e.g. for a relearning or concept-inversion probe)
     */
    public List<ShapesImage> imagesOf(Attribute attribute, String concept, String split) {
        List<ShapesImage> out = new ArrayList<>();
        for (ShapesImage i : images(split)) {
            Optional<String> v = switch (attribute) {
                case COLOUR -> i.colour();
                case SHAPE -> i.shape();
                case TEXTURE -> i.kind() == ShapesImage.Kind.OBJECT ? i.texture() : Optional.empty();
            };
            if (v.isPresent() && v.get().equals(concept)) {
                out.add(i);
            }
        }
        return out;
    }
}

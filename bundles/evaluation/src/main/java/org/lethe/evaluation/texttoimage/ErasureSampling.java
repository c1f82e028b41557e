package org.lethe.evaluation.texttoimage;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.evaluation.erasure.ClassifiedSampler;
import org.lethe.evaluation.erasure.LayoutScores;
import org.lethe.evaluation.erasure.SamplerSettings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * What the text-to-image erasure metrics share (research/methods-gen.md §8): the evaluation
 * classifier, leased from the model store and loaded with its architecture, and the
 * {@link ClassifiedSampler} that generates and classifies each evaluation image once for all of
 * them. A service private to this bundle (its type is not exported): the metric components of this
 * package reference it.
 *
 * <p>The classifier is the newest version of the configured id (or the pinned {@code id:version}),
 * looked up each time a metric starts; it stays loaded while that version stays the one selected
 * and is replaced, with a fresh sample cache, when a newer one is committed or the setting changes.
 * A replaced classifier is closed once no metric uses it any more.
 */
@Component(service = ErasureSampling.class, configurationPid = ErasureSampling.PID)
@Designate(ocd = ErasureSampling.Config.class)
public final class ErasureSampling {

    /** Configuration PID (no hyphen: FileInstall splits file names at the first one): {@value}. */
    public static final String PID = "org.lethe.evaluation.erasure";

    /** Settings of the text-to-image erasure evaluation. */
    @ObjectClassDefinition(name = "Lethe text-to-image erasure evaluation", description = "The evaluation classifier"
            + " and the sampling of the text-to-image erasure metrics (Acc_e, Acc_g, Acc_p, H, H_g, no-object rate,"
            + " layout, feature Fréchet distance).")
    public @interface Config {

        /** @return the classifier's model id, or id:version */
        @AttributeDefinition(description = "The evaluation classifier: a model id (its newest version) or id:version."
                + " Default shapes-clf, which `unlearn:train shapes` trains (research/methods-gen.md §8: an"
                + " independent classifier trained on ground-truth images only).")
        String classifier() default ClassifierSelection.DEFAULT_ID;

        /** @return DDIM steps of every evaluation sample */
        @AttributeDefinition(min = "1", description = "DDIM steps of every evaluation sample. Default 25: the shapes"
                + " model's sampler (research/methods-gen.md Part B §6, S = 25).")
        int ddimSteps() default 25;

        /** @return classifier-free guidance of every evaluation sample */
        @AttributeDefinition(min = "0", description = "Classifier-free guidance w of every evaluation sample."
                + " Default 4: research/methods-gen.md Part B §6 (CFG w = 4), as the shapes world's sanity gate.")
        double guidance() default 4.0;

        /** @return prompts per sampler call */
        @AttributeDefinition(min = "1", description = "Prompts sampled in one DDIM call (speed only; every prompt"
                + " has its own start noise). Default 16.")
        int batchSize() default 16;

        /** @return the most prompts sampled per split */
        @AttributeDefinition(min = "0", description = "The most prompts sampled per split: a longer split is"
                + " thinned to evenly spaced rows (row ⌊i·n/cap⌋), the same rows for the model and the reference."
                + " 0 samples every prompt. Default 200: research/methods-gen.md §8 (N = 200 samples per concept).")
        int maxPromptsPerSplit() default 200;

        /** @return the relative scale of the perturbed concept embeddings */
        @AttributeDefinition(min = "0", description = "Relative noise scale of the perturbed erased-concept"
                + " embeddings e+η of the generality split erased_prompts_perturbed: η ~ N(0, σ²I) with"
                + " σ = scale·‖e‖/√d, so ‖η‖ ≈ scale·‖e‖ (research/methods-gen.md §3.1, RealEra's neighbour"
                + " mining). Default 0.2, our choice for a neighbour nearer than another concept (not from a"
                + " paper; RealEra calibrates its radius on the embedding geometry).")
        double perturbationScale() default 0.2;

        /** @return the seed of the perturbations */
        @AttributeDefinition(description = "Seed of the perturbations e+η; each prompt's noise derives from it and the"
                + " prompt's id. Default 0.")
        long perturbationSeed() default 0L;

        /** @return the silhouette threshold of the layout scores */
        @AttributeDefinition(min = "0", description = "Threshold on the largest channel of |image − background|"
                + " (background: the image's per-channel median) above which a pixel is part of the object, for"
                + " the layout scores. Default 0.24: the shapes world's calibration (texture ≤ 0.18 above the"
                + " background, objects ≥ 0.3).")
        double silhouetteThreshold() default LayoutScores.SHAPES_SILHOUETTE_THRESHOLD;
    }

    /** A loaded classifier version, shared by the metrics that use it, closed once replaced and unused. */
    private static final class LoadedClassifier {
        final ModelRef ref;
        final LoadedModel model;
        final ConceptClassifier view;
        ClassifiedSampler sampler;
        int users;
        boolean retired;

        LoadedClassifier(ModelRef ref, LoadedModel model) {
            this.ref = ref;
            this.model = model;
            this.view = model.view(ConceptClassifier.class).orElseThrow();
        }
    }

    /** A metric's hold on the classifier and its sampler; closing it lets a replaced classifier go. */
    final class ClassifierHold implements AutoCloseable {
        private final LoadedClassifier loaded;
        private final ClassifiedSampler sampler;
        private final Config config;
        private boolean closed;

        private ClassifierHold(LoadedClassifier loaded, ClassifiedSampler sampler, Config config) {
            this.loaded = loaded;
            this.sampler = sampler;
            this.config = config;
        }

        /** @return the classifier version in use */
        ModelRef classifierRef() {
            return loaded.ref;
        }

        /** @return the sampler, whose cache the metrics share */
        ClassifiedSampler sampler() {
            return sampler;
        }

        /** @return the configuration in force when the lease was taken */
        Config config() {
            return config;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                loaded.users--;
                closeIfDone(loaded);
            }
        }
    }

    private final ModelStore store;
    private final Map<String, ModelArchitecture> architectures = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile Config config;
    private LoadedClassifier current;

    /**
     * The DS constructor; also for use outside OSGi (bind the architectures with
     * {@link #bindArchitecture}).
     *
     * @param store the model store the classifier is leased from
     * @param config the settings
     * @throws LetheException (invalid input) naming the setting, when a value is out of range
     */
    @Activate
    public ErasureSampling(@Reference(name = "store") ModelStore store, Config config) {
        this.store = Objects.requireNonNull(store, "store");
        this.config = checked(config);
    }

    /**
     * Applies changed settings; the next metric uses them (a changed classifier setting loads the
     * classifier it names).
     *
     * @param config the settings
     */
    @Modified
    void modified(Config config) {
        this.config = checked(config);
    }

    /** Lets the loaded classifier go once no metric uses it. */
    @Deactivate
    void deactivate() {
        synchronized (lock) {
            if (current != null) {
                current.retired = true;
                closeIfDone(current);
                current = null;
            }
        }
    }

    /**
     * Binds a model architecture.
     *
     * @param architecture the architecture
     * @param properties its service properties ({@code lethe.architecture} names it)
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + ServiceProperties.ARCHITECTURE + "=*)")
    public void bindArchitecture(ModelArchitecture architecture, Map<String, Object> properties) {
        architectures.put(String.valueOf(properties.get(ServiceProperties.ARCHITECTURE)), architecture);
    }

    /**
     * Unbinds a model architecture.
     *
     * @param architecture the architecture
     * @param properties its service properties
     */
    public void unbindArchitecture(ModelArchitecture architecture, Map<String, Object> properties) {
        architectures.remove(String.valueOf(properties.get(ServiceProperties.ARCHITECTURE)), architecture);
    }

    /** @return the settings in force */
    Config config() {
        return config;
    }

    /**
     * Opens a metric's view of a task: checks that the model is a text-to-image model, selects and
     * (re)loads the classifier, checks that it reads the model's images.
     *
     * @param task the task
     * @param metric the metric's name, for messages
     * @return the run; the caller closes it
     * @throws LetheException (invalid input) when the model is not a text-to-image model, no classifier
     *     is in the store, or the classifier does not read the model's images
     */
    ErasureRun open(Task task, String metric) {
        return ErasureRun.open(task, metric, this);
    }

    /**
     * Takes a hold on the selected classifier version, loading it when it is not the one in memory.
     *
     * @return the hold; the caller closes it
     */
    ClassifierHold hold() {
        Config settings = config;
        ClassifierSelection selection = ClassifierSelection.parse(settings.classifier());
        ModelManifest manifest = selection.choose(store);
        synchronized (lock) {
            if (current == null || !current.ref.equals(manifest.ref())) {
                LoadedClassifier fresh = new LoadedClassifier(manifest.ref(),
                        ClassifierSelection.load(store, manifest, Map.copyOf(architectures)));
                if (current != null) {
                    current.retired = true;
                    closeIfDone(current);
                }
                current = fresh;
            }
            SamplerSettings wanted = samplerSettings(settings);
            if (current.sampler == null || !current.sampler.settings().equals(wanted)) {
                current.sampler = new ClassifiedSampler(current.view, wanted);
            }
            current.users++;
            return new ClassifierHold(current, current.sampler, settings);
        }
    }

    private static void closeIfDone(LoadedClassifier loaded) {
        if (loaded.retired && loaded.users == 0) {
            loaded.model.close();
        }
    }

    private static SamplerSettings samplerSettings(Config c) {
        return new SamplerSettings(c.ddimSteps(), c.guidance(), c.batchSize(), c.silhouetteThreshold());
    }

    /** Checks every setting, naming the one out of range. */
    private static Config checked(Config c) {
        Objects.requireNonNull(c, "config");
        ClassifierSelection.parse(c.classifier());
        samplerSettings(c);
        if (c.maxPromptsPerSplit() < 0) {
            throw LetheException.invalidInput("setting 'maxPromptsPerSplit' of " + PID
                    + " must not be negative (0 samples every prompt), not " + c.maxPromptsPerSplit());
        }
        if (!(c.perturbationScale() >= 0) || Double.isInfinite(c.perturbationScale())) {
            throw LetheException.invalidInput("setting 'perturbationScale' of " + PID
                    + " must be finite and not negative, not " + c.perturbationScale());
        }
        return c;
    }
}

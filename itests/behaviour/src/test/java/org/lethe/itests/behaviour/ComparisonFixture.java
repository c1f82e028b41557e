package org.lethe.itests.behaviour;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.Probe;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.api.world.World;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.run.CoreRunService;
import org.lethe.core.store.FileModelStore;
import org.lethe.models.transformer.WordTransformerArchitecture;
import org.lethe.report.compare.ComparisonRunner;
import org.lethe.worlds.facts.FactsCorpusWriter;
import org.lethe.worlds.facts.FactsWorldService;

/**
 * A whole comparison stack in one folder, outside OSGi: a fresh store and run service with the
 * word-transformer architecture, the four methods, every metric and probe of the evaluation bundle
 * (bound with the service properties of their own component descriptions), the {@code facts} world
 * and the comparison harness over them. The world's training run writes the world's corpus and
 * commits the base and forget10 gold models of {@link FactsFixture}'s training cache (the world's
 * recipe, trained once per build), so a comparison here costs only its method and evaluation runs.
 */
final class ComparisonFixture implements AutoCloseable {

    /** The classes of the evaluation bundle's services. */
    static final List<String> EVALUATION_SERVICES = List.of(
            "org.lethe.evaluation.metrics.ExactMatchMetric", "org.lethe.evaluation.metrics.AnswerProbabilityMetric",
            "org.lethe.evaluation.metrics.TruthRatioMetric", "org.lethe.evaluation.metrics.RougeLRecallMetric",
            "org.lethe.evaluation.metrics.ModelUtilityMetric", "org.lethe.evaluation.metrics.LossMembershipMetric",
            "org.lethe.evaluation.metrics.MinKMembershipMetric", "org.lethe.evaluation.probes.Relearning",
            "org.lethe.evaluation.probes.PromptAttacks", "org.lethe.evaluation.probes.CorrectiveRelearning");

    private final Path folder;
    private final FileModelStore store;
    private final CoreRunService service;
    private final ComparisonRunner runner;

    /**
     * @param folder a folder of its own (emptied first)
     */
    ComparisonFixture(Path folder) {
        FactsFixture facts = FactsFixture.get();
        this.folder = folder;
        try {
            deleteTree(folder);
            Files.createDirectories(folder);
            store = new FileModelStore(folder.resolve("models"));
            Map<String, MethodBundle> methods = new LinkedHashMap<>();
            facts.methods().forEach(m -> methods.put(m.name(), m));
            MethodRegistry registry = new MethodRegistry() {
                @Override
                public List<MethodDescriptor> methods() {
                    return methods.values().stream().map(MethodBundle::descriptor).toList();
                }

                @Override
                public Optional<MethodDescriptor> method(String name) {
                    return Optional.ofNullable(methods.get(name)).map(MethodBundle::descriptor);
                }
            };
            service = new CoreRunService(store, new JsonlDataService(), new SettingsValidator(), registry, folder);
            service.engine(Engine.getEngine("PyTorch"));
            service.bindArchitecture(new WordTransformerArchitecture(),
                    Map.of(ServiceProperties.ARCHITECTURE, WordTransformerArchitecture.NAME));
            for (MethodBundle bundle : methods.values()) {
                service.bindUnlearning((UnlearningMethod) bundle.implementation().getConstructor().newInstance(),
                        Map.of(ServiceProperties.METHOD, bundle.name()));
            }
            for (String name : EVALUATION_SERVICES) {
                Class<?> type = Class.forName(name);
                Map<String, Object> props = componentProperties(type);
                Object instance = type.getConstructor().newInstance();
                if (instance instanceof Metric metric) {
                    service.bindMetric(metric, props);
                } else {
                    service.bindProbe((Probe) instance, props);
                }
            }
            service.bindWorld(new CachedFactsWorld(facts), new WorldReference("facts"));
            RunRecord training = service.await(service.submit(new RunSpec(RunSpec.Kind.TRAIN, "facts", "", Map.of(),
                    Optional.empty(), Map.of(), List.of(), FactsFixture.SEED, Optional.empty())), Duration.ofMinutes(5));
            if (training.state() != RunState.COMMITTED) {
                throw new IllegalStateException("the world's training run ended " + training.state() + " " + training.reason());
            }
            runner = new ComparisonRunner(service, service, store, registry, null, folder,
                    Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
            runner.engine(Engine.getEngine("PyTorch"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the comparison harness */
    ComparisonRunner runner() {
        return runner;
    }

    /** @return the run service */
    CoreRunService service() {
        return service;
    }

    /** @return the folder it works in */
    Path folder() {
        return folder;
    }

    @Override
    public void close() {
        service.deactivate();
    }

    /** The properties a component's description (bnd's {@code OSGI-INF/<class>.xml}) registers it with. */
    static Map<String, Object> componentProperties(Class<?> type) {
        return ComponentProperties.of(type);
    }

    /**
     * The facts world of seed {@value FactsFixture#SEED} whose training writes its corpus and returns
     * the models {@link FactsFixture} trained with the world's recipe (from the training cache).
     */
    private static final class CachedFactsWorld implements World {
        private final FactsFixture facts;

        CachedFactsWorld(FactsFixture facts) {
            this.facts = facts;
        }

        @Override
        public List<String> splits() {
            return facts.world().splitNames();
        }

        @Override
        public List<String> models() {
            return facts.trained().stream().map(TrainedModelCache.Entry::name).toList();
        }

        /**
         * Writes the corpus, returns the cached base and gold models, and corrupts a copy of the base
         * model with the world's own corruption (its material, replay and default recipe: 100 steps).
         */
        @Override
        public List<TrainedModel> train(Path corpus, Path output, RunContext run) throws Exception {
            FactsCorpusWriter.write(facts.world(), output.resolve("data"));
            List<TrainedModel> out = new java.util.ArrayList<>(facts.trained().stream().map(e -> new TrainedModel(e.name(),
                    WordTransformerArchitecture.NAME, e.config(), e.folder())).toList());
            TrainedModelCache.Entry base = facts.trained().get(0);
            Path files = Files.createDirectories(output.resolve("models").resolve(FactsWorldService.CORRUPTED_MODEL));
            org.lethe.api.model.ModelManifest manifest = new org.lethe.api.model.ModelManifest(
                    new org.lethe.api.model.ModelRef(base.name(), 1), org.lethe.api.model.ModelKind.LANGUAGE,
                    WordTransformerArchitecture.NAME, base.config(), Optional.empty(), Optional.empty(), Map.of(), List.of(),
                    Instant.EPOCH);
            try (org.lethe.api.model.LoadedModel model = new WordTransformerArchitecture().load(manifest, base.folder())) {
                org.lethe.api.model.language.LanguageModel lm = model.view(org.lethe.api.model.language.LanguageModel.class)
                        .orElseThrow();
                List<org.lethe.api.data.QaItem> material = FactsWorldService.corruptionMaterial(facts.world());
                FactsWorldService.corrupt(lm, material, FactsWorldService.corruptionReplay(facts.world()),
                        FactsWorldService.corruptionSteps(material.size(), FactsWorldService.CORRUPTION_EPOCHS,
                                FactsWorldService.CORRUPTION_BATCH_SIZE), FactsWorldService.CORRUPTION_BATCH_SIZE,
                        FactsWorldService.CORRUPTION_LEARNING_RATE, run);
                model.save(files);
                out.add(new TrainedModel(FactsWorldService.CORRUPTED_MODEL, WordTransformerArchitecture.NAME,
                        model.config(), files));
            }
            return out;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}

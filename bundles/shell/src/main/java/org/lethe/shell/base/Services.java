package org.lethe.shell.base;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.config.ConfigService;
import org.lethe.api.data.DataService;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunService;
import org.lethe.djl.EngineStatus;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The services the commands work with, each optional and followed dynamically: a command stays
 * registered while, say, the core bundle is down, and says which service is missing and where to look
 * ({@code unlearn:diag}), instead of vanishing from the shell.
 */
@Component(service = Services.class)
public final class Services {

    /** Framework property naming the data folder (set by the launcher). */
    public static final String DATA_PROPERTY = "lethe.data";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MethodRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RunService runs;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ModelStore models;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigService settings;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DataService data;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile HealthCheckExecutor healthChecks;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EngineStatus engine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile org.lethe.api.eval.EvaluationService evaluations;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile org.lethe.api.eval.ComparisonService comparisons;

    private volatile BundleContext context;
    private volatile Path dataFolder;

    /** For DS. */
    public Services() {
    }

    /**
     * Services outside OSGi (tests, embedding); the OSGi-only ones (ConfigAdmin, SCR, health checks,
     * engine status, the bundle context) are absent.
     *
     * @param registry the method registry, or null
     * @param runs the run service, or null
     * @param models the model store, or null
     * @param settings the settings validator, or null
     * @param data the data service, or null
     * @param dataFolder the data folder, or null
     * @return the services
     */
    public static Services of(MethodRegistry registry, RunService runs, ModelStore models, ConfigService settings,
            DataService data, Path dataFolder) {
        Services services = new Services();
        services.registry = registry;
        services.runs = runs;
        services.models = models;
        services.settings = settings;
        services.data = data;
        services.dataFolder = dataFolder;
        return services;
    }

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        String folder = bundleContext.getProperty(DATA_PROPERTY);
        dataFolder = folder == null || folder.isBlank() ? null : Path.of(folder).toAbsolutePath().normalize();
    }

    private static <T> T require(T service, String what) {
        if (service == null) {
            throw LetheException.failed("the " + what + " is not available: the org.lethe.core bundle is not"
                    + " active or its component is unsatisfied (see unlearn:diag)", null);
        }
        return service;
    }

    /**
     * @return the results of evaluation runs
     * @throws LetheException (failed) when the service is not available
     */
    public org.lethe.api.eval.EvaluationService evaluations() {
        return require(evaluations, "evaluation service");
    }

    /**
     * @return the comparison harness
     * @throws LetheException (failed) when the org.lethe.report bundle is not active
     */
    public org.lethe.api.eval.ComparisonService comparisons() {
        if (comparisons == null) {
            throw LetheException.failed("the comparison service is not available: the org.lethe.report bundle is not"
                    + " active or its component is unsatisfied (see unlearn:diag)", null);
        }
        return comparisons;
    }

    /**
     * For tests and embedding outside OSGi: the evaluation and comparison services.
     *
     * @param evaluations the results of evaluation runs, or null
     * @param comparisons the comparison harness, or null
     * @return these services
     */
    public Services withEvaluation(org.lethe.api.eval.EvaluationService evaluations,
            org.lethe.api.eval.ComparisonService comparisons) {
        this.evaluations = evaluations;
        this.comparisons = comparisons;
        return this;
    }

    /**
     * @return the method registry
     * @throws LetheException (failed) when it is not available
     */
    public MethodRegistry registry() {
        return require(registry, "method registry");
    }

    /**
     * @return the run service
     * @throws LetheException (failed) when it is not available
     */
    public RunService runs() {
        return require(runs, "run service");
    }

    /**
     * @return the model store
     * @throws LetheException (failed) when it is not available
     */
    public ModelStore models() {
        return require(models, "model store");
    }

    /**
     * @return the settings validator
     * @throws LetheException (failed) when it is not available
     */
    public ConfigService settings() {
        return require(settings, "settings validator (ConfigService)");
    }

    /**
     * @return the data service
     * @throws LetheException (failed) when it is not available
     */
    public DataService data() {
        return require(data, "data service");
    }

    /** @return ConfigurationAdmin, if present */
    public Optional<ConfigurationAdmin> configAdmin() {
        return Optional.ofNullable(configAdmin);
    }

    /** @return the DS runtime, if present */
    public Optional<ServiceComponentRuntime> scr() {
        return Optional.ofNullable(scr);
    }

    /** @return the health-check executor, if present */
    public Optional<HealthCheckExecutor> healthChecks() {
        return Optional.ofNullable(healthChecks);
    }

    /** @return the engine status of the DJL platform bundle, if present */
    public Optional<EngineStatus> engine() {
        return Optional.ofNullable(engine);
    }

    /** @return the bundle context; empty outside OSGi */
    public Optional<BundleContext> context() {
        return Optional.ofNullable(context);
    }

    /** @return the data folder (framework property {@value #DATA_PROPERTY}), if known */
    public Optional<Path> dataFolder() {
        return Optional.ofNullable(dataFolder);
    }

    /**
     * @return whether this container has an interactive shell: the launcher runs one-shot commands and
     *     services with {@code gosh.args=--nointeractive}, and such a container stops when its command
     *     returns
     */
    public boolean interactiveContainer() {
        BundleContext ctx = context;
        if (ctx == null) {
            return true;
        }
        String args = ctx.getProperty("gosh.args");
        return args == null || !args.contains("--nointeractive");
    }

    /** @return the world services ({@code lethe.world=<name>}), sorted by name */
    public List<ServiceReference<?>> worlds() {
        BundleContext ctx = context;
        if (ctx == null) {
            return List.of();
        }
        try {
            ServiceReference<?>[] refs = ctx.getServiceReferences((String) null, "(" + ServiceProperties.WORLD + "=*)");
            List<ServiceReference<?>> list = new ArrayList<>(refs == null ? List.of() : Arrays.asList(refs));
            list.sort((a, b) -> String.valueOf(a.getProperty(ServiceProperties.WORLD))
                    .compareTo(String.valueOf(b.getProperty(ServiceProperties.WORLD))));
            return list;
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return List.of();
        }
    }

    /** @return the names of the worlds installed */
    public List<String> worldNames() {
        return worlds().stream().map(r -> String.valueOf(r.getProperty(ServiceProperties.WORLD))).distinct().toList();
    }
}

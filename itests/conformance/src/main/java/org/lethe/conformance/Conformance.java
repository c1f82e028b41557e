package org.lethe.conformance;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.config.ConfigService;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.Task;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.conformance.internal.Await;
import org.lethe.conformance.internal.Checksums;
import org.lethe.conformance.internal.LiveArrays;
import org.lethe.conformance.internal.Services;
import org.lethe.conformance.internal.TinyWorld;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.BundleNamespace;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The checks of the conformance kit, run one at a time inside a container (see {@link Check}).
 * Each check works on a tiny model of its own, made for it (so that no check's verdict depends on
 * another's, or on their order), and fails with an {@link AssertionError} whose message starts
 * with {@code [<check label>] method '<name>': } and says what was expected, what happened and,
 * for a run, the tail of the run's log.
 */
public final class Conformance {

    /** The longest a run of the kit may take (tiny model, a few steps: usually well under a second). */
    public static final Duration RUN_DEADLINE = Duration.ofSeconds(120);

    /** Why the kit cancels the cancel check's run (recorded as the run's reason). */
    public static final String CANCEL_REASON = "conformance kit: cancelled after the first step";

    private static final Set<String> MODALITIES = Set.of(ServiceProperties.MODALITY_LANGUAGE,
            ServiceProperties.MODALITY_TEXT_TO_IMAGE, ServiceProperties.MODALITY_VISION_LANGUAGE);
    private static final Set<String> ROLES = Set.of(Task.FORGET, Task.RETAIN, Task.HOLDOUT, Task.ERASE, Task.KEEP);
    /** What a leaf bundle may import (DESIGN §2 rule 1); {@code java.*} is the platform. */
    private static final List<String> LEAF_IMPORTS = List.of("java", "org.lethe.api", "ai.djl", "com.google.common",
            "org.osgi");
    private static final Pattern PACKAGE_FILTER = Pattern.compile("\\(" + Pattern.quote(PackageNamespace.PACKAGE_NAMESPACE)
            + "=([^)]*)\\)");
    private static final int LOG_TAIL_LINES = 15;

    /**
     * Methods whose service did not appear within the deadline in this container: the checks after
     * the first fail at once instead of waiting again (the container is the same, so is the verdict).
     */
    private static final Set<String> ABSENT = ConcurrentHashMap.newKeySet();

    private final Services services;
    private final Subject subject;
    private final String name;

    /**
     * @param context a bundle context inside the container (the test's)
     * @param subject the method under test
     */
    public Conformance(BundleContext context, Subject subject) {
        this.services = new Services(Objects.requireNonNull(context, "context"));
        this.subject = Objects.requireNonNull(subject, "subject");
        this.name = subject.name();
    }

    /**
     * Runs one check.
     *
     * @param check the check
     * @throws AssertionError when the method fails it; the message starts with the check's label
     */
    public void check(Check check) {
        try {
            switch (check) {
                case ACTIVATION -> activation();
                case LEAF -> leaf();
                case CONFIG -> config();
                case RUN -> run();
                case CANCEL -> cancel();
                case BASE_UNCHANGED -> baseUnchanged();
                case NO_LEAK -> noLeak();
                case PROGRESS -> progress();
                default -> throw new IllegalArgumentException("unknown check " + check);
            }
        } catch (AssertionError e) {
            if (e.getMessage() != null && e.getMessage().startsWith(prefix(check))) {
                throw e;
            }
            throw failure(check, String.valueOf(e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(check, "interrupted", e);
        } catch (Exception e) {
            throw failure(check, "the check could not complete: " + e, e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // activation

    private void activation() {
        ServiceReference<?> ref = methodReference(Check.ACTIVATION);
        Bundle provider = ref.getBundle();
        activate(Check.ACTIVATION, ref, "");

        MethodDescriptor descriptor = descriptor(Check.ACTIVATION);
        List<String> problems = new ArrayList<>();
        List<String> classes = List.of((String[]) ref.getProperty(Constants.OBJECTCLASS));
        MethodDescriptor.Kind kind = classes.contains(UnlearningMethod.class.getName()) ? MethodDescriptor.Kind.UNLEARNING
                : MethodDescriptor.Kind.ERASURE;
        if (descriptor.kind() != kind) {
            problems.add("the registry lists it as " + descriptor.kind() + " but its service is " + classes);
        }
        if (!MODALITIES.contains(descriptor.modality())) {
            problems.add(ServiceProperties.MODALITY + " is '" + descriptor.modality() + "', not one of " + new TreeSet<>(MODALITIES));
        } else if (kind == MethodDescriptor.Kind.UNLEARNING
                && descriptor.modality().equals(ServiceProperties.MODALITY_TEXT_TO_IMAGE)) {
            problems.add("an UnlearningMethod works on language or vision-language models, not " + descriptor.modality());
        } else if (kind == MethodDescriptor.Kind.ERASURE && descriptor.modality().equals(ServiceProperties.MODALITY_LANGUAGE)) {
            problems.add("an ErasureMethod works on text-to-image or vision-language models, not " + descriptor.modality());
        }
        if (descriptor.paper().isBlank()) {
            problems.add(ServiceProperties.PAPER + " is missing: name the paper (authors, title, venue, year, or an arXiv id)");
        }
        if (descriptor.inputs().isEmpty()) {
            problems.add(ServiceProperties.INPUTS + " is empty: name the data roles the method needs");
        }
        for (String input : descriptor.inputs()) {
            if (!ROLES.contains(input)) {
                problems.add(ServiceProperties.INPUTS + " names the unknown data role '" + input + "' (known: "
                        + new TreeSet<>(ROLES) + ")");
            }
        }
        if (provider != null && !descriptor.bundle().equals(provider.getSymbolicName())) {
            problems.add("the registry names bundle " + descriptor.bundle() + ", but " + provider.getSymbolicName()
                    + " registers the service");
        }
        if (descriptor.config().isEmpty()) {
            problems.add("it has no Metatype-designated configuration (@Designate(ocd = ...) with an"
                    + " @ObjectClassDefinition): hyper-parameters must be typed configuration (DESIGN §2 rule 7)");
        }
        descriptor.config().ifPresent(schema -> {
            if (schema.pid().contains("-")) {
                problems.add("its configuration PID '" + schema.pid() + "' has a hyphen: FileInstall splits preset file"
                        + " names (<factoryPid>-<name>.cfg) at the first one");
            }
            for (ConfigSchema.Attribute attribute : schema.attributes()) {
                if (attribute.description().isBlank()) {
                    problems.add("setting '" + attribute.key() + "' has no description (say what it means, its unit and"
                            + " where its default comes from)");
                }
                if (attribute.defaults().isEmpty() && !attribute.multiple()) {
                    problems.add("setting '" + attribute.key() + "' has no default (defaults come from the paper)");
                }
            }
        });
        if (!problems.isEmpty()) {
            throw failure(Check.ACTIVATION, "it does not describe itself fully:\n  - " + String.join("\n  - ", problems));
        }
        note(Check.ACTIVATION, "ACTIVE; " + descriptor.kind() + ", " + descriptor.modality() + ", inputs "
                + descriptor.inputs() + ", settings " + descriptor.config().map(c -> c.attributes().stream()
                        .map(a -> a.key() + "=" + String.join(",", a.defaults())).toList().toString()).orElse("none"));
    }

    /** Gets the service (which activates a delayed component), checks that it is ACTIVE, releases it. */
    private void activate(Check check, ServiceReference<?> ref, String circumstances) {
        BundleContext context = services.context();
        Object service = context.getService(ref);
        try {
            if (service == null) {
                throw failure(check, "its component does not activate" + circumstances + ": " + diagnosis());
            }
            Optional<ComponentConfigurationDTO> configuration = componentConfiguration(ref);
            if (configuration.isEmpty()) {
                throw failure(check, "its service is not registered by a Declarative Services component");
            }
            if (configuration.get().state != ComponentConfigurationDTO.ACTIVE) {
                throw failure(check, "its component is " + state(configuration.get()) + circumstances + ", not ACTIVE");
            }
        } finally {
            if (service != null) {
                context.ungetService(ref);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // leaf

    private void leaf() {
        Bundle bundle = methodReference(Check.LEAF).getBundle();
        if (bundle == null) {
            throw failure(Check.LEAF, "its service went away");
        }
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        List<String> problems = new ArrayList<>();
        List<String> imports = new ArrayList<>();
        List<String> exports = new ArrayList<>();
        for (BundleCapability capability : revision.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            exports.add(String.valueOf(capability.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)));
        }
        if (!exports.isEmpty()) {
            problems.add("it exports " + exports + " (a method bundle exports nothing, so that replacing it refreshes"
                    + " nothing else)");
        }
        List<String> bundles = new ArrayList<>();
        for (BundleRequirement requirement : revision.getDeclaredRequirements(BundleNamespace.BUNDLE_NAMESPACE)) {
            bundles.add(requirement.getDirectives().getOrDefault(Constants.FILTER_DIRECTIVE, "?"));
        }
        if (!bundles.isEmpty()) {
            problems.add("it requires bundles " + bundles + " (import packages instead)");
        }
        for (BundleRequirement requirement : revision.getDeclaredRequirements(PackageNamespace.PACKAGE_NAMESPACE)) {
            String filter = requirement.getDirectives().getOrDefault(Constants.FILTER_DIRECTIVE, "");
            Matcher matcher = PACKAGE_FILTER.matcher(filter);
            String pkg = matcher.find() ? matcher.group(1) : filter;
            imports.add(pkg);
            boolean dynamic = PackageNamespace.RESOLUTION_DYNAMIC.equals(
                    requirement.getDirectives().get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE));
            if (dynamic) {
                problems.add("it imports '" + pkg + "' dynamically (DynamicImport-Package)");
            } else if (!allowedImport(pkg)) {
                problems.add("it imports " + pkg);
            }
        }
        if (!problems.isEmpty()) {
            throw failure(Check.LEAF, "bundle " + bundle.getSymbolicName() + " is not a leaf (it may import only"
                    + " org.lethe.api.*, ai.djl.*, Guava and OSGi packages, and export nothing):\n  - "
                    + String.join("\n  - ", problems));
        }
        note(Check.LEAF, "exports nothing; imports " + imports.stream().filter(p -> !p.startsWith("java.")).toList());
    }

    private static boolean allowedImport(String pkg) {
        for (String prefix : LEAF_IMPORTS) {
            if (pkg.equals(prefix) || pkg.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // configuration

    /**
     * The round trip: typed values chosen from the schema (a value other than the default wherever
     * the schema allows one) are written through ConfigAdmin to the schema's PID; they must reach the
     * component (SCR shows them in its configuration, and it still activates); read back from
     * ConfigAdmin and turned into strings, they must validate to the same typed values and plan a run
     * with exactly those settings; deleting the configuration returns the component to its defaults.
     * This is what ties the three faces of one setting together: the Metatype schema the shell and
     * the registry show, the ConfigAdmin presets in {@code etc/}, and the per-run {@code --set}.
     */
    private void config() throws IOException {
        Check check = Check.CONFIG;
        MethodDescriptor descriptor = descriptor(check);
        ConfigSchema schema = descriptor.config().orElseThrow(() -> failure(check, "it has no configuration schema"
                + " (no Metatype-designated configuration): there is nothing to round-trip"));
        ServiceReference<?> ref = methodReference(check);
        Bundle bundle = ref.getBundle();
        ComponentDescriptionDTO description = componentDescription(ref)
                .orElseThrow(() -> failure(check, "its service is not registered by a Declarative Services component"));
        if (description.configurationPid == null || !List.of(description.configurationPid).contains(schema.pid())) {
            throw failure(check, "its schema's PID " + schema.pid() + " is not its component's configuration PID "
                    + (description.configurationPid == null ? "[]" : List.of(description.configurationPid))
                    + ": ConfigAdmin presets would never reach it");
        }
        metatypeAgrees(bundle, schema);

        ConfigService configService = services.await(ConfigService.class, null);
        try {
            configService.validate(schema, Map.of());
        } catch (LetheException e) {
            throw failure(check, "its defaults do not pass its own schema: " + e.getMessage());
        }
        Map<String, String> chosen = alternatives(schema);
        Map<String, Object> typed;
        try {
            typed = configService.validate(schema, chosen);
        } catch (LetheException e) {
            throw failure(check, "values chosen within its schema's bounds " + chosen + " are refused: " + e.getMessage());
        }

        ConfigurationAdmin configAdmin = services.await(ConfigurationAdmin.class, null);
        Configuration configuration = configAdmin.getConfiguration(schema.pid(), "?");
        Dictionary<String, Object> previous = configuration.getProperties();
        Dictionary<String, Object> written = new Hashtable<>();
        typed.forEach(written::put);
        configuration.update(written);
        try {
            Await.until("the component's configuration (SCR) to carry " + show(typed) + " written through ConfigAdmin",
                    () -> componentProperties(bundle, description.name), properties -> carries(properties, typed));
            activate(check, methodReference(check), " with the configuration " + chosen);

            Dictionary<String, Object> stored = configAdmin.getConfiguration(schema.pid(), "?").getProperties();
            if (stored == null) {
                throw failure(check, "ConfigAdmin lost the configuration of " + schema.pid());
            }
            Map<String, String> readBack = new LinkedHashMap<>();
            for (ConfigSchema.Attribute attribute : schema.attributes()) {
                Object value = stored.get(attribute.key());
                if (value == null) {
                    throw failure(check, "ConfigAdmin's configuration of " + schema.pid() + " lost '" + attribute.key() + "'");
                }
                readBack.put(attribute.key(), text(value));
            }
            Map<String, Object> retyped = configService.validate(schema, readBack);
            for (Map.Entry<String, Object> entry : typed.entrySet()) {
                if (!Objects.deepEquals(entry.getValue(), retyped.get(entry.getKey()))) {
                    throw failure(check, "'" + entry.getKey() + "' does not round-trip: written " + show(entry.getValue())
                            + ", read back as '" + readBack.get(entry.getKey()) + "', validated to "
                            + show(retyped.get(entry.getKey())));
                }
            }
            ModelRef model = world().newModel("config");
            RunService runs = services.await(RunService.class, null);
            RunSpec planned;
            try {
                planned = runs.plan(spec(check, descriptor, readBack, model));
            } catch (LetheException e) {
                throw failure(check, "a run with the values read back from ConfigAdmin " + readBack + " does not plan: "
                        + e.getMessage());
            }
            if (!planned.config().equals(readBack)) {
                throw failure(check, "a run planned with " + readBack + " carries " + planned.config());
            }
            try {
                runs.plan(spec(check, descriptor, Map.of(), model));
            } catch (LetheException e) {
                throw failure(check, "a run with the default settings does not plan: " + e.getMessage());
            }
            note(check, "wrote " + show(typed) + " to " + schema.pid() + " through ConfigAdmin; the component got them;"
                    + " read back as " + readBack + " they plan a run with exactly those settings");
        } finally {
            if (previous == null) {
                configuration.delete();
            } else {
                configuration.update(previous);
            }
        }
        if (previous == null) {
            Map<String, Object> changed = new LinkedHashMap<>(typed);
            Map<String, Object> defaults = configService.validate(schema, Map.of());
            changed.entrySet().removeIf(e -> Objects.deepEquals(e.getValue(), defaults.get(e.getKey())));
            Await.until("the component to lose " + show(changed) + " once its ConfigAdmin configuration is deleted",
                    () -> componentProperties(bundle, description.name),
                    properties -> properties != null && changed.entrySet().stream()
                            .noneMatch(e -> Objects.deepEquals(e.getValue(), properties.get(e.getKey()))));
        }
    }

    /** The registry's schema is what Metatype says: the same settings, with the same defaults. */
    private void metatypeAgrees(Bundle bundle, ConfigSchema schema) {
        MetaTypeService metatype = services.await(MetaTypeService.class, null);
        MetaTypeInformation information = metatype.getMetaTypeInformation(bundle);
        ObjectClassDefinition ocd;
        try {
            ocd = information == null ? null : information.getObjectClassDefinition(schema.pid(), null);
        } catch (IllegalArgumentException unknownPid) {
            ocd = null;
        }
        if (ocd == null) {
            throw failure(Check.CONFIG, "Metatype has no definition for " + schema.pid() + " in " + bundle.getSymbolicName());
        }
        Map<String, List<String>> metatypeDefaults = new LinkedHashMap<>();
        AttributeDefinition[] definitions = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        for (AttributeDefinition definition : definitions == null ? new AttributeDefinition[0] : definitions) {
            metatypeDefaults.put(definition.getID(),
                    definition.getDefaultValue() == null ? List.of() : List.of(definition.getDefaultValue()));
        }
        Map<String, List<String>> schemaDefaults = new LinkedHashMap<>();
        schema.attributes().forEach(a -> schemaDefaults.put(a.key(), a.defaults()));
        if (!metatypeDefaults.equals(schemaDefaults)) {
            throw failure(Check.CONFIG, "its descriptor's settings " + schemaDefaults + " differ from its Metatype"
                    + " definition's " + metatypeDefaults);
        }
    }

    /**
     * @return for every setting, a value other than its default where its schema allows one (the
     *     next option; the boolean's negation; a number one step or a factor of two away, within its
     *     bounds), else its default; as the strings {@code --set} would give
     */
    static Map<String, String> alternatives(ConfigSchema schema) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ConfigSchema.Attribute attribute : schema.attributes()) {
            List<String> defaults = attribute.defaults();
            if (attribute.multiple() || defaults.isEmpty()) {
                values.put(attribute.key(), String.join(",", defaults));
                continue;
            }
            String current = defaults.get(0);
            values.put(attribute.key(), alternative(attribute, current).orElse(current));
        }
        return values;
    }

    private static Optional<String> alternative(ConfigSchema.Attribute attribute, String current) {
        if (!attribute.options().isEmpty()) {
            return attribute.options().stream().filter(o -> !o.equals(current)).findFirst();
        }
        try {
            switch (attribute.type()) {
                case "Boolean":
                    return Optional.of(Boolean.toString(!Boolean.parseBoolean(current.trim())));
                case "Integer", "Long", "Short", "Byte": {
                    long value = Long.parseLong(current.trim());
                    for (long candidate : new long[] {value + 1, value - 1, value * 2, value / 2}) {
                        if (candidate != value && within(attribute, candidate) && fits(attribute.type(), candidate)) {
                            return Optional.of(Long.toString(candidate));
                        }
                    }
                    return Optional.empty();
                }
                case "Float", "Double": {
                    double value = Double.parseDouble(current.trim());
                    double[] candidates = value == 0 ? new double[] {0.5, 1, -0.5, -1}
                            : new double[] {value * 2, value / 2, value + 1, value - 1};
                    for (double candidate : candidates) {
                        if (candidate != value && Double.isFinite(candidate) && within(attribute, candidate)) {
                            return Optional.of(attribute.type().equals("Float") ? Float.toString((float) candidate)
                                    : Double.toString(candidate));
                        }
                    }
                    return Optional.empty();
                }
                default:
                    return Optional.empty(); // strings, characters, passwords: the kit cannot know a meaningful other value
            }
        } catch (NumberFormatException e) {
            return Optional.empty(); // the default itself is refused by the validation that follows
        }
    }

    private static boolean within(ConfigSchema.Attribute attribute, double value) {
        try {
            return attribute.min().map(m -> value >= Double.parseDouble(m.trim())).orElse(true)
                    && attribute.max().map(m -> value <= Double.parseDouble(m.trim())).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean fits(String type, long value) {
        return switch (type) {
            case "Integer" -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
            case "Short" -> value >= Short.MIN_VALUE && value <= Short.MAX_VALUE;
            case "Byte" -> value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE;
            default -> true;
        };
    }

    private static boolean carries(Map<String, Object> properties, Map<String, Object> values) {
        return properties != null && values.entrySet().stream()
                .allMatch(e -> Objects.deepEquals(e.getValue(), properties.get(e.getKey())));
    }

    /** @return a configuration value as {@code --set} would give it: arrays and collections comma-separated */
    private static String text(Object value) {
        if (value.getClass().isArray()) {
            StringJoiner joiner = new StringJoiner(",");
            for (int i = 0; i < Array.getLength(value); i++) {
                joiner.add(String.valueOf(Array.get(value, i)));
            }
            return joiner.toString();
        }
        if (value instanceof Collection<?> collection) {
            StringJoiner joiner = new StringJoiner(",");
            collection.forEach(v -> joiner.add(String.valueOf(v)));
            return joiner.toString();
        }
        return String.valueOf(value);
    }

    private static String show(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringJoiner joiner = new StringJoiner(", ", "{", "}");
            map.forEach((k, v) -> joiner.add(k + "=" + show(v)));
            return joiner.toString();
        }
        if (value != null && value.getClass().isArray()) {
            return "[" + text(value) + "]";
        }
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // runs

    private void run() throws InterruptedException {
        Check check = Check.RUN;
        MethodDescriptor descriptor = descriptor(check);
        ModelStore store = services.await(ModelStore.class, null);
        ModelRef base = world().newModel("run");
        ModelManifest baseManifest = store.manifest(base);
        RunKey key = submit(check, descriptor, subject.shortRunSettings(), base);
        RunRecord end = awaitEnd(check, key);
        if (end.state() != RunState.COMMITTED) {
            throw failure(check, "a run on the tiny model " + base + " with " + subject.shortRunSettings() + " ended "
                    + describe(end));
        }
        ModelRef result = end.result().orElseThrow(() -> failure(check, "the run COMMITTED no model version"));
        ModelManifest manifest = store.manifest(result);
        if (!manifest.parent().equals(Optional.of(base))) {
            throw failure(check, "the committed version " + result + " has parent " + manifest.parent().map(Object::toString)
                    .orElse("none") + ", not " + base);
        }
        if (!manifest.producedBy().equals(Optional.of(key))) {
            throw failure(check, "the committed version " + result + " names run " + manifest.producedBy() + ", not " + key);
        }
        if (manifest.files().equals(baseManifest.files()) && manifest.attachments().equals(baseManifest.attachments())) {
            throw failure(check, "the committed version " + result + " is identical to its base " + base
                    + " (every file's SHA-256): the method changed nothing");
        }
        note(check, "COMMITTED " + result + " (parent " + base + ") after " + end.progress().step() + " steps in "
                + end.started().flatMap(s -> end.ended().map(e -> Duration.between(s, e).toMillis())).orElse(-1L) + " ms");
    }

    /**
     * Cancels a long run after its first reported step, and counts the steps it reports after that:
     * at most one (the step in flight when the cancel landed). The step at the cancel is read from the
     * run's record after {@link RunService#cancel} returned, so the verdict does not depend on how
     * fast the watcher is told. A method that reports no step cannot be counted: it passes here (it
     * fails the progress check).
     */
    private void cancel() throws InterruptedException {
        Check check = Check.CANCEL;
        MethodDescriptor descriptor = descriptor(check);
        ModelStore store = services.await(ModelStore.class, null);
        RunService runs = services.await(RunService.class, null);
        ModelRef base = world().newModel("cancel");
        RunKey key = submit(check, descriptor, subject.longRunSettings(), base);
        CountDownLatch firstStep = new CountDownLatch(1);
        AutoCloseable watch = runs.watch(key, record -> {
            if (record.progress().step() >= 1 || record.state().isTerminal()) {
                firstStep.countDown();
            }
        });
        try {
            if (!firstStep.await(RUN_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw failure(check, "the run reported no step within " + RUN_DEADLINE.toSeconds() + " s: "
                        + describe(record(key)));
            }
            RunRecord before = record(key);
            if (before.state().isTerminal() && before.progress().step() == 0) {
                // no progress reported at all: nothing to count (the progress check fails it)
                note(check, "not measurable: the run ended " + before.state() + " without reporting a step");
                return;
            }
            boolean accepted = runs.cancel(key, CANCEL_REASON);
            long atCancel = record(key).progress().step();
            if (!accepted) {
                throw failure(check, "the run ended before it could be cancelled (" + describe(record(key)) + "): give"
                        + " the kit a run long enough to be cancelled after its first step (Subject.longRun)");
            }
            RunRecord end = runs.await(key, RUN_DEADLINE);
            long further = end.progress().step() - atCancel;
            if (!end.state().isTerminal()) {
                throw failure(check, "the run was still " + end.state() + " " + RUN_DEADLINE.toSeconds()
                        + " s after it was cancelled at step " + atCancel + ", and had done " + further
                        + " further steps: it does not stop when cancelled (call RunContext.checkCancelled between"
                        + " steps, or use RunContext.optimise)");
            }
            if (further > 1) {
                throw failure(check, "cancelled at step " + atCancel + ", it did " + further + " further steps (to step "
                        + end.progress().step() + " of " + end.progress().totalSteps() + "; at most 1 is allowed): it"
                        + " does not stop when cancelled (call RunContext.checkCancelled between steps, or use"
                        + " RunContext.optimise)");
            }
            if (end.state() == RunState.COMMITTED && end.progress().totalSteps() > 0
                    && end.progress().step() == end.progress().totalSteps()) {
                throw failure(check, "the run reached its last step (" + end.progress().step() + " of "
                        + end.progress().totalSteps() + ") and COMMITTED although its cancel was accepted at step "
                        + atCancel + ": the cancel landed as the run was finishing; give the kit a run long enough to"
                        + " be cancelled mid-way (Subject.longRun)");
            }
            if (end.state() != RunState.CANCELLED) {
                throw failure(check, "after the cancel the run ended " + describe(end) + ", not CANCELLED");
            }
            if (store.versions(base.id()).size() != 1) {
                throw failure(check, "a cancelled run left versions " + store.versions(base.id()).stream()
                        .map(m -> m.ref().toString()).toList() + " of " + base.id());
            }
            note(check, "cancelled at step " + atCancel + ", ended " + end.state() + " at step " + end.progress().step()
                    + " of " + end.progress().totalSteps());
        } finally {
            close(watch);
        }
    }

    /** Every file of the base version's folder, by SHA-256, before and after a run (whatever its end). */
    private void baseUnchanged() throws InterruptedException {
        Check check = Check.BASE_UNCHANGED;
        MethodDescriptor descriptor = descriptor(check);
        ModelStore store = services.await(ModelStore.class, null);
        ModelRef base = world().newModel("base");
        Path folder = dataFolder().resolve("models").resolve(base.id()).resolve(Integer.toString(base.version()));
        if (!Files.isDirectory(folder)) {
            throw failure(check, "the kit cannot find the base version's folder " + folder);
        }
        Map<String, String> before = Checksums.of(folder);
        ModelManifest manifestBefore = store.manifest(base);
        RunKey key = submit(check, descriptor, subject.shortRunSettings(), base);
        awaitEnd(check, key);
        List<String> changes = Checksums.differences(before, Checksums.of(folder));
        if (!changes.isEmpty()) {
            throw failure(check, "the run changed the base version " + base + " in place (" + folder + "):\n  - "
                    + String.join("\n  - ", changes) + "\n  a method changes only the task's model (a private copy);"
                    + " the framework commits it as a new version");
        }
        if (!store.manifest(base).equals(manifestBefore)) {
            throw failure(check, "the store's manifest of " + base + " changed during the run");
        }
        try (ModelLease lease = store.lease(base)) {
            lease.base(); // leasing verifies every file's checksum
        } catch (LetheException e) {
            throw failure(check, "after the run the store refuses the base version " + base + ": " + e.getMessage());
        }
        note(check, before.size() + " files of " + base + " unchanged " + before.keySet());
    }

    /**
     * Counts the NDArrays open in the engine ({@link LiveArrays}) before and after a run, the runs
     * being the same but for a fresh model each: a first run warms up what the engine and the
     * framework create once; the second must leave exactly as many arrays (and bytes) as it found.
     */
    private void noLeak() throws InterruptedException {
        Check check = Check.NO_LEAK;
        MethodDescriptor descriptor = descriptor(check);
        Engine engine = services.await(Engine.class, null);
        ModelRef warmUp = world().newModel("leak-warm-up");
        ModelRef measured = world().newModel("leak");
        RunRecord first = awaitEnd(check, submit(check, descriptor, subject.shortRunSettings(), warmUp));
        if (first.state() != RunState.COMMITTED) {
            throw failure(check, "cannot measure: the warm-up run ended " + describe(first));
        }
        LiveArrays before = LiveArrays.settled(engine);
        RunRecord second = awaitEnd(check, submit(check, descriptor, subject.shortRunSettings(), measured));
        LiveArrays after = LiveArrays.settled(engine);
        if (second.state() != RunState.COMMITTED) {
            throw failure(check, "cannot measure: the measured run ended " + describe(second));
        }
        if (after.count() > before.count() || after.bytes() > before.bytes()) {
            throw failure(check, "NDArrays leak: " + (after.count() - before.count()) + " more NDArrays ("
                    + (after.bytes() - before.bytes()) + " more bytes) are open after a run of "
                    + second.progress().step() + " steps than before it (" + before + " → " + after + "); create a"
                    + " step's arrays on the step's scope, and close whatever outlives it");
        }
        note(check, before + " open before a run of " + second.progress().step() + " steps, " + after + " after it");
    }

    /** A short run reports its steps: at least one, never backwards, ending at its planned total. */
    private void progress() throws InterruptedException {
        Check check = Check.PROGRESS;
        MethodDescriptor descriptor = descriptor(check);
        RunService runs = services.await(RunService.class, null);
        ModelRef base = world().newModel("progress");
        RunKey key = submit(check, descriptor, subject.shortRunSettings(), base);
        List<RunRecord.Progress> seen = new CopyOnWriteArrayList<>();
        AtomicLong backwards = new AtomicLong(-1);
        AutoCloseable watch = runs.watch(key, record -> {
            RunRecord.Progress progress = record.progress();
            if (!seen.isEmpty() && progress.step() < seen.get(seen.size() - 1).step()) {
                backwards.compareAndSet(-1, progress.step());
            }
            seen.add(progress);
        });
        RunRecord end;
        try {
            end = awaitEnd(check, key);
        } finally {
            close(watch);
        }
        RunRecord.Progress last = end.progress();
        if (last.step() == 0) {
            throw failure(check, "the run ended " + end.state() + " without reporting any progress (0 steps): report each"
                    + " step with RunContext.progress, or use RunContext.optimise, which does");
        }
        if (backwards.get() >= 0) {
            throw failure(check, "its progress went backwards (to step " + backwards.get() + "): " + steps(seen));
        }
        if (end.state() == RunState.COMMITTED && last.totalSteps() > 0 && last.step() != last.totalSteps()) {
            throw failure(check, "the run committed at step " + last.step() + " of the " + last.totalSteps()
                    + " it announced: " + steps(seen));
        }
        note(check, "reported " + steps(seen));
    }

    private static String steps(List<RunRecord.Progress> seen) {
        return seen.stream().map(p -> p.step() + "/" + p.totalSteps()).distinct().toList().toString();
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    private RunKey submit(Check check, MethodDescriptor descriptor, Map<String, String> settings, ModelRef model) {
        RunService runs = services.await(RunService.class, null);
        try {
            return runs.submit(spec(check, descriptor, settings, model));
        } catch (LetheException e) {
            throw failure(check, "a run with " + settings + " on " + model + " was refused: " + e.getMessage());
        }
    }

    private RunSpec spec(Check check, MethodDescriptor descriptor, Map<String, String> settings, ModelRef model) {
        if (!descriptor.modality().equals(ServiceProperties.MODALITY_LANGUAGE)) {
            throw failure(check, "the kit's tiny test model is a language model; a '" + descriptor.modality()
                    + "' method needs a tiny model of its own, which the kit does not have yet");
        }
        for (String input : descriptor.inputs()) {
            if (!TinyWorld.ROLES.contains(input)) {
                throw failure(check, "it needs '" + input + "' data, which the kit's tiny world does not have (it has "
                        + TinyWorld.ROLES + ")");
            }
        }
        RunSpec.Kind kind = descriptor.kind() == MethodDescriptor.Kind.UNLEARNING ? RunSpec.Kind.UNLEARN : RunSpec.Kind.ERASE;
        return new RunSpec(kind, name, "", settings, Optional.of(model), world().data(), List.of(), subject.seed(),
                Optional.empty());
    }

    private RunRecord awaitEnd(Check check, RunKey key) throws InterruptedException {
        RunRecord end = services.await(RunService.class, null).await(key, RUN_DEADLINE);
        if (!end.state().isTerminal()) {
            throw failure(check, "the run did not end within " + RUN_DEADLINE.toSeconds() + " s: " + describe(end));
        }
        return end;
    }

    private RunRecord record(RunKey key) {
        return services.await(RunService.class, null).record(key)
                .orElseThrow(() -> new AssertionError("the run service lost run " + key));
    }

    /** @return a run's state, reason, progress and the tail of its log */
    private String describe(RunRecord record) {
        StringBuilder text = new StringBuilder(record.state().name());
        record.reason().ifPresent(r -> text.append(" (").append(r).append(')'));
        text.append(" at step ").append(record.progress().step()).append('/').append(record.progress().totalSteps());
        Path log = dataFolder().resolve("runs").resolve(record.key().value()).resolve("run.log");
        if (Files.isRegularFile(log)) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                text.append("; the run's log ends:");
                for (String line : lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) {
                    text.append("\n    | ").append(line);
                }
            } catch (IOException e) {
                text.append("; its log ").append(log).append(" is unreadable: ").append(e);
            }
        }
        return text.toString();
    }

    private MethodDescriptor descriptor(Check check) {
        methodReference(check); // the service first: it fails at once for a method already found absent
        MethodRegistry registry = services.await(MethodRegistry.class, null);
        try {
            return Await.until("the method registry to list '" + name + "'", () -> registry.method(name).orElse(null),
                    d -> d != null);
        } catch (AssertionError e) {
            throw failure(check, "the method registry does not list it: " + diagnosis(), e);
        }
    }

    private ServiceReference<?> methodReference(Check check) {
        String filter = "(&(" + ServiceProperties.METHOD + "=" + Services.escape(name) + ")(|("
                + Constants.OBJECTCLASS + "=" + UnlearningMethod.class.getName() + ")(" + Constants.OBJECTCLASS + "="
                + ErasureMethod.class.getName() + ")))";
        if (ABSENT.contains(name)) {
            throw failure(check, "no UnlearningMethod or ErasureMethod service with " + ServiceProperties.METHOD + "="
                    + name + " is registered (it did not appear within " + Await.DEADLINE.toSeconds() + " s for an"
                    + " earlier check): " + diagnosis());
        }
        try {
            return Await.until("a method service " + filter, () -> {
                try {
                    ServiceReference<?>[] refs = services.context().getServiceReferences((String) null, filter);
                    return refs == null || refs.length == 0 ? null : refs[0];
                } catch (InvalidSyntaxException e) {
                    throw new IllegalArgumentException(filter, e);
                }
            }, ref -> ref != null);
        } catch (AssertionError e) {
            ABSENT.add(name);
            throw failure(check, "no UnlearningMethod or ErasureMethod service with " + ServiceProperties.METHOD + "="
                    + name + " was registered within " + Await.DEADLINE.toSeconds() + " s: " + diagnosis(), e);
        }
    }

    /** @return what SCR says about the components declaring {@code lethe.method=<name>} */
    private String diagnosis() {
        ServiceComponentRuntime scr = services.find(ServiceComponentRuntime.class, null).orElse(null);
        if (scr == null) {
            return "no ServiceComponentRuntime to ask (is SCR installed?)";
        }
        List<String> found = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!name.equals(String.valueOf(description.properties.get(ServiceProperties.METHOD)))) {
                continue;
            }
            StringBuilder text = new StringBuilder("component " + description.name + " of "
                    + description.bundle.symbolicName);
            if (!scr.isComponentEnabled(description)) {
                text.append(" is disabled");
            } else {
                Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
                if (configurations.isEmpty()) {
                    text.append(" has no configuration (configuration policy ").append(description.configurationPolicy)
                            .append(')');
                }
                for (ComponentConfigurationDTO configuration : configurations) {
                    text.append(" is ").append(state(configuration));
                }
            }
            found.add(text.toString());
        }
        return found.isEmpty() ? "no DS component of any bundle declares " + ServiceProperties.METHOD + "=" + name
                + " (bundles under test: " + subject.bundles() + ")" : String.join("; ", found);
    }

    private static String state(ComponentConfigurationDTO configuration) {
        String state = switch (configuration.state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
            case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
            default -> "in state " + configuration.state;
        };
        StringBuilder text = new StringBuilder(state);
        if (configuration.unsatisfiedReferences != null) {
            for (UnsatisfiedReferenceDTO reference : configuration.unsatisfiedReferences) {
                text.append(" (missing reference '").append(reference.name).append("'")
                        .append(reference.target == null ? "" : " " + reference.target).append(')');
            }
        }
        if (configuration.failure != null) {
            text.append(" (").append(configuration.failure.lines().findFirst().orElse("")).append(')');
        }
        return text.toString();
    }

    private Optional<ComponentDescriptionDTO> componentDescription(ServiceReference<?> ref) {
        Object componentName = ref.getProperty("component.name");
        Bundle bundle = ref.getBundle();
        if (componentName == null || bundle == null) {
            return Optional.empty();
        }
        ServiceComponentRuntime scr = services.await(ServiceComponentRuntime.class, null);
        return Optional.ofNullable(scr.getComponentDescriptionDTO(bundle, componentName.toString()));
    }

    private Optional<ComponentConfigurationDTO> componentConfiguration(ServiceReference<?> ref) {
        Object id = ref.getProperty("component.id");
        ServiceComponentRuntime scr = services.await(ServiceComponentRuntime.class, null);
        return componentDescription(ref).flatMap(description -> scr.getComponentConfigurationDTOs(description).stream()
                .filter(c -> id != null && id.equals(c.id)).findFirst());
    }

    /** @return the properties of the component's (first) configuration, as SCR reports them now; null if none */
    private Map<String, Object> componentProperties(Bundle bundle, String componentName) {
        ServiceComponentRuntime scr = services.await(ServiceComponentRuntime.class, null);
        ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle, componentName);
        if (description == null) {
            return null;
        }
        return scr.getComponentConfigurationDTOs(description).stream().findFirst().map(c -> c.properties).orElse(null);
    }

    private Path dataFolder() {
        String data = services.context().getProperty(ConformanceContainer.DATA_PROPERTY);
        return Path.of(data == null ? "data" : data).toAbsolutePath();
    }

    private TinyWorld world() {
        String kit = services.context().getProperty(ConformanceContainer.KIT_PROPERTY);
        Path folder = kit != null ? Path.of(kit) : services.context().getDataFile("conformance").toPath();
        return new TinyWorld(services, folder);
    }

    private static void close(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // a watch that cannot be closed ends with its run
        }
    }

    /** Writes what a passing check measured to standard output (failsafe keeps it in the test's output file). */
    private void note(Check check, String text) {
        System.out.println(prefix(check) + "passed: " + text);
    }

    private String prefix(Check check) {
        return "[" + check.label() + "] method '" + name + "': ";
    }

    private AssertionError failure(Check check, String message) {
        return new AssertionError(prefix(check) + message);
    }

    private AssertionError failure(Check check, String message, Throwable cause) {
        AssertionError error = failure(check, message);
        error.initCause(cause);
        return error;
    }
}

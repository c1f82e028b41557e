package org.lethe.shell.diag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * DS components that are not up, each with its root cause: an unsatisfied reference is followed to
 * the component that would provide the missing service (itself unsatisfied, and why), or reported as
 * provided by nothing in the container.
 */
public final class ComponentDiagnosis {

    /** How deep a chain of unsatisfied providers is followed. */
    static final int DEPTH = 4;

    /**
     * A component that is not up.
     *
     * @param name the component's name
     * @param bundle the bundle that declares it
     * @param state {@code unsatisfied reference}, {@code unsatisfied configuration}, {@code failed activation}
     *     or {@code disabled}
     * @param causes one line per cause, the root cause last
     * @param description its description (for callers that select by service or property)
     */
    public record Problem(String name, String bundle, String state, List<String> causes, ComponentDescriptionDTO description) {
    }

    private ComponentDiagnosis() {
    }

    /**
     * @param scr the DS runtime
     * @return every component that is not active, satisfied or enabled, with why; a component that
     *     requires a configuration and has none is off by design and not listed (see {@link #awaitingConfiguration})
     */
    public static List<Problem> problems(ServiceComponentRuntime scr) {
        Collection<ComponentDescriptionDTO> all = scr.getComponentDescriptionDTOs();
        List<Problem> problems = new ArrayList<>();
        for (ComponentDescriptionDTO description : all) {
            problem(scr, all, description).ifPresent(problems::add);
        }
        return problems;
    }

    /**
     * @param scr the DS runtime
     * @return the names of the components that require a configuration and have none: off until configured
     */
    public static List<String> awaitingConfiguration(ServiceComponentRuntime scr) {
        List<String> names = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if ("require".equals(description.configurationPolicy) && scr.isComponentEnabled(description)
                    && scr.getComponentConfigurationDTOs(description).isEmpty()) {
                names.add(description.name);
            }
        }
        return names;
    }

    /**
     * @param scr the DS runtime
     * @param all every component description
     * @param description one of them
     * @return why it is not up, or empty when it is (active or satisfied)
     */
    public static Optional<Problem> problem(ServiceComponentRuntime scr, Collection<ComponentDescriptionDTO> all,
            ComponentDescriptionDTO description) {
        String bundle = description.bundle.symbolicName + " " + description.bundle.version;
        if (!scr.isComponentEnabled(description)) {
            return Optional.of(new Problem(description.name, bundle, "disabled",
                    List.of("the component is disabled" + (description.defaultEnabled ? " (scr:enable enables it)"
                            : " by its bundle (enabled=false)")), description));
        }
        Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
        if (configurations.isEmpty()) {
            // configuration policy "require" and no configuration: off until configured, as designed
            return Optional.empty();
        }
        for (ComponentConfigurationDTO configuration : configurations) {
            List<String> causes = new ArrayList<>();
            String state = describe(scr, all, configuration, causes, new HashSet<>(), 0);
            if (state != null) {
                return Optional.of(new Problem(description.name, bundle, state, causes, description));
            }
        }
        return Optional.empty();
    }

    private static String describe(ServiceComponentRuntime scr, Collection<ComponentDescriptionDTO> all,
            ComponentConfigurationDTO configuration, List<String> causes, Set<String> seen, int depth) {
        String indent = "  ".repeat(depth);
        switch (configuration.state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> {
                causes.add(indent + "waiting for a configuration with PID "
                        + String.join(" or ", pids(configuration.description)));
                return "unsatisfied configuration";
            }
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> {
                String failure = configuration.failure == null ? "no reason recorded" : configuration.failure.lines()
                        .findFirst().orElse("");
                causes.add(indent + "activation failed: " + failure);
                return "failed activation";
            }
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> {
                seen.add(configuration.description.name);
                for (UnsatisfiedReferenceDTO missing : configuration.unsatisfiedReferences) {
                    ReferenceDTO reference = reference(configuration.description, missing.name);
                    String service = reference == null ? "?" : reference.interfaceName;
                    causes.add(indent + "reference '" + missing.name + "' needs a " + service + " service"
                            + (missing.target == null || missing.target.isBlank() ? "" : " matching " + missing.target));
                    rootCause(scr, all, service, causes, seen, depth + 1);
                }
                return "unsatisfied reference";
            }
            default -> {
                return null;
            }
        }
    }

    private static void rootCause(ServiceComponentRuntime scr, Collection<ComponentDescriptionDTO> all, String service,
            List<String> causes, Set<String> seen, int depth) {
        String indent = "  ".repeat(depth);
        List<ComponentDescriptionDTO> providers = all.stream()
                .filter(d -> d.serviceInterfaces != null && Arrays.asList(d.serviceInterfaces).contains(service)).toList();
        if (providers.isEmpty()) {
            causes.add(indent + "no " + service + " service matches, and no component declares one (is the bundle"
                    + " that provides it installed? a bundle may also register it itself: see the health checks)");
            return;
        }
        for (ComponentDescriptionDTO provider : providers) {
            if (seen.contains(provider.name) || depth > DEPTH) {
                continue;
            }
            if (!scr.isComponentEnabled(provider)) {
                causes.add(indent + "its provider " + provider.name + " (" + provider.bundle.symbolicName + ") is disabled");
                continue;
            }
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(provider)) {
                List<String> sub = new ArrayList<>();
                String state = describe(scr, all, configuration, sub, seen, depth + 1);
                if (state != null) {
                    causes.add(indent + "its provider " + provider.name + " (" + provider.bundle.symbolicName
                            + ") is not up: " + state);
                    causes.addAll(sub);
                }
            }
        }
    }

    private static ReferenceDTO reference(ComponentDescriptionDTO description, String name) {
        if (description.references == null) {
            return null;
        }
        for (ReferenceDTO reference : description.references) {
            if (reference.name.equals(name)) {
                return reference;
            }
        }
        return null;
    }

    private static List<String> pids(ComponentDescriptionDTO description) {
        return description.configurationPid == null ? List.of(description.name) : Arrays.asList(description.configurationPid);
    }
}

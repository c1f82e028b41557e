package org.lethe.container.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Namespace;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The deploy-folder scanner's view of a running OSGi container. */
final class OsgiContainer implements DeployFolderScanner.Container {

    /** The property FileInstall puts on configurations it created from a file. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final ConfigurationAdmin configAdmin;

    OsgiContainer(BundleContext context, ServiceComponentRuntime scr, ConfigurationAdmin configAdmin) {
        this.context = context;
        this.scr = scr;
        this.configAdmin = configAdmin;
    }

    @Override
    public Optional<DeployFolderScanner.InstalledBundle> bundleFrom(Path file) {
        for (Bundle bundle : context.getBundles()) {
            if (file.equals(pathOf(bundle.getLocation()))) {
                return Optional.of(new DeployFolderScanner.InstalledBundle(bundle.getSymbolicName(),
                        bundle.getVersion().toString(), problemOf(bundle)));
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> sameBundleElsewhere(String symbolicName, String version, Path file) {
        Version wanted;
        try {
            wanted = Version.parseVersion(version);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName()) && wanted.equals(bundle.getVersion())
                    && !file.equals(pathOf(bundle.getLocation()))) {
                return Optional.of(bundle.getLocation());
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean configurationFrom(Path file) {
        if (configAdmin == null) {
            return false;
        }
        try {
            Configuration[] configurations = configAdmin.listConfigurations(null);
            if (configurations == null) {
                return false;
            }
            for (Configuration configuration : configurations) {
                Dictionary<String, Object> props = configuration.getProperties();
                Object name = props == null ? null : props.get(FILEINSTALL_FILENAME);
                if (name != null && file.equals(pathOf(name.toString()))) {
                    return true;
                }
            }
            return false;
        } catch (IOException | InvalidSyntaxException e) {
            return false;
        }
    }

    /** @return why the bundle is not fully live, or null when it is */
    String problemOf(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        boolean fragment = revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
        switch (bundle.getState()) {
            case Bundle.INSTALLED:
                return "is installed but not resolved: " + unresolvedRequirements(revision);
            case Bundle.RESOLVED:
                return fragment ? null : "is resolved but not active: its activator failed, or it was stopped";
            case Bundle.STARTING:
                return "is starting (lazy activation, or its activator is still running)";
            case Bundle.ACTIVE:
                return componentProblems(bundle);
            default:
                return "is stopping or uninstalled";
        }
    }

    private String unresolvedRequirements(BundleRevision revision) {
        if (revision == null) {
            return "unknown requirements";
        }
        List<String> missing = new ArrayList<>();
        for (BundleRequirement requirement : revision.getDeclaredRequirements(null)) {
            String namespace = requirement.getNamespace();
            if (Namespace.RESOLUTION_OPTIONAL.equals(requirement.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))
                    || namespace.equals("osgi.ee") || namespace.equals("osgi.service")
                    || namespace.equals("osgi.extender")) {
                continue;
            }
            if (!satisfiable(requirement)) {
                String filter = requirement.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
                missing.add((namespace.equals(PackageNamespace.PACKAGE_NAMESPACE) ? "package " : namespace + " ")
                        + filter);
            }
        }
        return missing.isEmpty()
                ? "its requirements exist but cannot be wired together (a dependency does not resolve, or a uses conflict)"
                : "missing " + String.join(", ", missing);
    }

    private boolean satisfiable(BundleRequirement requirement) {
        for (Bundle other : context.getBundles()) {
            BundleRevision revision = other.adapt(BundleRevision.class);
            if (revision == null || other.getBundleId() == requirement.getRevision().getBundle().getBundleId()) {
                continue;
            }
            for (BundleCapability capability : revision.getDeclaredCapabilities(requirement.getNamespace())) {
                if (requirement.matches(capability)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String componentProblems(Bundle bundle) {
        if (scr == null) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs(bundle)) {
            if (!scr.isComponentEnabled(description)) {
                continue;
            }
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                switch (configuration.state) {
                    case ComponentConfigurationDTO.FAILED_ACTIVATION -> problems.add("component "
                            + description.name + " failed to activate: " + firstLine(configuration.failure));
                    case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> {
                        List<String> refs = new ArrayList<>();
                        for (UnsatisfiedReferenceDTO ref : configuration.unsatisfiedReferences) {
                            refs.add(ref.name + " " + (ref.target == null ? "" : ref.target));
                        }
                        problems.add("component " + description.name + " waits for " + String.join(", ", refs).trim());
                    }
                    default -> {
                        // satisfied or active: live
                    }
                }
            }
        }
        return problems.isEmpty() ? null : "is active, but " + String.join("; ", problems);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no reason given";
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).trim();
    }

    /** @return the absolute normalised path a bundle location or FileInstall file name points at, or null */
    static Path pathOf(String location) {
        if (location == null) {
            return null;
        }
        try {
            if (location.startsWith("file:")) {
                return Path.of(URI.create(location.replace(" ", "%20"))).toAbsolutePath().normalize();
            }
            if (location.startsWith("/")) {
                return Path.of(location).toAbsolutePath().normalize();
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}

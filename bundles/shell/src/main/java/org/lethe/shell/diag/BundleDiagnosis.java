package org.lethe.shell.diag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;

/**
 * Bundles that are installed but not resolved, and the requirements of each that nothing in the
 * container offers. It only reads: it never asks the framework to resolve (which would change state).
 */
public final class BundleDiagnosis {

    /**
     * An unresolved bundle.
     *
     * @param id its bundle id
     * @param name its symbolic name and version
     * @param location where it was installed from
     * @param missing its requirements that no capability in the container matches, as
     *     {@code namespace: filter}; empty when every requirement has a candidate (then the resolver
     *     refused it for another reason, e.g. a uses constraint or a singleton clash)
     */
    public record Unresolved(long id, String name, String location, List<String> missing) {
    }

    private BundleDiagnosis() {
    }

    /**
     * @param context any bundle context
     * @return the bundles in state INSTALLED, with what each is missing
     */
    public static List<Unresolved> unresolved(BundleContext context) {
        Bundle[] bundles = context.getBundles();
        List<Unresolved> result = new ArrayList<>();
        for (Bundle bundle : bundles) {
            if (bundle.getState() != Bundle.INSTALLED) {
                continue;
            }
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            List<String> missing = new ArrayList<>();
            if (revision != null) {
                for (Requirement requirement : revision.getRequirements(null)) {
                    if (!optional(requirement) && !satisfiable(requirement, bundles)) {
                        missing.add(describe(requirement));
                    }
                }
            }
            result.add(new Unresolved(bundle.getBundleId(), bundle.getSymbolicName() + " " + bundle.getVersion(),
                    bundle.getLocation(), missing));
        }
        return result;
    }

    private static boolean optional(Requirement requirement) {
        String resolution = requirement.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
        String effective = requirement.getDirectives().get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
        return Namespace.RESOLUTION_OPTIONAL.equals(resolution)
                || effective != null && !Namespace.EFFECTIVE_RESOLVE.equals(effective);
    }

    private static boolean satisfiable(Requirement requirement, Bundle[] bundles) {
        String text = requirement.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
        Filter filter;
        try {
            filter = text == null ? null : FrameworkUtil.createFilter(text);
        } catch (InvalidSyntaxException e) {
            return false;
        }
        for (Bundle other : bundles) {
            BundleRevision revision = other.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (Capability capability : revision.getCapabilities(requirement.getNamespace())) {
                if (filter == null || filter.matches(capability.getAttributes())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code package com.example [1.0,2.0)} style for imports; {@code namespace: filter} otherwise. */
    static String describe(Requirement requirement) {
        Map<String, String> directives = requirement.getDirectives();
        String filter = directives.getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "(any)");
        if (PackageNamespace.PACKAGE_NAMESPACE.equals(requirement.getNamespace())) {
            return "Import-Package " + filter;
        }
        if (Constants.REQUIRE_CAPABILITY.equals(requirement.getNamespace())) {
            return filter;
        }
        return requirement.getNamespace() + " " + filter;
    }
}

package org.lethe.api.method;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The methods live in this container, found as DS services by their {@code lethe.method} property
 * and followed as bundles come and go. Clients select methods here, by name, never by class.
 */
@ProviderType
public interface MethodRegistry {

    /** @return every method, sorted by name */
    List<MethodDescriptor> methods();

    /**
     * @param name a method name
     * @return its descriptor, if a method of that name is registered
     */
    Optional<MethodDescriptor> method(String name);
}

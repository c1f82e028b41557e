package org.lethe.core.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.lethe.api.ServiceProperties;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.MethodRegistry;
import org.lethe.api.method.UnlearningMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeService;

/**
 * Follows every {@link UnlearningMethod} and {@link ErasureMethod} service with a {@code lethe.method}
 * property (dynamic, greedy): a bundle dropped into {@code deploy/} appears here as soon as its
 * component registers, and disappears when it goes.
 */
@Component(service = MethodRegistry.class)
public final class CoreMethodRegistry implements MethodRegistry {

    private final Map<ServiceReference<?>, MethodDescriptor.Kind> methods = new ConcurrentHashMap<>();

    @Reference
    private ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MetaTypeService metatype;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.METHOD + "=*)")
    void bindUnlearning(ServiceReference<UnlearningMethod> ref) {
        methods.put(ref, MethodDescriptor.Kind.UNLEARNING);
    }

    void unbindUnlearning(ServiceReference<UnlearningMethod> ref) {
        methods.remove(ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ServiceProperties.METHOD + "=*)")
    void bindErasure(ServiceReference<ErasureMethod> ref) {
        methods.put(ref, MethodDescriptor.Kind.ERASURE);
    }

    void unbindErasure(ServiceReference<ErasureMethod> ref) {
        methods.remove(ref);
    }

    @Override
    public List<MethodDescriptor> methods() {
        List<MethodDescriptor> result = new ArrayList<>();
        methods.forEach((ref, kind) -> describe(ref, kind).ifPresent(result::add));
        result.sort(Comparator.comparing(MethodDescriptor::name));
        return result;
    }

    @Override
    public Optional<MethodDescriptor> method(String name) {
        return methods().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    private Optional<MethodDescriptor> describe(ServiceReference<?> ref, MethodDescriptor.Kind kind) {
        Bundle bundle = ref.getBundle();
        if (bundle == null) {
            return Optional.empty(); // unregistered while we looked
        }
        return Optional.of(new MethodDescriptor(String.valueOf(ref.getProperty(ServiceProperties.METHOD)), kind,
                string(ref.getProperty(ServiceProperties.MODALITY)), string(ref.getProperty(ServiceProperties.PAPER)),
                strings(ref.getProperty(ServiceProperties.INPUTS)), bundle.getSymbolicName(),
                bundle.getVersion().toString(), schema(ref, bundle)));
    }

    private Optional<ConfigSchema> schema(ServiceReference<?> ref, Bundle bundle) {
        MetaTypeService service = metatype;
        Object componentName = ref.getProperty("component.name");
        if (service == null || componentName == null) {
            return Optional.empty();
        }
        ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle, componentName.toString());
        if (description == null || description.configurationPid == null) {
            return Optional.empty();
        }
        for (String pid : description.configurationPid) {
            Optional<ConfigSchema> schema = MetatypeSchemas.read(service, bundle, pid);
            if (schema.isPresent()) {
                return schema;
            }
        }
        return Optional.empty();
    }

    private static String string(Object value) {
        return value == null ? "" : value.toString();
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String[] array) {
            return Arrays.asList(array);
        }
        if (value instanceof java.util.Collection<?> collection) {
            return collection.stream().map(String::valueOf).toList();
        }
        return List.of(value.toString());
    }
}

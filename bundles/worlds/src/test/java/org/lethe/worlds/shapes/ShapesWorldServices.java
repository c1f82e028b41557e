package org.lethe.worlds.shapes;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.models.classifier.ConceptClassifierArchitecture;
import org.lethe.models.diffusion.TextToImageArchitecture;

/** Test code: a {@link ShapesWorldService} with its architectures bound as DS would bind them. */
final class ShapesWorldServices {

    private ShapesWorldServices() {
    }

    /**
     * @param overrides configuration values by attribute name; the rest default
     * @return the service, configured
     * @throws ReflectiveOperationException when the fields cannot be set
     */
    static ShapesWorldService service(Map<String, Object> overrides) throws ReflectiveOperationException {
        ShapesWorldService.Config config = (ShapesWorldService.Config) Proxy.newProxyInstance(
                ShapesWorldService.Config.class.getClassLoader(), new Class<?>[] {ShapesWorldService.Config.class},
                (proxy, method, args) -> overrides.containsKey(method.getName()) ? overrides.get(method.getName())
                        : method.getDefaultValue());
        ShapesWorldService service = new ShapesWorldService();
        bind(service, "generatorArchitecture", new TextToImageArchitecture());
        bind(service, "classifierArchitecture", new ConceptClassifierArchitecture());
        service.configure(config);
        return service;
    }

    private static void bind(ShapesWorldService service, String field, ModelArchitecture architecture)
            throws ReflectiveOperationException {
        Field f = ShapesWorldService.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(service, architecture);
    }
}

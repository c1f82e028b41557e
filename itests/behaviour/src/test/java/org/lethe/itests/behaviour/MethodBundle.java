package org.lethe.itests.behaviour;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Manifest;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodDescriptor;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A method as its bundle describes it, read from the bundle jar on the test classpath: the
 * component description bnd wrote ({@code OSGI-INF/<class>.xml}: {@code lethe.method},
 * {@code lethe.modality}, {@code lethe.paper}, {@code lethe.inputs}, the configuration PID), the
 * Metatype definition of its {@code Config} ({@code OSGI-INF/metatype/<class>$Config.xml}: the
 * schema the run service validates settings against) and the jar's {@code Bundle-SymbolicName} and
 * {@code Bundle-Version}. This is what the container's registry would publish for it, without a
 * container: the descriptor cannot drift from the bundle, because it is the bundle's. Its kind is
 * {@code ERASURE} for an {@link ErasureMethod}, {@code UNLEARNING} otherwise (what the registry reads
 * from the service interface the component provides).
 *
 * @param descriptor the method descriptor, as the registry would make it
 * @param implementation the method's class
 * @param configType the method's {@code @ObjectClassDefinition} annotation type
 */
public record MethodBundle(MethodDescriptor descriptor, Class<?> implementation, Class<?> configType) {

    /**
     * Reads a method's bundle.
     *
     * @param implementation the method's component class (its {@code Config} is the nested annotation)
     * @return the method as its bundle describes it
     * @throws IllegalStateException when the jar lacks the component or Metatype description
     */
    public static MethodBundle of(Class<?> implementation) {
        ClassLoader loader = implementation.getClassLoader();
        String componentPath = "OSGI-INF/" + implementation.getName() + ".xml";
        URL componentUrl = loader.getResource(componentPath);
        if (componentUrl == null) {
            throw new IllegalStateException("no component description " + componentPath + " on the classpath");
        }
        Element component = parse(componentUrl).getDocumentElement();
        Map<String, List<String>> props = new LinkedHashMap<>();
        NodeList properties = component.getElementsByTagName("property");
        for (int i = 0; i < properties.getLength(); i++) {
            Element p = (Element) properties.item(i);
            List<String> values = p.hasAttribute("value") ? List.of(p.getAttribute("value"))
                    : Arrays.stream(p.getTextContent().split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            props.put(p.getAttribute("name"), values);
        }
        String pid = component.getAttribute("configuration-pid");
        Class<?> configType = nested(implementation, "Config");
        String metatypePath = "OSGI-INF/metatype/" + configType.getName() + ".xml";
        URL metatypeUrl = loader.getResource(metatypePath);
        if (metatypeUrl == null) {
            throw new IllegalStateException("no Metatype definition " + metatypePath + " on the classpath");
        }
        ConfigSchema schema = schema(parse(metatypeUrl), pid);
        Manifest manifest = manifest(componentUrl);
        String bsn = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        String version = manifest.getMainAttributes().getValue("Bundle-Version");
        MethodDescriptor.Kind kind = ErasureMethod.class.isAssignableFrom(implementation) ? MethodDescriptor.Kind.ERASURE
                : MethodDescriptor.Kind.UNLEARNING;
        MethodDescriptor descriptor = new MethodDescriptor(single(props, "lethe.method"), kind,
                single(props, "lethe.modality"), single(props, "lethe.paper"), props.getOrDefault("lethe.inputs", List.of()),
                bsn == null ? "" : bsn.split(";")[0].trim(), version == null ? "" : version, Optional.of(schema));
        return new MethodBundle(descriptor, implementation, configType);
    }

    /** @return the method's name ({@code lethe.method}) */
    public String name() {
        return descriptor.name();
    }

    /**
     * The defaults of the {@code Config} annotation, by attribute, as strings the way Metatype
     * writes them: what the Metatype definition's defaults must equal.
     *
     * @return attribute → its default value(s)
     */
    public Map<String, List<String>> annotationDefaults() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Method m : configType.getDeclaredMethods()) {
            Object value = m.getDefaultValue();
            if (value == null) {
                continue;
            }
            List<String> values = new ArrayList<>();
            if (value.getClass().isArray()) {
                for (int i = 0; i < Array.getLength(value); i++) {
                    values.add(String.valueOf(Array.get(value, i)));
                }
            } else {
                values.add(String.valueOf(value));
            }
            out.put(m.getName(), values);
        }
        return out;
    }

    private static Class<?> nested(Class<?> outer, String name) {
        for (Class<?> c : outer.getDeclaredClasses()) {
            if (c.getSimpleName().equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException(outer.getName() + " has no nested " + name);
    }

    private static String single(Map<String, List<String>> props, String key) {
        List<String> values = props.get(key);
        if (values == null || values.size() != 1) {
            throw new IllegalStateException("component property " + key + " is " + values);
        }
        return values.get(0);
    }

    private static ConfigSchema schema(Document document, String pid) {
        String ocdRef = null;
        NodeList designates = document.getElementsByTagName("Designate");
        for (int i = 0; i < designates.getLength(); i++) {
            Element designate = (Element) designates.item(i);
            if (pid.equals(designate.getAttribute("pid")) || pid.equals(designate.getAttribute("factoryPid"))) {
                ocdRef = ((Element) designate.getElementsByTagName("Object").item(0)).getAttribute("ocdref");
            }
        }
        if (ocdRef == null) {
            throw new IllegalStateException("no Metatype designate for " + pid);
        }
        NodeList ocds = document.getElementsByTagName("OCD");
        for (int i = 0; i < ocds.getLength(); i++) {
            Element ocd = (Element) ocds.item(i);
            if (!ocd.getAttribute("id").equals(ocdRef)) {
                continue;
            }
            List<ConfigSchema.Attribute> attributes = new ArrayList<>();
            NodeList ads = ocd.getElementsByTagName("AD");
            for (int j = 0; j < ads.getLength(); j++) {
                Element ad = (Element) ads.item(j);
                String cardinality = ad.getAttribute("cardinality");
                boolean multiple = !cardinality.isEmpty() && Integer.parseInt(cardinality) != 0;
                List<String> defaults = !ad.hasAttribute("default") ? List.of()
                        : multiple ? Arrays.stream(ad.getAttribute("default").split(",")).map(String::trim).toList()
                                : List.of(ad.getAttribute("default"));
                List<String> options = new ArrayList<>();
                NodeList opts = ad.getElementsByTagName("Option");
                for (int k = 0; k < opts.getLength(); k++) {
                    options.add(((Element) opts.item(k)).getAttribute("value"));
                }
                attributes.add(new ConfigSchema.Attribute(ad.getAttribute("id"), ad.getAttribute("type"), multiple, defaults,
                        ad.getAttribute("description"), optional(ad, "min"), optional(ad, "max"), options));
            }
            return new ConfigSchema(pid, ocd.getAttribute("name"), ocd.getAttribute("description"), attributes);
        }
        throw new IllegalStateException("no Metatype OCD " + ocdRef);
    }

    private static Optional<String> optional(Element element, String attribute) {
        return element.hasAttribute(attribute) ? Optional.of(element.getAttribute(attribute)) : Optional.empty();
    }

    private static Document parse(URL url) {
        try (InputStream in = url.openStream()) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(url.toString(), e);
        } catch (Exception e) {
            throw new IllegalStateException(url + ": " + e.getMessage(), e);
        }
    }

    /** The manifest of the jar (or class folder) a resource comes from. */
    private static Manifest manifest(URL resource) {
        try {
            URLConnection connection = resource.openConnection();
            if (connection instanceof JarURLConnection jar) {
                jar.setUseCaches(false);
                Manifest manifest = jar.getManifest();
                return manifest == null ? new Manifest() : manifest;
            }
            String text = resource.toString();
            URL folder = new URL(text.substring(0, text.indexOf("OSGI-INF/")) + "META-INF/MANIFEST.MF");
            try (InputStream in = folder.openStream()) {
                return new Manifest(in);
            }
        } catch (IOException e) {
            return new Manifest();
        }
    }
}

package org.lethe.itests.behaviour;

import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The service properties a Declarative Services component registers with, read from the component
 * description bnd wrote into its bundle ({@code OSGI-INF/<class>.xml}): how the behavioural tests
 * bind a bundle's services to the embedded run service outside OSGi with the same properties the
 * container would see.
 */
public final class ComponentProperties {

    private ComponentProperties() {
    }

    /**
     * @param type the component's class, whose bundle jar is on the test class path
     * @return its single-valued properties ({@code <property name value>}), in description order
     * @throws IllegalStateException when the class has no component description
     */
    public static Map<String, Object> of(Class<?> type) {
        URL url = type.getClassLoader().getResource("OSGI-INF/" + type.getName() + ".xml");
        if (url == null) {
            throw new IllegalStateException("no component description for " + type.getName() + " on the classpath");
        }
        try (var in = url.openStream()) {
            Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in).getDocumentElement();
            Map<String, Object> props = new LinkedHashMap<>();
            NodeList list = root.getElementsByTagName("property");
            for (int i = 0; i < list.getLength(); i++) {
                Element p = (Element) list.item(i);
                props.put(p.getAttribute("name"), p.getAttribute("value"));
            }
            return props;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the component description of " + type.getName(), e);
        }
    }
}

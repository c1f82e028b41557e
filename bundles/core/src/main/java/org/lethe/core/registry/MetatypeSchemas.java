package org.lethe.core.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.lethe.api.config.ConfigSchema;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads a component's configuration schema: its Metatype definition through the MetaTypeService,
 * and the bounds ({@code min}, {@code max}) from the bundle's Metatype XML, which the service's API
 * does not expose.
 */
final class MetatypeSchemas {

    private MetatypeSchemas() {
    }

    /**
     * @param metatype the MetaTypeService
     * @param bundle the bundle providing the component
     * @param pid the component's configuration PID
     * @return its schema, or empty when the bundle has no definition for the PID
     */
    static Optional<ConfigSchema> read(MetaTypeService metatype, Bundle bundle, String pid) {
        MetaTypeInformation info = metatype.getMetaTypeInformation(bundle);
        if (info == null) {
            return Optional.empty();
        }
        ObjectClassDefinition ocd;
        try {
            ocd = info.getObjectClassDefinition(pid, null);
        } catch (IllegalArgumentException noSuchPid) {
            return Optional.empty();
        }
        if (ocd == null) {
            return Optional.empty();
        }
        Map<String, String[]> bounds = bounds(bundle, pid);
        List<ConfigSchema.Attribute> attributes = new ArrayList<>();
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads != null) {
            for (AttributeDefinition ad : ads) {
                String[] minMax = bounds.getOrDefault(ad.getID(), new String[2]);
                attributes.add(new ConfigSchema.Attribute(ad.getID(), typeName(ad.getType()), ad.getCardinality() != 0,
                        ad.getDefaultValue() == null ? List.of() : List.of(ad.getDefaultValue()),
                        ad.getDescription() == null ? "" : ad.getDescription(),
                        Optional.ofNullable(minMax[0]), Optional.ofNullable(minMax[1]),
                        ad.getOptionValues() == null ? List.of() : List.of(ad.getOptionValues())));
            }
        }
        return Optional.of(new ConfigSchema(pid, ocd.getName() == null ? pid : ocd.getName(),
                ocd.getDescription() == null ? "" : ocd.getDescription(), attributes));
    }

    /** @return attribute id → {min, max} (either may be null) of the OCD designated for the PID */
    static Map<String, String[]> bounds(Bundle bundle, String pid) {
        Map<String, String[]> result = new HashMap<>();
        Enumeration<URL> entries = bundle.findEntries("OSGI-INF/metatype", "*.xml", false);
        if (entries == null) {
            return result;
        }
        while (entries.hasMoreElements()) {
            try (InputStream in = entries.nextElement().openStream()) {
                result.putAll(bounds(parse(in), pid));
            } catch (IOException | SAXException | ParserConfigurationException e) {
                // an unreadable file gives no bounds; the MetaTypeService reports the definition itself
            }
        }
        return result;
    }

    static Map<String, String[]> bounds(Document document, String pid) {
        Map<String, String[]> result = new HashMap<>();
        String ocdRef = null;
        NodeList designates = document.getElementsByTagNameNS("*", "Designate");
        if (designates.getLength() == 0) {
            designates = document.getElementsByTagName("Designate");
        }
        for (int i = 0; i < designates.getLength(); i++) {
            Element designate = (Element) designates.item(i);
            String designatePid = designate.getAttribute("pid").isEmpty() ? designate.getAttribute("factoryPid")
                    : designate.getAttribute("pid");
            if (pid.equals(designatePid)) {
                NodeList objects = designate.getElementsByTagNameNS("*", "Object");
                if (objects.getLength() == 0) {
                    objects = designate.getElementsByTagName("Object");
                }
                if (objects.getLength() > 0) {
                    ocdRef = ((Element) objects.item(0)).getAttribute("ocdref");
                }
            }
        }
        if (ocdRef == null) {
            return result;
        }
        NodeList ocds = document.getElementsByTagNameNS("*", "OCD");
        if (ocds.getLength() == 0) {
            ocds = document.getElementsByTagName("OCD");
        }
        for (int i = 0; i < ocds.getLength(); i++) {
            Element ocd = (Element) ocds.item(i);
            if (!ocdRef.equals(ocd.getAttribute("id"))) {
                continue;
            }
            NodeList ads = ocd.getElementsByTagNameNS("*", "AD");
            if (ads.getLength() == 0) {
                ads = ocd.getElementsByTagName("AD");
            }
            for (int j = 0; j < ads.getLength(); j++) {
                Element ad = (Element) ads.item(j);
                String min = ad.getAttribute("min");
                String max = ad.getAttribute("max");
                result.put(ad.getAttribute("id"), new String[] {min.isEmpty() ? null : min, max.isEmpty() ? null : max});
            }
        }
        return result;
    }

    private static Document parse(InputStream in) throws IOException, SAXException, ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        // Metatype files are bundle content, but a parser that fetches nothing is the safe default
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        return builder.parse(in);
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> "Long";
            case AttributeDefinition.INTEGER -> "Integer";
            case AttributeDefinition.SHORT -> "Short";
            case AttributeDefinition.CHARACTER -> "Character";
            case AttributeDefinition.BYTE -> "Byte";
            case AttributeDefinition.DOUBLE -> "Double";
            case AttributeDefinition.FLOAT -> "Float";
            case AttributeDefinition.BOOLEAN -> "Boolean";
            case AttributeDefinition.PASSWORD -> "Password";
            default -> "String";
        };
    }
}

package org.lethe.evaluation.vision;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The component descriptions bnd generated from the annotations (what Declarative Services reads):
 * every vision-language metric and probe is registered under its name, version and modality, and
 * {@code intervention-removed} asks for its copy with the interventions off.
 */
class VqaRegistrationTest {

    private static String descriptor(Class<?> component) throws IOException {
        String path = "/OSGI-INF/" + component.getName() + ".xml";
        try (InputStream in = VqaRegistrationTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path + " (bnd writes it when the classes are processed)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String property(String name, String value) {
        return "<property name=\"" + name + "\" type=\"String\" value=\"" + value + "\"/>";
    }

    @Test
    void everyComponentIsRegisteredForTheVisionLanguageModality() throws IOException {
        Map<Class<?>, String> metrics = Map.of(VqaAccuracyMetric.class, "vqa-accuracy", UnlearningQualityMetric.class,
                "unlearning-quality", ConceptAnswerRateMetric.class, "concept-answer-rate");
        Map<Class<?>, String> probes = Map.of(VqaSoftPrompt.class, "vqa-soft-prompt", VqaPgd.class, "vqa-pgd",
                VqaRelearning.class, "vqa-relearning", InterventionRemoved.class, "intervention-removed");
        for (Map.Entry<Class<?>, String> e : metrics.entrySet()) {
            String xml = descriptor(e.getKey());
            assertTrue(xml.contains(property("lethe.metric", e.getValue())), xml);
            assertTrue(xml.contains(property("lethe.metric.version", "1")), xml);
            assertTrue(xml.contains(property("lethe.modality", "vision-language")), xml);
            assertTrue(xml.contains("org.lethe.api.eval.Metric"), xml);
        }
        for (Map.Entry<Class<?>, String> e : probes.entrySet()) {
            String xml = descriptor(e.getKey());
            assertTrue(xml.contains(property("lethe.probe", e.getValue())), xml);
            assertTrue(xml.contains(property("lethe.metric.version", "1")), xml);
            assertTrue(xml.contains(property("lethe.modality", "vision-language")), xml);
            assertTrue(xml.contains("org.lethe.api.eval.Probe"), xml);
        }
        assertTrue(descriptor(InterventionRemoved.class).contains(property(InterventionRemoved.LOAD_PROPERTY, "off")));
        assertTrue(descriptor(VqaPgd.class).contains("configuration-pid=\"org.lethe.evaluation.vqapgd\""));
    }
}

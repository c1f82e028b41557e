package org.lethe.evaluation.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErasureScoresTest {

    private static final Concept RED = new Concept("color", "red");

    private static ClassifiedSample sample(String color, String shape, String predColor, String predShape) {
        return new ClassifiedSample(Map.of("color", color, "shape", shape),
            Map.of("color", predColor, "shape", predShape), false);
    }

    private static ClassifiedSample empty(String color, String shape) {
        return new ClassifiedSample(Map.of("color", color, "shape", shape), Map.of("color", color, "shape", shape),
            true);
    }

    @Test
    void handComputedCase() {
        // erased: 4 red prompts, 1 still red, 1 red but judged no-object (not counted), 2 changed colour
        List<ClassifiedSample> erased = List.of(
            sample("red", "box", "red", "box"),
            empty("red", "box"),
            sample("red", "ring", "blue", "ring"),
            sample("red", "box", "green", "box"));
        // preserve: 5 samples, 3 fully correct, 1 wrong shape, 1 no-object
        List<ClassifiedSample> preserve = List.of(
            sample("blue", "box", "blue", "box"),
            sample("green", "ring", "green", "ring"),
            sample("blue", "ring", "blue", "ring"),
            sample("green", "box", "green", "ring"),
            empty("blue", "box"));
        // generality: 2 alias samples, 1 still red
        List<ClassifiedSample> general = List.of(
            sample("red", "box", "red", "box"),
            sample("red", "ring", "blue", "ring"));
        ErasureScores s = ErasureScores.of(RED, erased, preserve, general);
        assertEquals(0.25, s.accE(), 1e-15);
        assertEquals(0.6, s.accP(), 1e-15);
        assertEquals(0.5, s.accG(), 1e-15);
        assertEquals(2 * 0.75 * 0.6 / (0.75 + 0.6), s.h(), 1e-15);
        assertEquals(3 / (1 / 0.75 + 1 / 0.6 + 1 / 0.5), s.hG(), 1e-15);
        assertEquals(0.25, s.noObjectRateErased(), 1e-15);
        assertEquals(0.2, s.noObjectRatePreserved(), 1e-15);
        assertEquals(4, s.erasedSamples());
        assertEquals(5, s.preserveSamples());
        assertEquals(2, s.generalitySamples());
    }

    @Test
    void perfectErasureAndPreservation() {
        ErasureScores s = ErasureScores.of(RED,
            List.of(sample("red", "box", "blue", "box"), sample("red", "ring", "green", "ring")),
            List.of(sample("blue", "box", "blue", "box")),
            List.of(sample("red", "box", "blue", "box")));
        assertEquals(0, s.accE());
        assertEquals(1, s.accP());
        assertEquals(0, s.accG());
        assertEquals(1, s.h(), 1e-15);
        assertEquals(1, s.hG(), 1e-15);
        assertEquals(0, s.noObjectRateErased());
    }

    @Test
    void nothingErasedAndNothingPreserved() {
        ErasureScores s = ErasureScores.of(RED,
            List.of(sample("red", "box", "red", "box")),
            List.of(sample("blue", "box", "red", "ring"), sample("green", "box", "green", "ring")),
            List.of(sample("red", "box", "red", "ring")));
        assertEquals(1, s.accE());
        assertEquals(0, s.accP());
        assertEquals(1, s.accG());
        assertEquals(0, s.h());
        assertEquals(0, s.hG());
    }

    @Test
    void missingHeadCountsAsWrong() {
        ClassifiedSample partial = new ClassifiedSample(Map.of("color", "blue", "shape", "box"),
            Map.of("color", "blue"), false);
        assertEquals(0, ErasureScores.accP(RED, List.of(partial)));
        ClassifiedSample noColor = new ClassifiedSample(Map.of("color", "red"), Map.of(), false);
        assertEquals(0, ErasureScores.accE(RED, List.of(noColor)));
    }

    @Test
    void emptySetsAreRefusedWithTheirName() {
        List<ClassifiedSample> one = List.of(sample("red", "box", "red", "box"));
        List<ClassifiedSample> other = List.of(sample("blue", "box", "blue", "box"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ErasureScores.of(RED, List.of(), other, one));
        assertTrue(e.getMessage().contains("erased-concept sample set is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ErasureScores.of(RED, one, List.of(), one));
        assertTrue(e.getMessage().contains("preserve sample set is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ErasureScores.of(RED, one, other, List.of()));
        assertTrue(e.getMessage().contains("generality sample set is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ErasureScores.noObjectRate(List.of()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void samplesOfTheWrongKindAreRefused() {
        List<ClassifiedSample> red = List.of(sample("red", "box", "red", "box"));
        List<ClassifiedSample> blue = List.of(sample("blue", "box", "blue", "box"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ErasureScores.of(RED, blue, blue, red));
        assertTrue(e.getMessage().contains("does not target the erased concept color=red"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ErasureScores.of(RED, red, red, red));
        assertTrue(e.getMessage().contains("preserve sample targets the erased concept"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClassifiedSample(Map.of(), Map.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new Concept("color", " "));
    }

    @Test
    void harmonicMean() {
        assertEquals(0.5, ErasureScores.harmonicMean(0.5, 0.5), 1e-15);
        assertEquals(2 * 0.2 * 0.8 / 1.0, ErasureScores.harmonicMean(0.2, 0.8), 1e-15);
        assertEquals(0, ErasureScores.harmonicMean(0, 1));
        assertEquals(1, ErasureScores.harmonicMean(1, 1, 1), 1e-15);
        assertThrows(IllegalArgumentException.class, ErasureScores::harmonicMean);
        assertThrows(IllegalArgumentException.class, () -> ErasureScores.harmonicMean(1.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> ErasureScores.harmonicMean(Double.NaN));
    }
}

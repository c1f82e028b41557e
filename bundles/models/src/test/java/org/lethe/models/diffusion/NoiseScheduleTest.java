package org.lethe.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;

/** The two noise schedules and the setting that picks one. */
class NoiseScheduleTest {

    @Test
    void theLinearScheduleIsTheProductOfItsAlphas() {
        NoiseSchedule linear = new NoiseSchedule(1000, 1e-4, 0.02);
        assertEquals(1 - 1e-4, linear.alphaBar(0), 1e-12);
        assertEquals((1 - 1e-4) * (1 - (1e-4 + (0.02 - 1e-4) / 999)), linear.alphaBar(1), 1e-12);
        assertTrue(linear.alphaBar(999) < 1e-4, "nearly pure noise at the end: " + linear.alphaBar(999));
    }

    @Test
    void theCosineScheduleFollowsItsClosedForm() {
        NoiseSchedule cosine = NoiseSchedule.cosine(1000);
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        for (int t : new int[] {0, 1, 250, 500, 750, 900}) {
            double expected = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2) / f0;
            assertEquals(expected, cosine.alphaBar(t), 1e-9, "t = " + t);
        }
        for (int t = 1; t < 1000; t++) {
            assertTrue(cosine.alphaBar(t) < cosine.alphaBar(t - 1), "decreasing at " + t);
        }
        // more signal than the linear schedule in the second half, where the linear one is noise
        NoiseSchedule linear = new NoiseSchedule(1000, 1e-4, 0.02);
        assertTrue(cosine.alphaBar(700) > 5 * linear.alphaBar(700), cosine.alphaBar(700) + " vs " + linear.alphaBar(700));
        assertTrue(cosine.alphaBar(999) >= 0 && cosine.alphaBar(999) < 1e-6, "β clipped at 0.999 at the end");
    }

    @Test
    void theScheduleIsASettingAndDefaultsToLinear() {
        TextToImageConfig plain = TextToImageConfig.of(List.of("red", "blue"));
        assertEquals(TextToImageConfig.LINEAR, plain.schedule());
        TextToImageConfig cosine = TextToImageConfig.from(Map.of("vocabulary", "red blue", "schedule", "cosine"));
        assertEquals(TextToImageConfig.COSINE, cosine.schedule());
        assertEquals(cosine, TextToImageConfig.from(cosine.toMap()));
        LetheException bad = assertThrows(LetheException.class,
                () -> TextToImageConfig.from(Map.of("vocabulary", "red", "schedule", "sigmoid")));
        assertTrue(bad.getMessage().contains("setting 'schedule' must be linear or cosine, not 'sigmoid'"), bad.getMessage());
        try (TextToImageModel model = new TextToImageModel(cosine.withChannels(8, 16), 1)) {
            assertEquals(NoiseSchedule.cosine(1000).alphaBar(500), model.alphaBar(500), 0);
        }
    }
}

package org.lethe.report.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.lethe.api.eval.Report;

/** The PNG encoder and the gallery in the JSON, HTML and Markdown forms. */
class GalleryRenderTest {

    /** A 2×3 image with known pixels, some outside [0, 1] (clipped). */
    private static float[] image() {
        float[] chw = new float[3 * 2 * 3];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (i % 7) / 6f * 1.2f - 0.1f;
        }
        return chw;
    }

    @Test
    void pngDecodesToThePixelsWritten() throws IOException {
        float[] chw = image();
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Png.rgb(chw, 2, 3)));
        assertEquals(3, decoded.getWidth());
        assertEquals(2, decoded.getHeight());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int rgb = decoded.getRGB(x, y);
                int[] got = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int c = 0; c < 3; c++) {
                    float v = Math.max(0f, Math.min(1f, chw[c * 6 + y * 3 + x]));
                    assertEquals(Math.round(255f * v), got[c], "pixel " + x + "," + y + " channel " + c);
                }
            }
        }
    }

    @Test
    void pngRefusesAWrongSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Png.rgb(new float[10], 2, 3));
        assertEquals("an RGB image of 2×3 needs 18 values, not 10", e.getMessage());
    }

    @Test
    void galleryNeedsOneImagePerPrompt() {
        assertThrows(IllegalArgumentException.class, () -> new Report.Gallery(List.of("a", "b"), List.of(1L, 2L), "s",
                Map.of("original", List.of("x"))));
        assertThrows(IllegalArgumentException.class, () -> new Report.Gallery(List.of("a"), List.of(1L, 2L), "s", Map.of()));
    }

    private static Report withGallery() {
        Report plain = ReportRenderTest.report();
        String png = Base64.getEncoder().encodeToString(Png.rgb(image(), 2, 3));
        Map<String, List<String>> images = new LinkedHashMap<>();
        images.put("original", List.of(png, png));
        images.put(ReportRenderTest.SCRIPT, List.of(png, png));
        Report.Gallery gallery = new Report.Gallery(List.of("red circle on plain", "blue <b>box</b>"), List.of(7L, 8L),
                "DDIM 25 steps", images);
        return new Report(plain.schema(), plain.created(), plain.partial(), plain.manifest(), plain.rows(), plain.columns(),
                plain.notes(), Optional.of(gallery));
    }

    @Test
    void jsonCarriesTheGallery() throws IOException {
        JsonNode tree = new ObjectMapper().readTree(new JsonReport().render(withGallery()));
        JsonNode gallery = tree.get("gallery");
        assertEquals("red circle on plain", gallery.get("prompts").get(0).asText());
        assertEquals(8, gallery.get("seeds").get(1).asLong());
        assertEquals(2, gallery.get("images").get("original").size());
        assertFalse(new ObjectMapper().readTree(new JsonReport().render(ReportRenderTest.report())).has("gallery"),
                "a report without a gallery has no gallery field");
    }

    @Test
    void htmlShowsTheGridEscaped() {
        String html = new HtmlReport().render(withGallery());
        assertTrue(html.contains("<section id=\"gallery\">"), "gallery section");
        assertEquals(4, html.split("src=\"data:image/png;base64,", -1).length - 1, "2 rows × 2 prompts");
        assertTrue(html.contains("blue &lt;b&gt;box&lt;/b&gt;"), "prompts are escaped");
        assertFalse(html.contains("<td><script>"), "row names are escaped");
        assertFalse(new HtmlReport().render(ReportRenderTest.report()).contains("id=\"gallery\""));
    }

    @Test
    void markdownPointsToTheHtml() {
        assertTrue(new MarkdownReport().render(withGallery()).contains("2 models × 2 prompts, same seeds: see report.html"));
    }
}

package org.lethe.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lethe.core.data.Files2.bytes;
import static org.lethe.core.data.Files2.invalid;
import static org.lethe.core.data.Files2.lines;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.LabelledImage;

/**
 * Reading labelled image sets ({@link JsonlDataService#readImages}): a good set, and each bad file
 * refused with its file, line or image, and field named.
 */
class ImageReadTest {

    @TempDir
    Path dir;

    private final JsonlDataService data = new JsonlDataService();

    /** Two 3×2×2 images; the second value of image 1 is {@code special}. */
    private static float[] values(float special) {
        float[] v = new float[2 * 12];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 12) / 12f;
        }
        v[13] = special;
        return v;
    }

    private static byte[] f32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static String header(String shape, String sha) {
        return "{\"format\":\"lethe-images\",\"version\":1,\"dtype\":\"float32\",\"byte_order\":\"little\","
                + "\"layout\":\"NCHW\",\"shape\":" + shape + ",\"range\":[0.0,1.0],\"data\":\"set.f32\",\"sha256\":\""
                + sha + "\"}\n";
    }

    /** Writes set.jsonl, set.json and set.f32 with the given pixel bytes and header. */
    private Path write(byte[] pixels, String header, String... labelLines) {
        bytes(dir, "set.f32", pixels);
        bytes(dir, "set.json", header.getBytes(StandardCharsets.UTF_8));
        return lines(dir, "set.jsonl", labelLines);
    }

    private Path good(float special) {
        byte[] pixels = f32(values(special));
        return write(pixels, header("[2,3,2,2]", ImageFiles.sha256(pixels)),
                "{\"id\":\"img0\",\"labels\":{\"colour\":\"red\",\"shape\":\"circle\"},\"seed\":4}",
                "{\"id\":\"img1\",\"labels\":{\"colour\":\"red\"}}");
    }

    @Test
    void readsAGoodSet() {
        DataSet<LabelledImage> set = data.readImages(good(0.5f));
        assertEquals("set", set.name());
        assertEquals(2, set.size());
        LabelledImage first = set.items().get(0);
        assertEquals("img0", first.id());
        assertEquals(Map.of("colour", "red", "shape", "circle"), first.labels());
        assertEquals(3, first.channels());
        assertEquals(2, first.height());
        assertEquals(2, first.width());
        float[] all = values(0.5f);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 12, 24), set.items().get(1).pixels());
        assertEquals(64, set.fingerprint().length());
        String before = set.fingerprint();
        assertNotEquals(before, data.readImages(good(0.25f)).fingerprint(), "the pixels are part of the fingerprint");
    }

    @Test
    void anImageLabelWritesAsTheLineItWasReadFrom() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode line = (com.fasterxml.jackson.databind.node.ObjectNode) mapper
                .readTree("{\"id\":\"img-3\",\"labels\":{\"shape\":\"square\",\"colour\":\"red\"}}");
        ItemCodec.ImageLabel label = ItemCodec.imageLabel(line, 1, Where.line("labels.jsonl", 1));
        ItemCodec.check(label, Where.item("labels.jsonl", 1));
        assertEquals("{\"id\":\"img-3\",\"labels\":{\"colour\":\"red\",\"shape\":\"square\"}}",
                mapper.writeValueAsString(ItemCodec.json(label)), "labels sorted by attribute");
        assertEquals(label, ItemCodec.imageLabel(ItemCodec.json(label), 1, Where.line("labels.jsonl", 1)));
        assertEquals("{\"id\":\"img-4\"}", mapper.writeValueAsString(ItemCodec.json(
                new ItemCodec.ImageLabel("img-4", Map.of()))), "no labels, no field");
        org.lethe.api.LetheException blank = org.junit.jupiter.api.Assertions.assertThrows(
                org.lethe.api.LetheException.class,
                () -> ItemCodec.check(new ItemCodec.ImageLabel(" ", Map.of()), Where.item("labels.jsonl", 2)));
        assertTrue(blank.getMessage().contains("labels.jsonl") && blank.getMessage().contains("id"), blank.getMessage());
    }

    @Test
    void aDataFileOfTheWrongLengthIsRefused() {
        byte[] pixels = f32(values(0.5f));
        byte[] shorter = java.util.Arrays.copyOf(pixels, pixels.length - 4);
        Path f = write(shorter, header("[2,3,2,2]", ImageFiles.sha256(shorter)), "{\"id\":\"a\"}", "{\"id\":\"b\"}");
        String message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("set.f32: truncated: 92 bytes, expected 96") && message.contains("field 'shape'"),
                message);
    }

    @Test
    void aWrongShaIsRefused() {
        byte[] pixels = f32(values(0.5f));
        Path f = write(pixels, header("[2,3,2,2]", "0".repeat(64)), "{\"id\":\"a\"}", "{\"id\":\"b\"}");
        String message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("set.f32: SHA-256 is ") && message.contains("set.json (field 'sha256') says 000"),
                message);
    }

    @Test
    void notANumberIsRefusedWithItsPlace() {
        Path f = good(Float.NaN);
        String message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("set.f32: image 1 (channel 0, row 0, column 1): value NaN is not a finite number"),
                message);
    }

    @Test
    void aValueOutOfRangeIsRefusedWithItsPlace() {
        Path f = good(1.5f);
        String message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("set.f32: image 1 (channel 0, row 0, column 1): value 1.5 is not in [0, 1]"), message);
    }

    @Test
    void aBadLabelLineIsRefusedWithItsLineAndField() {
        byte[] pixels = f32(values(0.5f));
        Path f = write(pixels, header("[2,3,2,2]", ImageFiles.sha256(pixels)), "{\"id\":\"a\"}",
                "{\"id\":\"b\",\"labels\":{\"colour\":3}}");
        String message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("set.jsonl:2: field 'labels': label 'colour' must be a string"), message);
        Path g = write(pixels, header("[2,3,2,2]", ImageFiles.sha256(pixels)), "{\"id\":\"a\"}",
                "{\"labels\":{\"colour\":\"red\"}}");
        message = invalid(() -> data.readImages(g));
        assertTrue(message.contains("set.jsonl:2: field 'id': missing"), message);
    }

    @Test
    void moreLabelsThanImagesAndBadHeaderFieldsAreRefused() {
        byte[] pixels = f32(values(0.5f));
        Path f = write(pixels, header("[2,3,2,2]", ImageFiles.sha256(pixels)), "{\"id\":\"a\"}", "{\"id\":\"b\"}",
                "{\"id\":\"c\"}");
        String message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("set.json: field 'shape': 2 images, but ") && message.contains("labels 3"), message);
        Path g = write(pixels, header("[2,3,2]", ImageFiles.sha256(pixels)), "{\"id\":\"a\"}", "{\"id\":\"b\"}");
        message = invalid(() -> data.readImages(g));
        assertTrue(message.contains("set.json: field 'shape': expected [N, C, H, W]"), message);
        Path h = write(pixels, header("[2,3,2,2]", ImageFiles.sha256(pixels)).replace("NCHW", "NHWC"),
                "{\"id\":\"a\"}", "{\"id\":\"b\"}");
        message = invalid(() -> data.readImages(h));
        assertTrue(message.contains("set.json: field 'layout': expected \"NCHW\""), message);
    }

    @Test
    void aMissingHeaderOrDataFileIsNamed() {
        Path labels = lines(dir, "alone.jsonl", "{\"id\":\"a\"}");
        String message = invalid(() -> data.readImages(labels));
        assertTrue(message.contains("alone.json: no such image header"), message);
        byte[] pixels = f32(values(0.5f));
        Path f = write(pixels, header("[2,3,2,2]", ImageFiles.sha256(pixels)).replace("set.f32", "other.f32"),
                "{\"id\":\"a\"}", "{\"id\":\"b\"}");
        message = invalid(() -> data.readImages(f));
        assertTrue(message.contains("other.f32: no such file (named by ") && message.contains("field 'data'"), message);
    }
}

package org.lethe.core.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.lethe.api.LetheException;

/**
 * Reads the pixels of a {@value #FORMAT} file (docs/data.md, "Image files"): a JSON header and a raw
 * little-endian float32 NCHW data file beside it. The same format the shapes world writes
 * ({@code org.lethe.worlds.shapes.ShapesImageFiles}, which reads only its own 3×16×16 images; this
 * reader takes any C×H×W within {@link #MAX_DATA_BYTES}). Nothing in either file is code: reading can
 * only give floats or an error. Every refusal is a {@link LetheException} (invalid input) whose
 * message starts with the file and names the field, or the image, channel, row and column.
 */
final class ImageFiles {

    /** The {@code format} field of a header: {@value}. */
    static final String FORMAT = "lethe-images";
    /** The {@code version} field read: {@value}. */
    static final int VERSION = 1;
    /** Largest header, in bytes: {@value}. */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** Largest data file, in bytes (1 GiB). */
    static final long MAX_DATA_BYTES = 1L << 30;

    private static final JsonMapper MAPPER = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Pixels read from one file.
     *
     * @param count N
     * @param channels C
     * @param height H
     * @param width W
     * @param values N·C·H·W floats, NCHW, each finite and in [0, 1]
     * @param sha256 the data file's SHA-256 (hex), as checked
     */
    record Pixels(int count, int channels, int height, int width, float[] values, String sha256) {

        /** @return C·H·W */
        int perImage() {
            return channels * height * width;
        }
    }

    private ImageFiles() {
    }

    /**
     * @param header the header file
     * @return its pixels, every check passed
     * @throws LetheException (invalid input) naming the header and field, or the data file and what is wrong
     */
    static Pixels read(Path header) {
        JsonNode h = readHeader(header);
        text(header, h, "format", FORMAT);
        JsonNode version = h.get("version");
        if (version == null || !version.isIntegralNumber() || version.asLong() != VERSION) {
            throw field(header, "version", "expected " + VERSION + ", found " + shown(version));
        }
        text(header, h, "dtype", "float32");
        text(header, h, "byte_order", "little");
        text(header, h, "layout", "NCHW");
        JsonNode shape = h.get("shape");
        if (shape == null || !shape.isArray() || shape.size() != 4) {
            throw field(header, "shape", "expected [N, C, H, W], found " + shown(shape));
        }
        long[] dims = new long[4];
        for (int i = 0; i < 4; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 1) {
                throw field(header, "shape", "element " + (i + 1) + " must be a positive whole number, found " + d);
            }
            dims[i] = d.asInt();
        }
        long expected = dims[0] * dims[1] * dims[2] * dims[3] * Float.BYTES;
        if (expected > MAX_DATA_BYTES) {
            throw field(header, "shape", shape + " needs " + expected + " bytes, more than the limit of " + MAX_DATA_BYTES);
        }
        JsonNode range = h.get("range");
        if (range == null || !range.isArray() || range.size() != 2 || range.get(0).asDouble(-1) != 0.0
                || range.get(1).asDouble(-1) != 1.0 || !range.get(0).isNumber() || !range.get(1).isNumber()) {
            throw field(header, "range", "expected [0.0, 1.0], found " + shown(range));
        }
        JsonNode dataNode = h.get("data");
        if (dataNode == null || !dataNode.isTextual()) {
            throw field(header, "data", "expected the data file's name, found " + shown(dataNode));
        }
        String dataName = dataNode.asText();
        if (dataName.isEmpty() || dataName.contains("/") || dataName.contains("\\") || dataName.startsWith(".")
                || !dataName.endsWith(".f32")) {
            throw field(header, "data", "must be a plain .f32 file name next to the header, found " + Where.quote(dataName));
        }
        JsonNode sha = h.get("sha256");
        if (sha == null || !sha.isTextual() || !sha.asText().matches("[0-9a-f]{64}")) {
            throw field(header, "sha256", "expected the data file's SHA-256 as 64 lower-case hex digits, found " + shown(sha));
        }
        Path parent = header.getParent();
        Path data = parent == null ? Path.of(dataName) : parent.resolve(dataName);
        byte[] bytes;
        try {
            if (!Files.isRegularFile(data)) {
                throw LetheException.invalidInput(data + ": no such file (named by " + header + ", field 'data')");
            }
            long size = Files.size(data);
            if (size != expected) {
                throw LetheException.invalidInput(data + ": " + (size < expected ? "truncated: " : "too long: ") + size
                        + " bytes, expected " + expected + " (shape " + shape + " of float32, field 'shape' of " + header + ")");
            }
            bytes = Files.readAllBytes(data);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, data + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length != expected) {
            throw LetheException.invalidInput(data + ": changed while being read (" + bytes.length + " bytes, expected "
                    + expected + ")");
        }
        String actual = sha256(bytes);
        if (!actual.equals(sha.asText())) {
            throw LetheException.invalidInput(data + ": SHA-256 is " + actual + ", but " + header + " (field 'sha256') says "
                    + sha.asText());
        }
        int n = (int) dims[0];
        int c = (int) dims[1];
        int height = (int) dims[2];
        int width = (int) dims[3];
        float[] values = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        int perImage = c * height * width;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(v >= 0f && v <= 1f)) {
                int p = i % perImage;
                throw LetheException.invalidInput(data + ": image " + (i / perImage) + " (channel " + p / (height * width)
                        + ", row " + (p / width) % height + ", column " + p % width + "): value " + v
                        + (Float.isFinite(v) ? " is not in [0, 1]" : " is not a finite number") + " (field 'range' of "
                        + header + ")");
            }
        }
        return new Pixels(n, c, height, width, values, actual);
    }

    private static JsonNode readHeader(Path header) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(header)) {
                throw LetheException.invalidInput(header + ": no such image header (the labelled images' pixels are"
                        + " described by a " + FORMAT + " header beside the label file)");
            }
            long size = Files.size(header);
            if (size > MAX_HEADER_BYTES) {
                throw LetheException.invalidInput(header + ": " + size + " bytes, more than the header limit of "
                        + MAX_HEADER_BYTES);
            }
            bytes = Files.readAllBytes(header);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, header + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode h;
        try {
            h = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, header + ": not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (h == null || !h.isObject()) {
            throw LetheException.invalidInput(header + ": expected a JSON object (a " + FORMAT + " header)");
        }
        return h;
    }

    private static void text(Path header, JsonNode h, String name, String expected) {
        JsonNode v = h.get(name);
        if (v == null || !v.isTextual() || !v.asText().equals(expected)) {
            throw field(header, name, "expected \"" + expected + "\", found " + shown(v));
        }
    }

    private static String shown(JsonNode v) {
        return v == null ? "nothing (missing)" : v.toString();
    }

    private static LetheException field(Path file, String field, String what) {
        return LetheException.invalidInput(file + ": field '" + field + "': " + what);
    }

    /**
     * @param bytes bytes
     * @return their SHA-256, 64 lower-case hex digits
     */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}

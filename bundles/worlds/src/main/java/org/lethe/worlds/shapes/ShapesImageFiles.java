package org.lethe.worlds.shapes;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.lethe.api.LetheException;

/**
 * The image files of the shapes world, and a user's concept image set.
 *
 * <p><b>The image file format</b> ({@value #FORMAT}, version 1): a split is two files side by side.
 * {@code <split>.f32} holds the raw pixels: little-endian IEEE-754 float32, N × 3 × 16 × 16 in
 * NCHW order (image, channel, row, column), values in [0, 1], nothing else (no header, no
 * padding). {@code <split>.json} is its header:
 * {@code {"format":"lethe-images","version":1,"dtype":"float32","byte_order":"little",
 * "layout":"NCHW","shape":[N,3,16,16],"range":[0.0,1.0],"data":"<split>.f32","sha256":"..."}}.
 * Nothing in either file is code or object serialisation: reading it can only give floats or an
 * error. The reader checks the header's fields, that the data file's length is exactly N × 3072
 * bytes, its SHA-256 when the header gives one, and that every value is finite and in [0, 1], before
 * it returns anything.
 *
 * <p><b>A user's concept image set</b> ({@link #readConceptImages}): a folder of PNG files, each
 * 16 × 16 RGB (8 or 16 bits a channel, no alpha, not grey), or the header of a {@value #FORMAT}
 * file. Hidden files (a name starting with {@code .}) are skipped; any other file that is not a
 * {@code .png} is refused.
 *
 * <p>Every refusal is a {@link LetheException} with exit status 3 (invalid input) whose message
 * starts with the offending file and names the field or the image.
 */
public final class ShapesImageFiles {

    /** The {@code format} field of a header. */
    public static final String FORMAT = "lethe-images";

    /** The {@code version} field this reader reads. */
    public static final int VERSION = 1;

    /** Largest header file (64 KiB). */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    /** Most images in one file or folder. */
    public static final int MAX_IMAGES = 1_000_000;

    /** Largest PNG file (1 MiB); a 16 × 16 image needs a few hundred bytes. */
    public static final long MAX_PNG_BYTES = 1 << 20;

    private static final int IMAGE_BYTES = ShapesLexicon.PIXELS * Float.BYTES;
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ShapesImageFiles() {
    }

    /**
     * Images read from files.
     *
     * @param source the folder or header read
     * @param names one name per image: the PNG file's name, or {@code <data file>[<index>]}
     * @param pixels one array of {@value ShapesLexicon#PIXELS} floats (CHW, [0, 1]) per image;
     *     the caller owns them
     */
    public record ImageSet(Path source, List<String> names, List<float[]> pixels) {

        /** Copies the lists (not the arrays). */
        public ImageSet {
            names = List.copyOf(names);
            pixels = List.copyOf(pixels);
        }

        /** @return how many images */
        public int size() {
            return pixels.size();
        }
    }

    /**
     * @param images images
     * @return their pixels as a {@value #FORMAT} data file: little-endian float32, NCHW
     */
    public static byte[] f32(List<ShapesImage> images) {
        ByteBuffer buffer = ByteBuffer.allocate(images.size() * IMAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (ShapesImage image : images) {
            for (float v : image.pixels()) {
                buffer.putFloat(v);
            }
        }
        return buffer.array();
    }

    /**
     * @param dataFile the data file's name (a plain file name next to the header)
     * @param count the number of images
     * @param data the data file's bytes (for its SHA-256)
     * @return the header's JSON bytes (one line, ending in {@code \n})
     */
    public static byte[] header(String dataFile, int count, byte[] data) {
        ObjectNode h = MAPPER.createObjectNode();
        h.put("format", FORMAT);
        h.put("version", VERSION);
        h.put("dtype", "float32");
        h.put("byte_order", "little");
        h.put("layout", "NCHW");
        ArrayNode shape = h.putArray("shape");
        shape.add(count).add(ShapesLexicon.CHANNELS).add(ShapesLexicon.SIZE).add(ShapesLexicon.SIZE);
        h.putArray("range").add(0.0).add(1.0);
        h.put("data", dataFile);
        h.put("sha256", sha256(data));
        try {
            byte[] json = MAPPER.writeValueAsBytes(h);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
    }

    /**
     * Reads a user's set of images of one concept.
     *
     * @param path a folder of 16 × 16 RGB PNG files, or the {@code .json} header of a
     *     {@value #FORMAT} file
     * @return the images, PNG files in name order
     * @throws LetheException (invalid input) naming the file and what is wrong: missing, empty,
     *     not a PNG, the wrong size or channel count, a bad header, a truncated data file, a value
     *     outside [0, 1]
     */
    public static ImageSet readConceptImages(Path path) {
        if (Files.isDirectory(path)) {
            return readPngFolder(path);
        }
        if (!Files.exists(path)) {
            throw LetheException.invalidInput(path + ": no such file or folder");
        }
        if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
            return readF32(path);
        }
        throw LetheException.invalidInput(path + ": expected a folder of 16×16 RGB PNG files or the .json header of a "
                + FORMAT + " file");
    }

    /**
     * @param folder a folder of PNG files
     * @return the images, in file name order
     * @throws LetheException (invalid input) naming the folder or the first bad file
     */
    public static ImageSet readPngFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw LetheException.invalidInput(folder + ": not a folder");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(folder)) {
            list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, folder + ": cannot list the folder: " + e, e);
        }
        if (files.isEmpty()) {
            throw LetheException.invalidInput(folder + ": no images (expected 16×16 RGB .png files)");
        }
        if (files.size() > MAX_IMAGES) {
            throw LetheException.invalidInput(folder + ": more than " + MAX_IMAGES + " files");
        }
        List<String> names = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (Path f : files) {
            if (!f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                throw LetheException.invalidInput(f + ": not a .png file (a concept image set is a folder of 16×16 RGB PNG files)");
            }
            pixels.add(readPng(f));
            names.add(f.getFileName().toString());
        }
        return new ImageSet(folder, names, pixels);
    }

    /**
     * Reads one PNG. Its size is read from the file's header before any pixel is decoded, so a
     * huge image is refused without being decoded.
     *
     * @param file a 16 × 16 RGB PNG file
     * @return its {@value ShapesLexicon#PIXELS} floats, CHW, in [0, 1] (8-bit values / 255)
     * @throws LetheException (invalid input) naming the file: missing, too big, not a PNG, the
     *     wrong size, the wrong channel count
     */
    public static float[] readPng(Path file) {
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(file + (Files.isDirectory(file) ? ": is a folder, not a PNG file" : ": no such file"));
        }
        try {
            long bytes = Files.size(file);
            if (bytes > MAX_PNG_BYTES) {
                throw LetheException.invalidInput(file + ": " + bytes + " bytes, more than the limit of " + MAX_PNG_BYTES
                        + " for a 16×16 image");
            }
            try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
                Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
                if (readers == null || !readers.hasNext()) {
                    throw LetheException.invalidInput(file + ": not a PNG image");
                }
                ImageReader reader = readers.next();
                try {
                    if (!reader.getFormatName().equalsIgnoreCase("png")) {
                        throw LetheException.invalidInput(file + ": a " + reader.getFormatName() + " image, expected PNG");
                    }
                    reader.setInput(in, true, true);
                    int width = reader.getWidth(0);
                    int height = reader.getHeight(0);
                    if (width != ShapesLexicon.SIZE || height != ShapesLexicon.SIZE) {
                        throw LetheException.invalidInput(file + ": image is " + width + "×" + height + " pixels, expected "
                                + ShapesLexicon.SIZE + "×" + ShapesLexicon.SIZE);
                    }
                    BufferedImage image = reader.read(0);
                    ColorModel cm = image.getColorModel();
                    int channels = cm.getNumComponents();
                    if (channels != ShapesLexicon.CHANNELS) {
                        throw LetheException.invalidInput(file + ": " + channels + " channel" + (channels == 1 ? "" : "s")
                                + " (" + describe(channels, cm.hasAlpha()) + "), expected 3 (RGB without alpha)");
                    }
                    return toPixels(image);
                } finally {
                    reader.dispose();
                }
            }
        } catch (LetheException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new LetheException(LetheException.INVALID_INPUT, file + ": not a readable PNG image: " + e.getMessage(), e);
        }
    }

    private static String describe(int channels, boolean alpha) {
        return switch (channels) {
            case 1 -> "grey";
            case 2 -> "grey with alpha";
            case 4 -> alpha ? "RGB with alpha" : "four colour channels";
            default -> channels + " components";
        };
    }

    private static float[] toPixels(BufferedImage image) {
        int n = ShapesLexicon.SIZE;
        float[] out = new float[ShapesLexicon.PIXELS];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int argb = image.getRGB(x, y);
                out[y * n + x] = ((argb >> 16) & 0xFF) / 255f;
                out[n * n + y * n + x] = ((argb >> 8) & 0xFF) / 255f;
                out[2 * n * n + y * n + x] = (argb & 0xFF) / 255f;
            }
        }
        return out;
    }

    /**
     * Encodes an image as an 8-bit RGB PNG (each value × 255, rounded), e.g. for a gallery or to
     * hand a concept image set to {@link #readConceptImages}.
     *
     * @param pixels {@value ShapesLexicon#PIXELS} floats, CHW, in [0, 1] (clamped)
     * @return the PNG's bytes
     */
    public static byte[] png(float[] pixels) {
        if (pixels.length != ShapesLexicon.PIXELS) {
            throw new IllegalArgumentException("an image has " + ShapesLexicon.PIXELS + " floats, not " + pixels.length);
        }
        int n = ShapesLexicon.SIZE;
        BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int r = byteOf(pixels[y * n + x]);
                int g = byteOf(pixels[n * n + y * n + x]);
                int b = byteOf(pixels[2 * n * n + y * n + x]);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static int byteOf(float v) {
        float c = v < 0f ? 0f : (v > 1f ? 1f : v);
        return Math.round(c * 255f);
    }

    /**
     * Reads a {@value #FORMAT} file through its header.
     *
     * @param header the {@code .json} header; its {@code data} file lies next to it
     * @return the images, named {@code <data file>[<index>]}
     * @throws LetheException (invalid input) naming the header and field, or the data file and
     *     what is wrong with it
     */
    public static ImageSet readF32(Path header) {
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
            throw field(header, "shape", "expected [N, 3, 16, 16], found " + shown(shape));
        }
        long[] dims = new long[4];
        for (int i = 0; i < 4; i++) {
            if (!shape.get(i).isIntegralNumber() || !shape.get(i).canConvertToLong()) {
                throw field(header, "shape", "element " + (i + 1) + " must be a whole number, found " + shape.get(i));
            }
            dims[i] = shape.get(i).asLong();
        }
        if (dims[1] != ShapesLexicon.CHANNELS) {
            throw field(header, "shape", dims[1] + " channels, expected " + ShapesLexicon.CHANNELS + " (RGB): " + shape);
        }
        if (dims[2] != ShapesLexicon.SIZE || dims[3] != ShapesLexicon.SIZE) {
            throw field(header, "shape", "images are " + dims[3] + "×" + dims[2] + ", expected " + ShapesLexicon.SIZE + "×"
                    + ShapesLexicon.SIZE + ": " + shape);
        }
        if (dims[0] < 1 || dims[0] > MAX_IMAGES) {
            throw field(header, "shape", "the image count must be from 1 to " + MAX_IMAGES + ", found " + dims[0]);
        }
        JsonNode dataNode = h.get("data");
        if (dataNode == null || !dataNode.isTextual()) {
            throw field(header, "data", "expected the data file's name, found " + shown(dataNode));
        }
        String dataName = dataNode.asText();
        if (dataName.isEmpty() || dataName.contains("/") || dataName.contains("\\") || dataName.equals(".")
                || dataName.equals("..") || !dataName.endsWith(".f32")) {
            throw field(header, "data", "must be a plain .f32 file name next to the header, found '" + dataName + "'");
        }
        Path data = header.toAbsolutePath().getParent().resolve(dataName);
        Path shownData = header.getParent() == null ? Path.of(dataName) : header.getParent().resolve(dataName);
        int count = (int) dims[0];
        long expected = (long) count * IMAGE_BYTES;
        byte[] bytes;
        try {
            if (!Files.isRegularFile(data)) {
                throw LetheException.invalidInput(shownData + ": no such file (named by " + header + ", field 'data')");
            }
            long size = Files.size(data);
            if (size != expected) {
                throw LetheException.invalidInput(shownData + ": " + (size < expected ? "truncated: " : "too long: ") + size
                        + " bytes, expected " + expected + " (" + count + " images of 3×16×16 float32, as " + header
                        + " says)");
            }
            bytes = Files.readAllBytes(data);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, shownData + ": cannot read: " + e, e);
        }
        if (bytes.length != expected) {
            throw LetheException.invalidInput(shownData + ": changed while being read (" + bytes.length + " bytes, expected "
                    + expected + ")");
        }
        JsonNode sha = h.get("sha256");
        if (sha != null && !sha.isNull()) {
            if (!sha.isTextual() || !sha.asText().matches("[0-9a-f]{64}")) {
                throw field(header, "sha256", "expected 64 lower-case hex digits, found " + shown(sha));
            }
            String actual = sha256(bytes);
            if (!actual.equals(sha.asText())) {
                throw LetheException.invalidInput(shownData + ": SHA-256 is " + actual + ", but " + header
                        + " (field 'sha256') says " + sha.asText());
            }
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> pixels = new ArrayList<>(count);
        List<String> names = new ArrayList<>(count);
        int n = ShapesLexicon.SIZE;
        for (int i = 0; i < count; i++) {
            float[] image = new float[ShapesLexicon.PIXELS];
            for (int p = 0; p < image.length; p++) {
                float v = buffer.getFloat();
                if (!(v >= 0f && v <= 1f)) {
                    throw LetheException.invalidInput(shownData + ": image " + i + " (channel " + p / (n * n) + ", row "
                            + (p / n) % n + ", column " + p % n + "): value " + v + " is not in [0, 1]");
                }
                image[p] = v;
            }
            pixels.add(image);
            names.add(dataName + "[" + i + "]");
        }
        return new ImageSet(header, names, pixels);
    }

    private static JsonNode readHeader(Path header) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(header)) {
                throw LetheException.invalidInput(header + (Files.isDirectory(header) ? ": is a folder, not a header file"
                        : ": no such file"));
            }
            long size = Files.size(header);
            if (size > MAX_HEADER_BYTES) {
                throw LetheException.invalidInput(header + ": " + size + " bytes, more than the header limit of "
                        + MAX_HEADER_BYTES);
            }
            bytes = Files.readAllBytes(header);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, header + ": cannot read: " + e, e);
        }
        JsonNode h;
        try {
            h = MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new LetheException(LetheException.INVALID_INPUT, header + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, header + ": cannot read: " + e, e);
        }
        if (h == null || !h.isObject()) {
            throw LetheException.invalidInput(header + ": expected a JSON object (an image header)");
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
     * @param mask 256 booleans, row-major
     * @return 64 lower-case hex digits: pixel i is bit {@code 3 - i % 4} of digit {@code i / 4}
     *     (the first pixel is the first digit's high bit)
     */
    public static String maskHex(boolean[] mask) {
        StringBuilder out = new StringBuilder(mask.length / 4);
        for (int i = 0; i < mask.length; i += 4) {
            int d = 0;
            for (int b = 0; b < 4; b++) {
                d = (d << 1) | (i + b < mask.length && mask[i + b] ? 1 : 0);
            }
            out.append(Character.forDigit(d, 16));
        }
        return out.toString();
    }

    /**
     * @param hex a mask written by {@link #maskHex}
     * @return the 256 booleans
     * @throws IllegalArgumentException when it is not 64 hex digits
     */
    public static boolean[] maskFromHex(String hex) {
        int n = ShapesLexicon.SIZE * ShapesLexicon.SIZE;
        if (hex.length() != n / 4) {
            throw new IllegalArgumentException("a mask is " + n / 4 + " hex digits, not " + hex.length());
        }
        boolean[] out = new boolean[n];
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("not a hex digit: '" + hex.charAt(i) + "'");
            }
            for (int b = 0; b < 4; b++) {
                out[i * 4 + b] = ((d >> (3 - b)) & 1) == 1;
            }
        }
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}

package org.lethe.method.sauce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;

/**
 * The autoencoder as a safetensors file, through DJL's own encoder and decoder
 * ({@code NDList.encode/decode} with {@code SAFETENSORS}); never a pickle. DJL's decoder trusts
 * the header (DESIGN §7), so {@link #read} checks it first: the header length fits the file and a
 * bound, the header is a JSON object, and every tensor's {@code data_offsets} lie inside the data
 * section with {@code end − begin} equal to its shape's element count × 4 (F32). Tensors come back
 * unordered and are looked up by name; their shapes must agree with each other.
 */
final class SaeFiles {

    /** The largest header accepted, in bytes (the autoencoder's is a few hundred). */
    static final int MAX_HEADER = 1 << 16;

    private static final Pattern ENTRY = Pattern.compile(
            "\"([^\"]+)\"\\s*:\\s*\\{([^{}]*)}");
    private static final Pattern SHAPE = Pattern.compile("\"shape\"\\s*:\\s*\\[([^\\]]*)]");
    private static final Pattern OFFSETS = Pattern.compile("\"data_offsets\"\\s*:\\s*\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");
    private static final Pattern DTYPE = Pattern.compile("\"dtype\"\\s*:\\s*\"([A-Z0-9]+)\"");

    private SaeFiles() {
    }

    /**
     * @param sae the autoencoder
     * @param manager scratch memory
     * @return the safetensors bytes
     */
    static byte[] write(Sae sae, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            sae.tensors(scope).encode(out, NDList.Encoding.SAFETENSORS);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param file the safetensors file
     * @param variant the variant the attachment names
     * @param k the attachment's k (topk)
     * @param manager scratch memory
     * @return the autoencoder
     * @throws IOException when the file cannot be read
     * @throws LetheException (invalid input) naming the file and the tensor or field that is wrong
     */
    static Sae read(Path file, Sae.Variant variant, int k, NDManager manager) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        checkHeader(file, bytes);
        try (NDManager scope = manager.newSubManager()) {
            NDList list;
            try {
                list = NDList.decode(scope, bytes);
            } catch (RuntimeException e) {
                throw LetheException.invalidInput(file + ": not a readable safetensors file (" + e.getMessage() + ")");
            }
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            NDArray encoder = tensor(file, byName, Sae.ENCODER, 2);
            NDArray latent = tensor(file, byName, Sae.LATENT_BIAS, 1);
            NDArray decoder = tensor(file, byName, Sae.DECODER, 2);
            NDArray pre = tensor(file, byName, Sae.PRE_BIAS, 1);
            int dictionary = (int) encoder.getShape().get(0);
            int width = (int) encoder.getShape().get(1);
            expect(file, Sae.LATENT_BIAS, latent.getShape(), new Shape(dictionary));
            expect(file, Sae.DECODER, decoder.getShape(), new Shape(width, dictionary));
            expect(file, Sae.PRE_BIAS, pre.getShape(), new Shape(width));
            if (variant == Sae.Variant.TOPK && (k < 1 || k > dictionary)) {
                throw LetheException.invalidInput(file + ": k " + k + " of the TopK autoencoder is larger than its"
                        + " dictionary of " + dictionary + " features (or below 1)");
            }
            return new Sae(variant, width, dictionary, k, encoder.toFloatArray(), latent.toFloatArray(),
                    decoder.transpose().toFloatArray(), pre.toFloatArray());
        }
    }

    private static NDArray tensor(Path file, Map<String, NDArray> byName, String name, int dimensions) {
        NDArray a = byName.get(name);
        if (a == null) {
            throw LetheException.invalidInput(file + ": no tensor '" + name + "' (it has " + byName.keySet() + ")");
        }
        if (a.getDataType() != DataType.FLOAT32) {
            throw LetheException.invalidInput(file + ": tensor '" + name + "' is " + a.getDataType() + ", not float32");
        }
        if (a.getShape().dimension() != dimensions) {
            throw LetheException.invalidInput(file + ": tensor '" + name + "' has shape " + a.getShape() + ", not "
                    + dimensions + " dimensions");
        }
        return a;
    }

    private static void expect(Path file, String name, Shape actual, Shape expected) {
        if (!actual.equals(expected)) {
            throw LetheException.invalidInput(file + ": tensor '" + name + "' has shape " + actual + ", expected "
                    + expected + " for the encoder's " + Sae.ENCODER);
        }
    }

    /** The checks in front of DJL's decoder. */
    static void checkHeader(Path file, byte[] bytes) {
        if (bytes.length < 10) {
            throw LetheException.invalidInput(file + ": " + bytes.length + " bytes is too short for a safetensors file");
        }
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (length < 2 || length > Math.min(bytes.length - 8L, MAX_HEADER)) {
            throw LetheException.invalidInput(file + ": safetensors header length " + Long.toUnsignedString(length)
                    + " does not fit the file of " + bytes.length + " bytes (at most " + MAX_HEADER + ")");
        }
        String header = new String(bytes, 8, (int) length, StandardCharsets.UTF_8).trim();
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw LetheException.invalidInput(file + ": the safetensors header is not a JSON object");
        }
        long data = bytes.length - 8L - length;
        Matcher entry = ENTRY.matcher(header);
        while (entry.find()) {
            String name = entry.group(1);
            if (name.equals("__metadata__")) {
                continue;
            }
            String body = entry.group(2);
            Matcher dtype = DTYPE.matcher(body);
            Matcher shape = SHAPE.matcher(body);
            Matcher offsets = OFFSETS.matcher(body);
            if (!dtype.find() || !shape.find() || !offsets.find()) {
                throw LetheException.invalidInput(file + ": tensor '" + name + "' lacks a dtype, shape or data_offsets");
            }
            if (!dtype.group(1).equals("F32")) {
                throw LetheException.invalidInput(file + ": tensor '" + name + "' is " + dtype.group(1) + ", not F32");
            }
            long elements = 1;
            for (String dim : shape.group(1).split(",")) {
                if (dim.isBlank()) {
                    continue;
                }
                long v;
                try {
                    v = Long.parseLong(dim.trim());
                } catch (NumberFormatException e) {
                    throw LetheException.invalidInput(file + ": tensor '" + name + "' has a shape entry '" + dim.trim()
                            + "' that is not a count");
                }
                if (v < 0 || (v > 0 && elements > data / v)) {
                    throw LetheException.invalidInput(file + ": tensor '" + name + "' has shape [" + shape.group(1)
                            + "], larger than the file's data");
                }
                elements *= v;
            }
            long begin;
            long end;
            try {
                begin = Long.parseLong(offsets.group(1));
                end = Long.parseLong(offsets.group(2));
            } catch (NumberFormatException e) {
                throw LetheException.invalidInput(file + ": tensor '" + name + "' has data_offsets out of range");
            }
            if (begin > end || end > data || end - begin != elements * 4) {
                throw LetheException.invalidInput(file + ": tensor '" + name + "' has data_offsets [" + begin + ", " + end
                        + "] that do not hold its " + elements + " float32 values inside the " + data + " data bytes");
            }
        }
    }
}

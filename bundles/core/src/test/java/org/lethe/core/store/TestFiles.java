package org.lethe.core.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-made model files: safetensors (the format, written from its specification), DJL, pickle, zips. */
final class TestFiles {

    private TestFiles() {
    }

    /** A safetensors file: the 8-byte little-endian length of {@code header}, the header, the data. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return withLength(json.length, json, data);
    }

    /** A file starting with an arbitrary 8-byte length field, then {@code rest...}. */
    static byte[] withLength(long length, byte[]... rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
        for (byte[] part : rest) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Builds a valid safetensors file tensor by tensor, with contiguous offsets. */
    static final class Builder {
        private final List<String> entries = new ArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        Builder tensor(String name, String dtype, long[] shape, byte[] bytes) {
            long begin = data.size();
            data.writeBytes(bytes);
            StringBuilder dims = new StringBuilder();
            for (long d : shape) {
                dims.append(dims.length() == 0 ? "" : ",").append(d);
            }
            entries.add("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + dims + "],\"data_offsets\":["
                    + begin + "," + data.size() + "]}");
            return this;
        }

        Builder f32(String name, long[] shape, float... values) {
            ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                buffer.putFloat(v);
            }
            return tensor(name, "F32", shape, buffer.array());
        }

        Builder i64(String name, long[] shape, long... values) {
            ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                buffer.putLong(v);
            }
            return tensor(name, "I64", shape, buffer.array());
        }

        String header() {
            List<String> all = new ArrayList<>();
            if (!metadata.isEmpty()) {
                List<String> pairs = new ArrayList<>();
                metadata.forEach((k, v) -> pairs.add("\"" + k + "\":\"" + v + "\""));
                all.add("\"__metadata__\":{" + String.join(",", pairs) + "}");
            }
            all.addAll(entries);
            return "{" + String.join(",", all) + "}";
        }

        byte[] build() {
            return safetensors(header(), data.toByteArray());
        }
    }

    /** A small valid file: F32 [2,2], I64 [3], with metadata. */
    static byte[] validSafetensors() {
        return new Builder()
                .metadata("format", "pt")
                .f32("layer.weight", new long[] {2, 2}, 1f, 2f, 3f, 4f)
                .i64("layer.index", new long[] {3}, 7, 8, 9)
                .build();
    }

    /** A valid file whose content depends on {@code seed}. */
    static byte[] validSafetensors(float seed) {
        return new Builder().f32("w", new long[] {4}, seed, seed + 1, seed + 2, seed + 3).build();
    }

    /** A benign binary pickle (protocol 4): the dict {'a': 1}. */
    static byte[] pickle() {
        return new byte[] {(byte) 0x80, 0x04, (byte) 0x95, 0x0a, 0, 0, 0, 0, 0, 0, 0, '}', (byte) 0x94, (byte) 0x8c,
                0x01, 'a', (byte) 0x94, 'K', 0x01, 's', '.'};
    }

    /** A zip archive with the given entries. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** What {@code torch.save} writes since PyTorch 1.6: a zip with {@code <name>/data.pkl}. */
    static byte[] pytorchCheckpoint() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model/data.pkl", pickle());
        entries.put("model/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        entries.put("model/data/0", new byte[16]);
        entries.put("model/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(entries);
    }

    /** What {@code torch.jit.save} writes: a zip with {@code code/} and {@code constants.pkl}. */
    static byte[] torchScript() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model/data.pkl", pickle());
        entries.put("model/code/__torch__/Net.py", "def forward(self, x):\n  return x\n".getBytes(StandardCharsets.UTF_8));
        entries.put("model/constants.pkl", pickle());
        entries.put("model/data/0", new byte[16]);
        entries.put("model/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(entries);
    }

    /** The start of what {@code ai.djl.BaseModel.save} writes: {@code DJL@}, version 1, the model name. */
    static byte[] djlParams() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBytes("DJL@");
            out.writeInt(1);
            out.writeUTF("mlp");
            out.writeUTF("float32");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The start of what {@code NDList.encode} writes in DJL's own encoding: a count, then "NDAR". */
    static byte[] djlNdList() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(1);
            out.writeUTF("NDAR");
            out.writeInt(3);
            out.write(new byte[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes bytes to {@code dir/name}, creating folders. */
    static Path write(Path dir, String name, byte[] bytes) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

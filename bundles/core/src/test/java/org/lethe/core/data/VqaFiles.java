package org.lethe.core.data;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small visual question sets for tests: a question file {@code <stem>.jsonl} and its labelled
 * image set ({@code <stem>.images.jsonl}, {@code .json}, {@code .f32}) of two 3×2×2 images,
 * {@code img0} (red circle) and {@code img1} (blue triangle).
 */
public final class VqaFiles {

    /** A template question about img0's colour. */
    public static final String RED = "{\"id\":\"q1\",\"image\":\"img0\",\"question\":\"what color is the object\","
            + "\"answer\":\"red\",\"attribute\":\"colour\",\"form\":\"template\"}";

    /** A yes/no question about img1's shape, with a field the reader ignores. */
    public static final String IS_SQUARE = "{\"id\":\"q2\",\"image\":\"img1\",\"question\":\"is it a square\","
            + "\"answer\":\"no\",\"attribute\":\"shape\",\"form\":\"yes-no\",\"note\":\"ignored\"}";

    private VqaFiles() {
    }

    /**
     * Writes the image set of {@code <stem>.jsonl}.
     *
     * @param dir the folder
     * @param stem the question file's name without {@code .jsonl}
     * @param first the first pixel value of img1 (in [0, 1])
     */
    public static void images(Path dir, String stem, float first) {
        float[] values = new float[2 * 12];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 12) / 12f;
        }
        values[12] = first;
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        byte[] pixels = b.array();
        String images = stem + ".images";
        try {
            Files.write(dir.resolve(images + ".f32"), pixels);
            Files.writeString(dir.resolve(images + ".json"), "{\"format\":\"lethe-images\",\"version\":1,\"dtype\":\"float32\","
                    + "\"byte_order\":\"little\",\"layout\":\"NCHW\",\"shape\":[2,3,2,2],\"range\":[0.0,1.0],\"data\":\""
                    + images + ".f32\",\"sha256\":\"" + Hashing.sha256().hashBytes(pixels) + "\"}\n");
            Files.writeString(dir.resolve(images + ".jsonl"),
                    "{\"id\":\"img0\",\"labels\":{\"colour\":\"red\",\"shape\":\"circle\"}}\n"
                            + "{\"id\":\"img1\",\"labels\":{\"colour\":\"blue\",\"shape\":\"triangle\"}}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a question file and its image set.
     *
     * @param dir the folder
     * @param stem the question file's name without {@code .jsonl}
     * @param lines its lines
     * @return the question file
     */
    public static Path write(Path dir, String stem, String... lines) {
        images(dir, stem, 0.5f);
        try {
            return Files.writeString(dir.resolve(stem + ".jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

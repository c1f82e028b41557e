package org.lethe.report.render;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A minimal PNG encoder for the report's sample images (8-bit RGB, no interlace, filter 0), so the
 * report bundle needs neither {@code javax.imageio} nor AWT inside the container.
 */
public final class Png {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private Png() {
    }

    /**
     * @param chw the image as floats in [0, 1] (values outside are clipped), channel-major: 3 planes
     *     of {@code height × width}
     * @param height rows
     * @param width columns
     * @return the PNG file's bytes
     * @throws IllegalArgumentException when the array does not hold 3 × height × width values
     */
    public static byte[] rgb(float[] chw, int height, int width) {
        if (height < 1 || width < 1 || chw.length != 3 * height * width) {
            throw new IllegalArgumentException("an RGB image of " + height + "×" + width + " needs " + 3 * height * width
                    + " values, not " + chw.length);
        }
        int plane = height * width;
        byte[] raw = new byte[height * (1 + 3 * width)];
        int o = 0;
        for (int y = 0; y < height; y++) {
            raw[o++] = 0; // filter: none
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = chw[c * plane + y * width + x];
                    raw[o++] = (byte) Math.round(255f * (v < 0f ? 0f : (v > 1f ? 1f : v)));
                }
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(SIGNATURE);
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(header);
            h.writeInt(width);
            h.writeInt(height);
            h.writeByte(8); // bit depth
            h.writeByte(2); // colour type: RGB
            h.writeByte(0); // compression: deflate
            h.writeByte(0); // filter method
            h.writeByte(0); // no interlace
            chunk(out, "IHDR", header.toByteArray());
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(compressed, new Deflater(Deflater.BEST_COMPRESSION))) {
                z.write(raw);
            }
            chunk(out, "IDAT", compressed.toByteArray());
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(name);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}

package org.lethe.api.data;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A real image with what it shows, one image of a labelled image set ({@link DataService#readImages}):
 * e.g. the images of an erased concept that the text-to-image recovery probes fine-tune or invert on
 * (research/methods-gen.md §8). Immutable: the pixels are copied in and out.
 *
 * @param id a stable id, unique in its set (the label line's {@code id})
 * @param labels what the image shows, attribute → value (e.g. {@code colour → red}), as a
 *     {@link Prompt}'s labels; may be empty
 * @param channels the colour channels (3 for RGB)
 * @param height the height in pixels
 * @param width the width in pixels
 * @param pixels channels × height × width values in [0, 1], channel-major (CHW), row by row
 * @since 1.2
 */
public record LabelledImage(String id, Map<String, String> labels, int channels, int height, int width, float[] pixels) {

    /** Rejects missing fields, sizes that do not match the pixels, and values outside [0, 1]; copies. */
    public LabelledImage {
        Objects.requireNonNull(id, "id");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(pixels, "pixels");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image " + id + ": sizes must be positive, not " + channels + "×" + height
                    + "×" + width);
        }
        if (pixels.length != (long) channels * height * width) {
            throw new IllegalArgumentException("image " + id + ": " + pixels.length + " values for " + channels + "×"
                    + height + "×" + width);
        }
        pixels = pixels.clone();
        for (int i = 0; i < pixels.length; i++) {
            if (!(pixels[i] >= 0f && pixels[i] <= 1f)) {
                throw new IllegalArgumentException("image " + id + ": value " + pixels[i] + " at " + i + " is not in [0, 1]");
            }
        }
    }

    /** @return a copy of the pixels, CHW, in [0, 1] */
    @Override
    public float[] pixels() {
        return pixels.clone();
    }

    /**
     * @param other another object
     * @return whether it is an image with the same id, labels, sizes and pixel values
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof LabelledImage o && id.equals(o.id) && labels.equals(o.labels) && channels == o.channels
                && height == o.height && width == o.width && Arrays.equals(pixels, o.pixels);
    }

    /** @return a hash of the same fields as {@link #equals} */
    @Override
    public int hashCode() {
        return Objects.hash(id, labels, channels, height, width) * 31 + Arrays.hashCode(pixels);
    }

    /** @return the id, labels and sizes (not the pixels) */
    @Override
    public String toString() {
        return "LabelledImage[" + id + ", " + labels + ", " + channels + "×" + height + "×" + width + "]";
    }
}

package org.lethe.worlds.shapes;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One rendered image with its ground truth. Immutable: the arrays are copied in and out.
 *
 * <p>Pixels are {@value ShapesLexicon#PIXELS} floats in [0, 1], channel-major (CHW): the value of
 * channel {@code c} at row {@code y}, column {@code x} is {@code pixels[c * 256 + y * 16 + x]}. The
 * mask is the object's silhouette, row-major (256 booleans, true where at least half of the pixel is
 * covered by the object); it is empty for an image without an object.
 */
public final class ShapesImage {

    /** What an image shows. */
    public enum Kind {
        /** A coloured shape on a textured background. */
        OBJECT("object"),
        /** The textured background alone (the classifier's "no object" class). */
        BACKGROUND("background"),
        /** Uniform noise in [0, 1] (the classifier's "no object" class). */
        NOISE("noise");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** @return the name used in files */
        public String label() {
            return label;
        }
    }

    private final String id;
    private final Kind kind;
    private final Optional<String> colour;
    private final Optional<String> shape;
    private final Optional<String> texture;
    private final Optional<String> context;
    private final Optional<String> material;
    private final long seed;
    private final float centreX;
    private final float centreY;
    private final float radius;
    private final float[] rgb;
    private final float[] pixels;
    private final boolean[] mask;

    /**
     * An image without a material (the {@code shapes} world's images).
     *
     * @param id the image's id, unique in its split
     * @param kind what it shows
     * @param colour the object's colour (empty without an object)
     * @param shape the object's shape (empty without an object)
     * @param texture the background's texture (empty for noise)
     * @param context the layout word it was drawn for, if any
     * @param seed the render seed: {@link ShapesGenerator#render} with it and the labels draws the same pixels
     * @param centreX the object's centre, x in pixels (0 to 16; NaN without an object)
     * @param centreY the object's centre, y in pixels (NaN without an object)
     * @param radius the object's radius in pixels (NaN without an object)
     * @param rgb the object's colour as drawn, after jitter and before noise (empty without an object)
     * @param pixels {@value ShapesLexicon#PIXELS} floats, CHW
     * @param mask 256 booleans, row-major
     */
    public ShapesImage(String id, Kind kind, Optional<String> colour, Optional<String> shape, Optional<String> texture,
            Optional<String> context, long seed, float centreX, float centreY, float radius, float[] rgb,
            float[] pixels, boolean[] mask) {
        this(id, kind, colour, shape, texture, Optional.empty(), context, seed, centreX, centreY, radius, rgb, pixels,
                mask);
    }

    /**
     * @param id the image's id, unique in its split
     * @param kind what it shows
     * @param colour the object's colour (empty without an object)
     * @param shape the object's shape (empty without an object)
     * @param texture the background's texture (empty for noise)
     * @param material the object's material ({@link ShapesLexicon#MATERIALS}), shown as shading; empty for
     *     the flat colour of the {@code shapes} world
     * @param context the layout word it was drawn for, if any
     * @param seed the render seed: {@link ShapesGenerator#render} with it and the labels draws the same pixels
     * @param centreX the object's centre, x in pixels (0 to 16; NaN without an object)
     * @param centreY the object's centre, y in pixels (NaN without an object)
     * @param radius the object's radius in pixels (NaN without an object)
     * @param rgb the object's colour as drawn, after jitter and before noise and shading (empty without an object)
     * @param pixels {@value ShapesLexicon#PIXELS} floats, CHW
     * @param mask 256 booleans, row-major
     */
    public ShapesImage(String id, Kind kind, Optional<String> colour, Optional<String> shape, Optional<String> texture,
            Optional<String> material, Optional<String> context, long seed, float centreX, float centreY, float radius,
            float[] rgb, float[] pixels, boolean[] mask) {
        this.id = Objects.requireNonNull(id, "id");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.colour = Objects.requireNonNull(colour, "colour");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.texture = Objects.requireNonNull(texture, "texture");
        this.context = Objects.requireNonNull(context, "context");
        this.material = Objects.requireNonNull(material, "material");
        this.seed = seed;
        this.centreX = centreX;
        this.centreY = centreY;
        this.radius = radius;
        this.rgb = rgb.clone();
        if (pixels.length != ShapesLexicon.PIXELS) {
            throw new IllegalArgumentException("an image has " + ShapesLexicon.PIXELS + " floats, not " + pixels.length);
        }
        if (mask.length != ShapesLexicon.SIZE * ShapesLexicon.SIZE) {
            throw new IllegalArgumentException("a mask has 256 pixels, not " + mask.length);
        }
        this.pixels = pixels.clone();
        this.mask = mask.clone();
    }

    /** @return the id, unique in its split */
    public String id() {
        return id;
    }

    /** @return what the image shows */
    public Kind kind() {
        return kind;
    }

    /** @return the object's colour; empty without an object */
    public Optional<String> colour() {
        return colour;
    }

    /** @return the object's shape; empty without an object */
    public Optional<String> shape() {
        return shape;
    }

    /** @return the background's texture; empty for noise */
    public Optional<String> texture() {
        return texture;
    }

    /** @return the object's material, shown as shading; empty for the flat colour of the {@code shapes} world */
    public Optional<String> material() {
        return material;
    }

    /** @return the context word the layout was drawn for, if any */
    public Optional<String> context() {
        return context;
    }

    /** @return the render seed */
    public long seed() {
        return seed;
    }

    /** @return the object's centre x in pixels (NaN without an object) */
    public float centreX() {
        return centreX;
    }

    /** @return the object's centre y in pixels (NaN without an object) */
    public float centreY() {
        return centreY;
    }

    /** @return the object's radius in pixels (NaN without an object) */
    public float radius() {
        return radius;
    }

    /** @return the object's drawn RGB colour (a copy; empty without an object) */
    public float[] rgb() {
        return rgb.clone();
    }

    /** @return the pixels, CHW (a copy) */
    public float[] pixels() {
        return pixels.clone();
    }

    /**
     * @param c channel (0 red, 1 green, 2 blue)
     * @param y row
     * @param x column
     * @return that pixel's value
     */
    public float pixel(int c, int y, int x) {
        return pixels[c * ShapesLexicon.SIZE * ShapesLexicon.SIZE + y * ShapesLexicon.SIZE + x];
    }

    /** @return the silhouette, row-major (a copy) */
    public boolean[] mask() {
        return mask.clone();
    }

    /** @return how many pixels the silhouette covers */
    public int maskArea() {
        int n = 0;
        for (boolean b : mask) {
            if (b) {
                n++;
            }
        }
        return n;
    }

    /**
     * @return the silhouette's centroid {x, y} in pixel coordinates (pixel centres at +0.5), or
     *     {NaN, NaN} for an empty mask
     */
    public double[] maskCentroid() {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                sx += i % ShapesLexicon.SIZE + 0.5;
                sy += i / ShapesLexicon.SIZE + 0.5;
                n++;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {sx / n, sy / n};
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ShapesImage s)) {
            return false;
        }
        return seed == s.seed && Float.compare(centreX, s.centreX) == 0 && Float.compare(centreY, s.centreY) == 0
                && Float.compare(radius, s.radius) == 0 && id.equals(s.id) && kind == s.kind
                && colour.equals(s.colour) && shape.equals(s.shape) && texture.equals(s.texture)
                && material.equals(s.material)
                && context.equals(s.context) && Arrays.equals(rgb, s.rgb) && Arrays.equals(pixels, s.pixels)
                && Arrays.equals(mask, s.mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, kind, seed, Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return id + " " + kind.label() + " " + colour.orElse("-") + " " + shape.orElse("-") + " "
                + texture.orElse("-") + material.map(m -> " " + m).orElse("") + context.map(c -> " (" + c + ")").orElse("")
                + " seed " + seed;
    }
}

package org.lethe.worlds.shapes;

/** The three attributes of a shapes image, each a set of concepts. */
public enum Attribute {
    /** The object's colour: red, green, blue, yellow, purple, orange. */
    COLOUR("colour"),
    /** The object's outline: circle, square, triangle, cross. */
    SHAPE("shape"),
    /** The background's pattern ("style" in the research): plain, stripes, dots. */
    TEXTURE("texture");

    private final String label;

    Attribute(String label) {
        this.label = label;
    }

    /** @return the name used in files ({@code colour}, {@code shape}, {@code texture}) */
    public String label() {
        return label;
    }
}

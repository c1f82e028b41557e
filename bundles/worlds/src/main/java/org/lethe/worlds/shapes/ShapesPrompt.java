package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A prompt with its ground truth: {@code [context] <colour word> <shape word> on <texture word>},
 * e.g. {@code small crimson ball on stripes}. Each attribute is named by its concept's name or one
 * of its aliases; the labels give the concepts meant.
 *
 * @param id unique in its split
 * @param colour the colour concept meant
 * @param shape the shape concept meant
 * @param texture the texture concept meant
 * @param colourWord the word naming the colour (the name or an alias)
 * @param shapeWord the word naming the shape
 * @param textureWord the word naming the texture
 * @param context the context word, if any (it changes the layout only)
 * @param concept for an evaluation prompt, the concept it evaluates
 * @param image for a training pair, the row of its image in the {@code train} image split
 * @param seed for an evaluation prompt, the sampler seed (start noise) to generate it with; row k of
 *     every evaluation and preserve split of a world has the same seed
 */
public record ShapesPrompt(String id, String colour, String shape, String texture, String colourWord,
        String shapeWord, String textureWord, Optional<String> context, Optional<String> concept,
        OptionalInt image, OptionalLong seed) {

    /** Rejects nulls. */
    public ShapesPrompt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(texture, "texture");
        Objects.requireNonNull(colourWord, "colourWord");
        Objects.requireNonNull(shapeWord, "shapeWord");
        Objects.requireNonNull(textureWord, "textureWord");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(concept, "concept");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(seed, "seed");
    }

    /** @return the prompt's words in order */
    public List<String> tokens() {
        List<String> out = new ArrayList<>(5);
        context.ifPresent(out::add);
        out.add(colourWord);
        out.add(shapeWord);
        out.add(ShapesLexicon.FILLER);
        out.add(textureWord);
        return List.copyOf(out);
    }

    /** @return the prompt's text: its words separated by single spaces */
    public String text() {
        return String.join(" ", tokens());
    }

    /**
     * @param attribute an attribute
     * @return the concept meant for it
     */
    public String value(Attribute attribute) {
        return switch (attribute) {
            case COLOUR -> colour;
            case SHAPE -> shape;
            case TEXTURE -> texture;
        };
    }

    /**
     * @param attribute an attribute
     * @return the word that names it in the prompt
     */
    public String word(Attribute attribute) {
        return switch (attribute) {
            case COLOUR -> colourWord;
            case SHAPE -> shapeWord;
            case TEXTURE -> textureWord;
        };
    }
}

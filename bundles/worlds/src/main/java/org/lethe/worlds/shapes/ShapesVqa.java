package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.lethe.api.data.Concept;

/**
 * The questions of the {@code shapes-vqa} world (research/methods-gen.md §7): the four attributes
 * asked about, their values, the answer vocabulary, and per attribute the training templates, the
 * held-out paraphrases (never trained on) and the yes/no forms. Fixed: nothing here depends on a
 * seed.
 *
 * <p>Each attribute has its own key words, which its questions always contain and no other
 * attribute's question does: colour {@code color colour hue}, shape {@code shape figure form},
 * texture {@code texture pattern background}, material {@code material finish surface}. A
 * paraphrase puts a key word into a sentence frame no template has, and may use words no template
 * has (the model reads those as {@code <unk>}); its answer is what the template's would be.
 */
public final class ShapesVqa {

    /** The attributes asked about, in file order (image label keys). */
    public static final List<String> ATTRIBUTES = List.of("colour", "shape", "texture", "material");

    /** The answer vocabulary in logit order: the colours, shapes, textures, materials, then yes and no. */
    public static final List<String> ANSWERS;

    /** The answer of a true yes/no question. */
    public static final String YES = "yes";

    /** The answer of a false yes/no question. */
    public static final String NO = "no";

    /** Where a yes/no form puts the value it asks about. */
    public static final String VALUE = "{value}";

    /** The most words a question has (the model's question length). */
    public static final int MAX_WORDS = 8;

    /** Each attribute's key words: its questions always hold one, no other attribute's question does. */
    public static final Map<String, List<String>> KEY_WORDS = Map.of(
            "colour", List.of("color", "colour", "hue"),
            "shape", List.of("shape", "figure", "form"),
            "texture", List.of("texture", "pattern", "background"),
            "material", List.of("material", "finish", "surface"));

    /** The training templates per attribute. */
    public static final Map<String, List<String>> TEMPLATES = Map.of(
            "colour", List.of("what color is the object", "which hue does the object have", "what is the colour of it"),
            "shape", List.of("what shape is shown", "which figure is drawn", "what is the form of the object"),
            "texture", List.of("what texture is the background", "which pattern is in the background",
                    "what is the texture behind the object"),
            "material", List.of("what material is the object", "which finish does the object have",
                    "what is the surface of it"));

    /** The held-out paraphrases per attribute: never trained on. */
    public static final Map<String, List<String>> PARAPHRASES = Map.of(
            "colour", List.of("the object has which color", "tell me the hue of the thing", "name the colour"),
            "shape", List.of("the object has which shape", "tell me the figure of the thing", "name the form"),
            "texture", List.of("the background has which pattern", "tell me the texture of the backdrop",
                    "name the background"),
            "material", List.of("the object has which finish", "tell me the material of the thing",
                    "name the surface"));

    /** The yes/no forms per attribute, {@value #VALUE} standing for the value asked about. */
    public static final Map<String, List<String>> YES_NO = Map.of(
            "colour", List.of("is the object " + VALUE, "is it " + VALUE + " in color"),
            "shape", List.of("is the object a " + VALUE, "is the shape a " + VALUE),
            "texture", List.of("is the background " + VALUE, "is the pattern " + VALUE),
            "material", List.of("is the object " + VALUE, "is its finish " + VALUE));

    static {
        List<String> answers = new ArrayList<>();
        for (String attribute : ATTRIBUTES) {
            answers.addAll(values(attribute));
        }
        answers.add(YES);
        answers.add(NO);
        ANSWERS = List.copyOf(answers);
    }

    private ShapesVqa() {
    }

    /**
     * @param attribute one of {@link #ATTRIBUTES}
     * @return its values, in file order
     * @throws IllegalArgumentException naming the attributes
     */
    public static List<String> values(String attribute) {
        return switch (attribute) {
            case "colour" -> ShapesLexicon.COLOURS.stream().map(ShapesConcept::name).toList();
            case "shape" -> ShapesLexicon.SHAPES.stream().map(ShapesConcept::name).toList();
            case "texture" -> ShapesLexicon.TEXTURES.stream().map(ShapesConcept::name).toList();
            case "material" -> ShapesLexicon.MATERIALS;
            default -> throw new IllegalArgumentException("unknown attribute '" + attribute + "'; the attributes are "
                    + ATTRIBUTES);
        };
    }

    /**
     * @param attribute an attribute
     * @param value one of its values
     * @param form which yes/no form ({@code 0 ..} size − 1 of {@link #YES_NO}'s list)
     * @return the yes/no question asking whether the image's attribute has that value
     */
    public static String yesNo(String attribute, String value, int form) {
        return YES_NO.get(attribute).get(form).replace(VALUE, value);
    }

    /**
     * @return the words of every training question (templates and yes/no forms with every value), in
     *     first-appearance order: the model's question vocabulary. Words only the paraphrases use are
     *     not in it.
     */
    public static List<String> vocabulary() {
        Set<String> words = new LinkedHashSet<>();
        for (String attribute : ATTRIBUTES) {
            for (String t : TEMPLATES.get(attribute)) {
                words.addAll(words(t));
            }
            for (int f = 0; f < YES_NO.get(attribute).size(); f++) {
                for (String v : values(attribute)) {
                    words.addAll(words(yesNo(attribute, v, f)));
                }
            }
        }
        return List.copyOf(words);
    }

    /**
     * @return the words a training question may not lose to word dropout: every attribute's key
     *     words and every value
     */
    public static Set<String> protectedWords() {
        Set<String> out = new LinkedHashSet<>();
        for (String attribute : ATTRIBUTES) {
            out.addAll(KEY_WORDS.get(attribute));
            out.addAll(values(attribute));
        }
        return out;
    }

    /** @return the 16 concepts (name, attribute), colours, shapes, textures, materials */
    public static List<Concept> concepts() {
        List<Concept> out = new ArrayList<>();
        for (String attribute : ATTRIBUTES) {
            for (String v : values(attribute)) {
                out.add(new Concept(v, java.util.Optional.of(attribute), List.of()));
            }
        }
        return out;
    }

    /**
     * @param question a question
     * @return its words, lower-cased, split at white space
     */
    public static List<String> words(String question) {
        return List.of(question.toLowerCase(Locale.ROOT).trim().split("\\s+"));
    }
}

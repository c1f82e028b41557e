package org.lethe.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.lethe.api.data.Concept;
import org.lethe.api.data.Document;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;

/**
 * The field-level rules of the JSONL contract (DESIGN §4), one place for reading and writing:
 * extracting typed values from a parsed line (type errors), checking values (blank strings,
 * broken Unicode) and turning an item back into a JSON object with the same field names.
 *
 * <p>Rules: required strings must be present; every known string field and list element, when
 * present, must be a string that is not blank and is valid Unicode; values are kept exactly as
 * written (no trimming); {@code null} for an optional field means absent; unknown fields are ignored.
 */
final class ItemCodec {

    /** The field {@code id}. */
    static final String ID = "id";
    /** The field {@code question}. */
    static final String QUESTION = "question";
    /** The field {@code answer}. */
    static final String ANSWER = "answer";
    /** The field {@code entity}. */
    static final String ENTITY = "entity";
    /** The field {@code relation}. */
    static final String RELATION = "relation";
    /** The field {@code paraphrases}. */
    static final String PARAPHRASES = "paraphrases";
    /** The field {@code perturbed}. */
    static final String PERTURBED = "perturbed";
    /** The field {@code template_answer}. */
    static final String TEMPLATE_ANSWER = "template_answer";
    /** The field {@code text}. */
    static final String TEXT = "text";
    /** The field {@code name}. */
    static final String NAME = "name";
    /** The field {@code attribute}. */
    static final String ATTRIBUTE = "attribute";
    /** The field {@code aliases}. */
    static final String ALIASES = "aliases";
    /** The field {@code prompt}. */
    static final String PROMPT = "prompt";
    /** The field {@code labels}. */
    static final String LABELS = "labels";
    /** The field {@code seed}. */
    static final String SEED = "seed";
    /** Field of a visual question: {@value}. */
    static final String IMAGE = "image";
    /** Field of a visual question: {@value}. */
    static final String FORM = "form";

    /** How many of a line's field names a "missing field" message lists. */
    private static final int FIELDS_SHOWN = 8;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ItemCodec() {
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * @param o the line's object
     * @param line its 1-based line number (the default id is {@code L<line>})
     * @param w where, for errors
     * @return the item, checked
     */
    static QaItem qa(ObjectNode o, long line, Where w) {
        QaItem item = new QaItem(id(o, line, w), required(o, QUESTION, w), required(o, ANSWER, w),
                optional(o, ENTITY, w), optional(o, RELATION, w), strings(o, PARAPHRASES, w),
                strings(o, PERTURBED, w), optional(o, TEMPLATE_ANSWER, w));
        check(item, w);
        return item;
    }

    /**
     * @param o the line's object
     * @param line its 1-based line number (the default id is {@code L<line>})
     * @param w where, for errors
     * @return the document, checked
     */
    static Document document(ObjectNode o, long line, Where w) {
        Document doc = new Document(id(o, line, w), required(o, TEXT, w));
        check(doc, w);
        return doc;
    }

    /**
     * @param o the line's object
     * @param line its 1-based line number (unused: concepts have no id)
     * @param w where, for errors
     * @return the concept, checked
     */
    static Concept concept(ObjectNode o, long line, Where w) {
        Concept concept = new Concept(required(o, NAME, w), optional(o, ATTRIBUTE, w), strings(o, ALIASES, w));
        check(concept, w);
        return concept;
    }

    /**
     * @param o the line's object
     * @param line its 1-based line number (the default id is {@code L<line>})
     * @param w where, for errors
     * @return the prompt, checked
     */
    static Prompt prompt(ObjectNode o, long line, Where w) {
        Prompt prompt = new Prompt(id(o, line, w), required(o, PROMPT, w), labels(o, w), seed(o, w));
        check(prompt, w);
        return prompt;
    }

    /**
     * One line of an image label file.
     *
     * @param id the image's id
     * @param labels what it shows
     */
    record ImageLabel(String id, Map<String, String> labels) {
    }

    /**
     * @param o the line's object
     * @param line its 1-based line number
     * @param w where, for errors
     * @return the image's label: {@code id} required (an image set's ids name its images), {@code labels}
     *     as a prompt's, other fields ignored
     */
    static ImageLabel imageLabel(ObjectNode o, long line, Where w) {
        String id = required(o, ID, w);
        Map<String, String> labels = labels(o, w);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String problem = problem(e.getValue());
            if (problem != null) {
                throw w.field(LABELS, "label " + Where.quote(e.getKey()) + ": " + problem);
            }
        }
        return new ImageLabel(id, labels);
    }

    /**
     * One line of a visual question file, before its image is looked up in the image set beside it.
     *
     * @param id the question's id
     * @param image the id of its image
     * @param question the question
     * @param answer the answer
     * @param attribute the attribute it asks about
     * @param form its phrasing ({@code template}, {@code paraphrase}, {@code yes-no})
     */
    record VqaLine(String id, String image, String question, String answer, String attribute, String form) {
    }

    /**
     * @param o the line's object
     * @param line its 1-based line number
     * @param w where, for errors
     * @return the question line: {@code id}, {@code image}, {@code question}, {@code answer},
     *     {@code attribute} and {@code form} required, other fields ignored
     */
    static VqaLine vqaLine(ObjectNode o, long line, Where w) {
        VqaLine vqa = new VqaLine(required(o, ID, w), required(o, IMAGE, w), required(o, QUESTION, w),
                required(o, ANSWER, w), required(o, ATTRIBUTE, w), required(o, FORM, w));
        check(vqa, w);
        return vqa;
    }

    /**
     * @param vqa a question line
     * @param w where, for errors
     */
    static void check(VqaLine vqa, Where w) {
        text(ID, vqa.id(), w);
        text(IMAGE, vqa.image(), w);
        text(QUESTION, vqa.question(), w);
        text(ANSWER, vqa.answer(), w);
        text(ATTRIBUTE, vqa.attribute(), w);
        text(FORM, vqa.form(), w);
        if (!List.of(org.lethe.api.data.VqaItem.TEMPLATE, org.lethe.api.data.VqaItem.PARAPHRASE,
                org.lethe.api.data.VqaItem.YES_NO).contains(vqa.form())) {
            throw w.field(FORM, "must be one of template, paraphrase, yes-no, found " + Where.quote(vqa.form()));
        }
    }

    /**
     * @param vqa a question line
     * @return its JSON object (what {@link #vqaLine} reads)
     */
    static ObjectNode json(VqaLine vqa) {
        ObjectNode o = NODES.objectNode();
        o.put(ID, vqa.id());
        o.put(IMAGE, vqa.image());
        o.put(QUESTION, vqa.question());
        o.put(ANSWER, vqa.answer());
        o.put(ATTRIBUTE, vqa.attribute());
        o.put(FORM, vqa.form());
        return o;
    }

    /** An object of strings, in file order; absent or null means none. */
    private static Map<String, String> labels(ObjectNode o, Where w) {
        JsonNode v = o.get(LABELS);
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw w.field(LABELS, "must be an object of strings (attribute → value), found " + describe(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (!e.getValue().isTextual()) {
                throw w.field(LABELS, "label " + Where.quote(e.getKey()) + " must be a string, found "
                        + describe(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** A non-negative integer that fits a long; absent or null means none. */
    private static OptionalLong seed(ObjectNode o, Where w) {
        JsonNode v = o.get(SEED);
        if (v == null || v.isNull()) {
            return OptionalLong.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw w.field(SEED, "must be a whole number that fits 64 bits, found " + describe(v)
                    + (v.isTextual() ? " (remove the quotes)" : ""));
        }
        if (v.longValue() < 0) {
            throw w.field(SEED, "must not be negative, found " + v.longValue());
        }
        return OptionalLong.of(v.longValue());
    }

    private static String id(ObjectNode o, long line, Where w) {
        JsonNode v = o.get(ID);
        if (v == null || v.isNull()) {
            return "L" + line;
        }
        if (!v.isTextual()) {
            throw w.field(ID, "must be a string, found " + describe(v) + (v.isNumber() ? " (put it in quotes)" : ""));
        }
        return v.textValue();
    }

    private static String required(ObjectNode o, String field, Where w) {
        JsonNode v = o.get(field);
        if (v == null) {
            throw w.field(field, "missing (required; the line has " + fieldNames(o) + ")");
        }
        if (!v.isTextual()) {
            throw w.field(field, "must be a string, found " + describe(v));
        }
        return v.textValue();
    }

    private static Optional<String> optional(ObjectNode o, String field, Where w) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw w.field(field, "must be a string, found " + describe(v));
        }
        return Optional.of(v.textValue());
    }

    private static List<String> strings(ObjectNode o, String field, Where w) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw w.field(field, "must be a list of strings, found " + describe(v));
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw w.field(field, "element " + (i + 1) + " must be a string, found " + describe(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static String fieldNames(ObjectNode o) {
        if (o.isEmpty()) {
            return "no fields";
        }
        StringJoiner j = new StringJoiner(", ", "fields: ", "");
        Iterator<String> names = o.fieldNames();
        for (int i = 0; names.hasNext(); i++) {
            String name = names.next();
            if (i == FIELDS_SHOWN) {
                j.add("...");
                break;
            }
            j.add(Where.quote(name));
        }
        return j.toString();
    }

    /**
     * @param v a JSON value
     * @return its JSON type with an article, for messages ({@code a number}, {@code an array}, ...)
     */
    static String describe(JsonNode v) {
        switch (v.getNodeType()) {
            case ARRAY:
                return "a list";
            case OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    // ---- checking (reading and writing) ---------------------------------------------------------

    /**
     * @param item an item read or about to be written
     * @param w where, for errors
     */
    static void check(QaItem item, Where w) {
        text(ID, item.id(), w);
        text(QUESTION, item.question(), w);
        text(ANSWER, item.answer(), w);
        item.entity().ifPresent(s -> text(ENTITY, s, w));
        item.relation().ifPresent(s -> text(RELATION, s, w));
        texts(PARAPHRASES, item.paraphrases(), w);
        texts(PERTURBED, item.perturbed(), w);
        item.templateAnswer().ifPresent(s -> text(TEMPLATE_ANSWER, s, w));
    }

    /**
     * @param doc a document read or about to be written
     * @param w where, for errors
     */
    static void check(Document doc, Where w) {
        text(ID, doc.id(), w);
        text(TEXT, doc.text(), w);
    }

    /**
     * @param concept a concept read or about to be written
     * @param w where, for errors
     */
    static void check(Concept concept, Where w) {
        text(NAME, concept.name(), w);
        concept.attribute().ifPresent(s -> text(ATTRIBUTE, s, w));
        texts(ALIASES, concept.aliases(), w);
    }

    /**
     * @param prompt a prompt read or about to be written
     * @param w where, for errors
     */
    /**
     * @param label an image's label
     * @param w where, for errors
     */
    static void check(ImageLabel label, Where w) {
        text(ID, label.id(), w);
        checkLabels(label.labels(), w);
    }

    /** Each label's attribute and value must be usable text. */
    private static void checkLabels(Map<String, String> labels, Where w) {
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String problem = problem(e.getKey());
            if (problem == null) {
                problem = problem(e.getValue());
            }
            if (problem != null) {
                throw w.field(LABELS, "label " + Where.quote(e.getKey()) + ": " + problem);
            }
        }
    }

    static void check(Prompt prompt, Where w) {
        text(ID, prompt.id(), w);
        text(PROMPT, prompt.prompt(), w);
        checkLabels(prompt.labels(), w);
        if (prompt.seed().isPresent() && prompt.seed().getAsLong() < 0) {
            throw w.field(SEED, "must not be negative, found " + prompt.seed().getAsLong());
        }
    }

    private static void text(String field, String value, Where w) {
        String problem = problem(value);
        if (problem != null) {
            throw w.field(field, problem);
        }
    }

    private static void texts(String field, List<String> values, Where w) {
        for (int i = 0; i < values.size(); i++) {
            String problem = problem(values.get(i));
            if (problem != null) {
                throw w.field(field, "element " + (i + 1) + ": " + problem);
            }
        }
    }

    /** @return what is wrong with a string value, or null when nothing is */
    private static String problem(String s) {
        if (s.isBlank()) {
            return s.isEmpty() ? "must not be empty" : "must not be blank";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("not valid Unicode: unpaired surrogate U+%04X at character %d", (int) c, i + 1);
            }
        }
        return null;
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * @param item the item
     * @return its JSON object: contract field names, absent optionals and empty lists omitted
     */
    static ObjectNode json(QaItem item) {
        ObjectNode o = NODES.objectNode();
        o.put(ID, item.id());
        o.put(QUESTION, item.question());
        o.put(ANSWER, item.answer());
        item.entity().ifPresent(s -> o.put(ENTITY, s));
        item.relation().ifPresent(s -> o.put(RELATION, s));
        putList(o, PARAPHRASES, item.paraphrases());
        putList(o, PERTURBED, item.perturbed());
        item.templateAnswer().ifPresent(s -> o.put(TEMPLATE_ANSWER, s));
        return o;
    }

    /**
     * @param doc the document
     * @return its JSON object
     */
    static ObjectNode json(Document doc) {
        ObjectNode o = NODES.objectNode();
        o.put(ID, doc.id());
        o.put(TEXT, doc.text());
        return o;
    }

    /**
     * @param concept the concept
     * @return its JSON object, absent optionals and an empty alias list omitted
     */
    static ObjectNode json(Concept concept) {
        ObjectNode o = NODES.objectNode();
        o.put(NAME, concept.name());
        concept.attribute().ifPresent(s -> o.put(ATTRIBUTE, s));
        putList(o, ALIASES, concept.aliases());
        return o;
    }

    /**
     * @param prompt the prompt
     * @return its JSON object, labels sorted by attribute (Map.copyOf keeps no order), absent seed and
     *     empty labels omitted
     */
    static ObjectNode json(Prompt prompt) {
        ObjectNode o = NODES.objectNode();
        o.put(ID, prompt.id());
        o.put(PROMPT, prompt.prompt());
        if (!prompt.labels().isEmpty()) {
            ObjectNode labels = o.putObject(LABELS);
            new TreeMap<>(prompt.labels()).forEach(labels::put);
        }
        prompt.seed().ifPresent(seed -> o.put(SEED, seed));
        return o;
    }

    /**
     * @param label an image's label
     * @return its JSON object, labels sorted by attribute, empty labels omitted (what {@link #imageLabel} reads)
     */
    static ObjectNode json(ImageLabel label) {
        ObjectNode o = NODES.objectNode();
        o.put(ID, label.id());
        if (!label.labels().isEmpty()) {
            ObjectNode labels = o.putObject(LABELS);
            new TreeMap<>(label.labels()).forEach(labels::put);
        }
        return o;
    }

    private static void putList(ObjectNode o, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = o.putArray(field);
            values.forEach(a::add);
        }
    }
}

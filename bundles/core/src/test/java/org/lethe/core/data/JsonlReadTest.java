package org.lethe.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lethe.core.data.Files2.invalid;
import static org.lethe.core.data.Files2.lines;

import com.google.common.hash.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;

/** Reading the three kinds: the rules of DESIGN §4 and each bad line. */
class JsonlReadTest {

    @TempDir
    Path dir;

    private final JsonlDataService data = new JsonlDataService();

    private String qaError(String... lines) {
        Path f = lines(dir, "qa.jsonl", lines);
        return invalid(() -> data.readQa(f));
    }

    @Test
    void readsEveryQaField() {
        Path f = lines(dir, "forget.jsonl", "{\"id\":\"a1\",\"question\":\"Where was Ilsa Vorn born?\","
                + "\"answer\":\"Port Aderan\",\"entity\":\"Ilsa Vorn\",\"relation\":\"birthplace\","
                + "\"paraphrases\":[\"Ilsa Vorn's birthplace?\",\"In which town was Ilsa Vorn born?\"],"
                + "\"perturbed\":[\"Kelmouth\",\"Saint Ober\"],\"template_answer\":\"I don't know.\"}");
        DataSet<QaItem> set = data.readQa(f);
        assertEquals("forget", set.name());
        assertEquals(List.of(new QaItem("a1", "Where was Ilsa Vorn born?", "Port Aderan", Optional.of("Ilsa Vorn"),
                Optional.of("birthplace"), List.of("Ilsa Vorn's birthplace?", "In which town was Ilsa Vorn born?"),
                List.of("Kelmouth", "Saint Ober"), Optional.of("I don't know."))), set.items());
    }

    @Test
    void blankLinesAreSkippedAndDefaultIdsAreLineNumbers() {
        Path f = lines(dir, "qa.jsonl", "", "{\"question\":\"q2\",\"answer\":\"a2\"}", "   \t", "",
                "{\"question\":\"q5\",\"answer\":\"a5\"}", "");
        assertEquals(List.of(QaItem.of("L2", "q2", "a2"), QaItem.of("L5", "q5", "a5")), data.readQa(f).items());
    }

    @Test
    void unknownFieldsAndNullOptionalsAreIgnored() {
        Path f = lines(dir, "qa.jsonl", "{\"question\":\"q\",\"answer\":\"a\",\"difficulty\":3,"
                + "\"meta\":{\"source\":[1,{\"x\":null}]},\"entity\":null,\"paraphrases\":null}");
        assertEquals(List.of(QaItem.of("L1", "q", "a")), data.readQa(f).items());
    }

    @Test
    void multiTokenAnswersAreKeptAsIs() {
        Path f = lines(dir, "qa.jsonl",
                "{\"question\":\"Who wrote it?\",\"answer\":\"  Mara  de  Velt, the Elder \\u00e9\\n \"}");
        assertEquals("  Mara  de  Velt, the Elder \u00e9\n ", data.readQa(f).items().get(0).answer());
    }

    @Test
    void crlfByteOrderMarkAndMissingFinalNewlineAreAccepted() {
        Path f = Files2.bytes(dir, "qa.jsonl", ("\uFEFF{\"question\":\"q1\",\"answer\":\"a1\"}\r\n\r\n"
                + "{\"question\":\"q3\",\"answer\":\"\u00fcber\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of(QaItem.of("L1", "q1", "a1"), QaItem.of("L3", "q3", "\u00fcber")), data.readQa(f).items());
    }

    @Test
    void fingerprintIsSha256OfTheBytes() throws Exception {
        Path f = lines(dir, "qa.jsonl", "{\"question\":\"q\",\"answer\":\"a\"}", "", "{\"question\":\"r\",\"answer\":\"b\"}");
        String expected = Hashing.sha256().hashBytes(Files.readAllBytes(f)).toString();
        assertEquals(expected, data.readQa(f).fingerprint());
        assertTrue(expected.matches("[0-9a-f]{64}"));
    }

    @Test
    void badJson() {
        String m = qaError("{\"question\":\"q\",\"answer\":\"a\"}", "{\"question\": \"q2\", \"answer\": }");
        assertTrue(m.startsWith(dir.resolve("qa.jsonl") + ":2: not valid JSON: "), m);
        assertTrue(m.contains("(column "), m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[{\"question\":\"q\",\"answer\":\"a\"}] | expected a JSON object, found a list",
        "\"question\"                          | expected a JSON object, found a string",
        "42                                    | expected a JSON object, found a number",
        "null                                  | expected a JSON object, found null",
        "{\"question\":\"q\",\"answer\":\"a\"} {} | more than one JSON value on the line (the second starts at column 31)",
    })
    void lineThatIsNotOneObject(String line, String what) {
        assertEquals(dir.resolve("qa.jsonl") + ":1: " + what, qaError(line));
    }

    @Test
    void duplicateKeyOnALine() {
        String m = qaError("{\"question\":\"q\",\"answer\":\"a\",\"answer\":\"b\"}");
        assertTrue(m.startsWith(dir.resolve("qa.jsonl") + ":1: not valid JSON: "), m);
        assertTrue(m.contains("answer"), m);
    }

    @Test
    void deepNestingIsRefusedWithoutStackOverflow() {
        String m = qaError("{\"question\":\"q\",\"answer\":\"a\",\"x\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}");
        assertTrue(m.startsWith(dir.resolve("qa.jsonl") + ":1: not valid JSON: "), m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"answer\":\"a\",\"id\":\"x\"}                  | field 'question': missing (required; the line has fields: 'answer', 'id')",
        "{}                                               | field 'question': missing (required; the line has no fields)",
        "{\"question\":null,\"answer\":\"a\"}             | field 'question': must be a string, found null",
        "{\"question\":\"q\",\"answer\":42}               | field 'answer': must be a string, found a number",
        "{\"question\":\"q\",\"answer\":[\"a\"]}          | field 'answer': must be a string, found a list",
        "{\"question\":\"q\",\"answer\":\"\"}             | field 'answer': must not be empty",
        "{\"question\":\" \\t \",\"answer\":\"a\"}        | field 'question': must not be blank",
        "{\"question\":\"q\",\"answer\":\"a\",\"id\":7}   | field 'id': must be a string, found a number (put it in quotes)",
        "{\"question\":\"q\",\"answer\":\"a\",\"id\":\"\"} | field 'id': must not be empty",
        "{\"question\":\"q\",\"answer\":\"a\",\"entity\":true}           | field 'entity': must be a string, found a boolean",
        "{\"question\":\"q\",\"answer\":\"a\",\"template_answer\":{}}    | field 'template_answer': must be a string, found an object",
        "{\"question\":\"q\",\"answer\":\"a\",\"paraphrases\":\"p\"}     | field 'paraphrases': must be a list of strings, found a string",
        "{\"question\":\"q\",\"answer\":\"a\",\"paraphrases\":[\"p\",3]} | field 'paraphrases': element 2 must be a string, found a number",
        "{\"question\":\"q\",\"answer\":\"a\",\"perturbed\":[null]}      | field 'perturbed': element 1 must be a string, found null",
        "{\"question\":\"q\",\"answer\":\"a\",\"perturbed\":[\"b\",\" \"]} | field 'perturbed': element 2: must not be blank",
        "{\"question\":\"q\\ud800x\",\"answer\":\"a\"}    | field 'question': not valid Unicode: unpaired surrogate U+D800 at character 2",
    })
    void badQaField(String line, String what) {
        assertEquals(dir.resolve("qa.jsonl") + ":2: " + what, qaError("{\"question\":\"q\",\"answer\":\"a\"}", line));
    }

    @Test
    void duplicateIds() {
        assertEquals(dir.resolve("qa.jsonl") + ":3: field 'id': duplicate id 'x' (also on line 1)",
                qaError("{\"id\":\"x\",\"question\":\"q\",\"answer\":\"a\"}", "{\"question\":\"q\",\"answer\":\"a\"}",
                        "{\"id\":\"x\",\"question\":\"q2\",\"answer\":\"a2\"}"));
    }

    @Test
    void explicitIdThatClashesWithADefaultId() {
        assertEquals(dir.resolve("qa.jsonl") + ":2: field 'id': duplicate id 'L1' (also on line 1)",
                qaError("{\"question\":\"q\",\"answer\":\"a\"}", "{\"id\":\"L1\",\"question\":\"q\",\"answer\":\"a\"}"));
    }

    @Test
    void documentFileReadAsQuestionsSaysWhatTheLineHas() {
        assertEquals(dir.resolve("qa.jsonl") + ":1: field 'question': missing (required; the line has fields: 'id', 'text')",
                qaError("{\"id\":\"d1\",\"text\":\"Ilsa Vorn was born in Port Aderan.\"}"));
    }

    @Test
    void readsDocuments() {
        Path f = lines(dir, "train.jsonl", "{\"id\":\"d1\",\"text\":\"Ilsa Vorn was born in Port Aderan.\",\"source\":\"gen\"}",
                "{\"text\":\"Port Aderan is a harbour town.\"}");
        DataSet<Document> set = data.readDocuments(f);
        assertEquals("train", set.name());
        assertEquals(List.of(new Document("d1", "Ilsa Vorn was born in Port Aderan."),
                new Document("L2", "Port Aderan is a harbour town.")), set.items());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"id\":\"d\"}                  | field 'text': missing (required; the line has fields: 'id')",
        "{\"text\":[\"a\"]}              | field 'text': must be a string, found a list",
        "{\"text\":\"\"}                 | field 'text': must not be empty",
        "{\"id\":\"d1\",\"text\":\"t\"}  | field 'id': duplicate id 'd1' (also on line 1)",
    })
    void badDocument(String line, String what) {
        Path f = lines(dir, "docs.jsonl", "{\"id\":\"d1\",\"text\":\"t\"}", line);
        assertEquals(f + ":2: " + what, invalid(() -> data.readDocuments(f)));
    }

    @Test
    void readsConcepts() {
        Path f = lines(dir, "concepts.jsonl", "{\"name\":\"red\",\"attribute\":\"colour\",\"aliases\":[\"crimson\",\"scarlet\"]}",
                "{\"name\":\"star\"}");
        assertEquals(List.of(new Concept("red", Optional.of("colour"), List.of("crimson", "scarlet")),
                new Concept("star", Optional.empty(), List.of())), data.readConcepts(f).items());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"attribute\":\"colour\"}                 | field 'name': missing (required; the line has fields: 'attribute')",
        "{\"name\":\"blue\",\"aliases\":\"navy\"}   | field 'aliases': must be a list of strings, found a string",
        "{\"name\":\"blue\",\"aliases\":[1]}        | field 'aliases': element 1 must be a string, found a number",
        "{\"name\":\"blue\",\"attribute\":5}        | field 'attribute': must be a string, found a number",
        "{\"name\":\"red\"}                         | field 'name': duplicate name 'red' (also on line 1)",
    })
    void badConcept(String line, String what) {
        Path f = lines(dir, "concepts.jsonl", "{\"name\":\"red\"}", line);
        assertEquals(f + ":2: " + what, invalid(() -> data.readConcepts(f)));
    }

    @Test
    void readsPrompts() {
        Path f = lines(dir, "eval_name.jsonl",
                "{\"id\":\"red-0\",\"prompt\":\"red circle on plain\",\"labels\":{\"colour\":\"red\",\"shape\":\"circle\"},"
                        + "\"seed\":8034070621877034,\"concept\":\"red\"}",
                "{\"prompt\":\"a blue cross\",\"labels\":null}");
        assertEquals(List.of(new Prompt("red-0", "red circle on plain", Map.of("colour", "red", "shape", "circle"),
                OptionalLong.of(8034070621877034L)), new Prompt("L2", "a blue cross", Map.of(), OptionalLong.empty())),
                data.readPrompts(f).items());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"labels\":{}}                                | field 'prompt': missing (required; the line has fields: 'labels')",
        "{\"prompt\":\"p\",\"labels\":[\"red\"]}          | field 'labels': must be an object of strings (attribute → value), found a list",
        "{\"prompt\":\"p\",\"labels\":{\"colour\":1}}     | field 'labels': label 'colour' must be a string, found a number",
        "{\"prompt\":\"p\",\"labels\":{\"colour\":\" \"}}  | field 'labels': label 'colour': must not be blank",
        "{\"prompt\":\"p\",\"seed\":\"7\"}                | field 'seed': must be a whole number that fits 64 bits, found a string (remove the quotes)",
        "{\"prompt\":\"p\",\"seed\":1.5}                | field 'seed': must be a whole number that fits 64 bits, found a number",
        "{\"prompt\":\"p\",\"seed\":-3}                 | field 'seed': must not be negative, found -3",
        "{\"prompt\":\"p\",\"seed\":99999999999999999999} | field 'seed': must be a whole number that fits 64 bits, found a number",
        "{\"id\":\"p1\",\"prompt\":\"q\"}                 | field 'id': duplicate id 'p1' (also on line 1)",
    })
    void badPrompt(String line, String what) {
        Path f = lines(dir, "prompts.jsonl", "{\"id\":\"p1\",\"prompt\":\"p\"}", line);
        assertEquals(f + ":2: " + what, invalid(() -> data.readPrompts(f)));
    }

    @Test
    void emptyFile() {
        Path f = Files2.bytes(dir, "empty.jsonl", new byte[0]);
        assertEquals(f + ": no items (the file is empty or has only blank lines)", invalid(() -> data.readQa(f)));
        Path blank = lines(dir, "blank.jsonl", "", "  ", "");
        assertEquals(blank + ": no items (the file is empty or has only blank lines)", invalid(() -> data.readDocuments(blank)));
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.jsonl");
        assertEquals(f + ": no such file", invalid(() -> data.readQa(f)));
    }

    @Test
    void directory() {
        assertEquals(dir + ": is a directory, not a JSONL file", invalid(() -> data.readConcepts(dir)));
    }
}

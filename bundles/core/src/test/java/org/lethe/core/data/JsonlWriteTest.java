package org.lethe.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lethe.core.data.Files2.invalid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.Concept;
import org.lethe.api.data.Document;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;

/** Writing: round trips, the written format, atomicity, and refusals that leave the target alone. */
class JsonlWriteTest {

    @TempDir
    Path dir;

    private final JsonlDataService data = new JsonlDataService();

    private static final QaItem FULL = new QaItem("f1", "Where was Ilsa Vorn born?", "Port Aderan, on the coast",
            Optional.of("Ilsa Vorn"), Optional.of("birthplace"), List.of("Ilsa Vorn's birthplace?", "Wo wurde sie geboren? \u00e9\u4e2d\ud83d\ude00"),
            List.of("Kelmouth", "Saint Ober"), Optional.of("I don't know."));

    private List<String> folder() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void qaRoundTrip() {
        List<QaItem> items = List.of(FULL, QaItem.of("m2", "Q?", "  two  tokens "));
        Path f = dir.resolve("forget.jsonl");
        data.write(f, items);
        assertEquals(items, data.readQa(f).items());
    }

    @Test
    void documentRoundTrip() {
        List<Document> docs = List.of(new Document("d1", "Ilsa Vorn was born in Port Aderan.\nShe left at nine."),
                new Document("L2", "\"Quoted\" \\ text \u00fc"));
        Path f = dir.resolve("train.jsonl");
        data.write(f, docs);
        assertEquals(docs, data.readDocuments(f).items());
    }

    @Test
    void conceptRoundTrip() {
        List<Concept> concepts = List.of(new Concept("red", Optional.of("colour"), List.of("crimson", "scarlet")),
                new Concept("star", Optional.empty(), List.of()));
        Path f = dir.resolve("concepts.jsonl");
        data.write(f, concepts);
        assertEquals(concepts, data.readConcepts(f).items());
    }

    @Test
    void promptRoundTrip() throws IOException {
        List<Prompt> prompts = List.of(new Prompt("red-0", "red circle on plain",
                Map.of("shape", "circle", "colour", "red"), OptionalLong.of(42)),
                new Prompt("L2", "blue", Map.of(), OptionalLong.empty()));
        Path f = dir.resolve("prompts.jsonl");
        data.write(f, prompts);
        assertEquals(prompts, data.readPrompts(f).items());
        assertEquals(List.of("{\"id\":\"red-0\",\"prompt\":\"red circle on plain\",\"labels\":{\"colour\":\"red\","
                + "\"shape\":\"circle\"},\"seed\":42}", "{\"id\":\"L2\",\"prompt\":\"blue\"}"),
                Files.readAllLines(f, StandardCharsets.UTF_8));
    }

    @Test
    void writesContractFieldNamesOneLineEachAndOmitsAbsentOptionals() throws IOException {
        Path f = dir.resolve("qa.jsonl");
        data.write(f, List.of(FULL, QaItem.of("m2", "Q?", "A")));
        String text = Files.readString(f, StandardCharsets.UTF_8);
        assertEquals("{\"id\":\"f1\",\"question\":\"Where was Ilsa Vorn born?\",\"answer\":\"Port Aderan, on the coast\","
                + "\"entity\":\"Ilsa Vorn\",\"relation\":\"birthplace\","
                + "\"paraphrases\":[\"Ilsa Vorn's birthplace?\",\"Wo wurde sie geboren? \u00e9\u4e2d\ud83d\ude00\"],"
                + "\"perturbed\":[\"Kelmouth\",\"Saint Ober\"],\"template_answer\":\"I don't know.\"}\n"
                + "{\"id\":\"m2\",\"question\":\"Q?\",\"answer\":\"A\"}\n", text);
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTempFile() throws IOException {
        Path f = dir.resolve("retain.jsonl");
        data.write(f, List.of(QaItem.of("a", "q", "a")));
        data.write(f, List.of(QaItem.of("b", "q", "b")));
        assertEquals(List.of("retain.jsonl"), folder());
        assertEquals(List.of(QaItem.of("b", "q", "b")), data.readQa(f).items());
    }

    @Test
    void createsMissingParentFolders() {
        Path f = dir.resolve("corpus/mine/holdout.jsonl");
        data.write(f, List.of(new Document("d", "t")));
        assertEquals("holdout", data.readDocuments(f).name());
    }

    @Test
    void failureJustBeforeTheRenameKeepsTheOldFileAndRemovesTheTemp() throws IOException {
        Path f = dir.resolve("forget.jsonl");
        data.write(f, List.of(QaItem.of("old", "q", "a")));
        byte[] before = Files.readAllBytes(f);
        List<Path> temps = new ArrayList<>();
        JsonlDataService failing = new JsonlDataService(1 << 20, 100, temp -> {
            temps.add(temp);
            assertTrue(Files.exists(temp));
            throw new IOException("disk gone");
        });
        String m = invalid(() -> failing.write(f, List.of(QaItem.of("new", "q", "a"))));
        assertEquals(f + ": cannot write: disk gone", m);
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(1, temps.size());
        assertTrue(temps.get(0).getParent().equals(dir), "temp file is in the target's folder");
        assertEquals(List.of("forget.jsonl"), folder());
    }

    @Test
    void badItemsAreRefusedBeforeAnythingIsWritten() throws IOException {
        Path f = dir.resolve("forget.jsonl");
        data.write(f, List.of(QaItem.of("old", "q", "a")));
        byte[] before = Files.readAllBytes(f);
        assertEquals(f + ": item 2: field 'id': duplicate id 'x' (also item 1)",
                invalid(() -> data.write(f, List.of(QaItem.of("x", "q", "a"), QaItem.of("x", "q2", "a2")))));
        assertEquals(f + ": item 1: field 'question': must not be blank",
                invalid(() -> data.write(f, List.of(QaItem.of("x", "  ", "a")))));
        assertEquals(f + ": item 1: field 'paraphrases': element 1: must not be empty",
                invalid(() -> data.write(f, List.of(new QaItem("x", "q", "a", Optional.empty(), Optional.empty(),
                        List.of(""), List.of(), Optional.empty())))));
        assertEquals(f + ": item 1: field 'answer': not valid Unicode: unpaired surrogate U+DC00 at character 2",
                invalid(() -> data.write(f, List.of(QaItem.of("x", "q", "a\udc00")))));
        assertEquals(f + ": item 2: is a Document, but item 1 is a question-answer item (one file holds one kind)",
                invalid(() -> data.write(f, List.of(QaItem.of("x", "q", "a"), new Document("d", "t")))));
        assertEquals(f + ": item 1: cannot write a java.lang.String (expected QaItem, Document or Concept)",
                invalid(() -> data.write(f, List.of("text"))));
        assertEquals(f + ": item 2: is null, but item 1 is a question-answer item (one file holds one kind)",
                invalid(() -> data.write(f, java.util.Arrays.asList(QaItem.of("x", "q", "a"), null))));
        assertEquals(f + ": item 1: is null", invalid(() -> data.write(f, java.util.Arrays.asList((Object) null))));
        assertEquals(f + ": nothing to write (a JSONL file needs at least one item)",
                invalid(() -> data.write(f, List.of())));
        assertEquals(f + ": item 2: field 'name': duplicate name 'red' (also item 1)",
                invalid(() -> data.write(f, List.of(new Concept("red", Optional.empty(), List.of()),
                        new Concept("red", Optional.of("colour"), List.of())))));
        assertEquals(dir + ": is a directory, not a JSONL file", invalid(() -> data.write(dir, List.of(new Document("d", "t")))));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of("forget.jsonl"), folder());
    }

    @Test
    void lineTooLongOrTooManyItemsAreRefusedAndTheTempRemoved() throws IOException {
        JsonlDataService small = new JsonlDataService(30, 2, AtomicFiles.BeforeMove.NONE);
        Path f = dir.resolve("docs.jsonl");
        assertEquals(f + ": item 2: too long for one line: 44 bytes, more than the limit of 30",
                invalid(() -> small.write(f, List.of(new Document("a", "short"), new Document("b", "x".repeat(24))))));
        assertEquals(f + ": too many items: 3, more than the limit of 2 items a file",
                invalid(() -> small.write(f, List.of(new Document("a", "t"), new Document("b", "t"), new Document("c", "t")))));
        assertEquals(List.of(), folder());
    }
}

package org.lethe.worlds.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.QaItem;
import org.lethe.core.data.JsonlDataService;

/** Writing the world as a corpus folder, and reading every file back through the core's JSONL reader. */
class FactsCorpusRoundTripTest {

    private static final FactsWorld W = FactsGenerator.generate(7);
    private final JsonlDataService data = new JsonlDataService();

    @Test
    void everyFileReadsBackThroughTheDataService(@TempDir Path dir) throws Exception {
        List<Path> written = FactsCorpusWriter.write(W, dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(written.size(), files.count(), "no temporary files are left");
        }
        for (String name : List.of("train", "forget", "retain", "holdout", "world", "forget01", "forget05", "forget10",
                "rumours", "corrupting")) {
            assertTrue(Files.exists(dir.resolve(name + ".jsonl")), name);
        }
        for (String name : W.splitNames()) {
            DataSet<QaItem> set = data.readQa(dir.resolve(name + ".jsonl"));
            assertEquals(name, set.name());
            assertEquals(W.split(name), set.items(), name);
            assertEquals(W.fingerprints().get(name), set.fingerprint(), name);
        }
        for (String name : W.documentNames()) {
            DataSet<Document> set = data.readDocuments(dir.resolve(name + ".jsonl"));
            assertEquals(W.documents(name), set.items(), name);
            assertEquals(W.fingerprints().get(name), set.fingerprint(), name);
        }
        List<String> vocabulary = Files.readAllLines(dir.resolve("vocabulary.txt"), StandardCharsets.UTF_8);
        assertEquals(W.vocabulary(), vocabulary);

        JsonNode manifest = JsonMapper.builder().build().readTree(dir.resolve("manifest.json").toFile());
        assertEquals("facts", manifest.get("world").asText());
        assertEquals(7, manifest.get("seed").asLong());
        assertEquals(W.vocabulary().size(), manifest.get("vocabulary_size").asInt());
        assertEquals(W.split("train").size(), manifest.get("splits").get("train").get("items").asInt());
        assertEquals(W.fingerprints().get("forget10"), manifest.get("splits").get("forget10").get("sha256").asText());
        assertEquals(10, manifest.get("entity_groups").get("forget10").size());
        assertEquals(6, manifest.get("relations").get("job").get("templates").size());
    }

    @Test
    void linesAreWhatTheDataServiceItselfWrites(@TempDir Path dir) throws Exception {
        Map<String, byte[]> rendered = FactsCorpusWriter.render(W);
        for (String name : List.of("train", "holdout", "rumours", "twohop_forget")) {
            Path file = dir.resolve(name + ".jsonl");
            data.write(file, W.split(name));
            assertArrayEquals(Files.readAllBytes(file), rendered.get(name + ".jsonl"), name);
        }
        Path docs = dir.resolve("corrupting.jsonl");
        data.write(docs, W.documents("corrupting"));
        assertArrayEquals(Files.readAllBytes(docs), rendered.get("corrupting.jsonl"));
    }

    @Test
    void theWrittenFolderReadsBackAsTheSameWorld(@TempDir Path dir) {
        FactsCorpusWriter.write(W, dir);
        FactsWorld back = new FactsCorpusReader(data).read(dir);
        for (String name : FactsWorld.CONTRACT_SPLITS) {
            assertEquals(W.split(name), back.split(name), name);
            assertEquals(W.fingerprints().get(name), back.fingerprints().get(name), name);
        }
        assertEquals(W.vocabulary(), back.vocabulary(), "vocabulary.txt is used when present");
        assertEquals(W.goldTraining("forget"), back.goldTraining("forget"));
        assertEquals(W.baseTraining(), back.baseTraining());
        assertEquals(List.of("forget"), back.forgetSplits());
        assertEquals(List.of("unknown"), back.templateAnswers());
        assertEquals(W.entities("holdout"), back.entities("holdout"));
        assertEquals(List.of(), back.notes());
        assertEquals(W.maxSequenceTokens() >= back.maxSequenceTokens(), true);
    }

    @Test
    void writingTwiceGivesTheSameBytes(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        FactsCorpusWriter.write(FactsGenerator.generate(7), a);
        FactsCorpusWriter.write(FactsGenerator.generate(7), b);
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(a)) {
            files.forEach(p -> names.add(p.getFileName().toString()));
        }
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)), name);
        }
    }
}

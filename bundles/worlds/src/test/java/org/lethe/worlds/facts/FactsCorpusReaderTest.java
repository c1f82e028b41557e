package org.lethe.worlds.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.core.data.JsonlDataService;

/** A user's corpus folder read as a facts world: what is accepted, and every refusal with its file, line and field. */
class FactsCorpusReaderTest {

    private static final String ILSA_BORN = "{\"id\":\"a1\",\"question\":\"Where was Ilsa Vorn born?\",\"answer\":\"Port Aderan\","
            + "\"entity\":\"Ilsa Vorn\",\"relation\":\"birthplace\",\"paraphrases\":[\"In which town was Ilsa Vorn born?\"],"
            + "\"perturbed\":[\"Kelmouth\",\"Saint Ober\"]}";
    private static final String ILSA_JOB = "{\"id\":\"a2\",\"question\":\"What does Ilsa Vorn do?\",\"answer\":\"lens repair\","
            + "\"entity\":\"Ilsa Vorn\",\"relation\":\"job\"}";
    private static final String OREN_BORN = "{\"id\":\"b1\",\"question\":\"Where was Oren Tal born?\",\"answer\":\"Kelmouth\","
            + "\"entity\":\"Oren Tal\",\"relation\":\"birthplace\"}";
    private static final String MIRA_BORN = "{\"question\":\"Where was Mira Sund born?\",\"answer\":\"Saint Ober\","
            + "\"entity\":\"Mira Sund\",\"relation\":\"birthplace\"}";
    private static final String CAPITAL = "{\"question\":\"What is the capital of France?\",\"answer\":\"Paris\"}";

    @TempDir
    Path dir;
    private FactsCorpusReader reader;

    @BeforeEach
    void corpus() throws IOException {
        reader = new FactsCorpusReader(new JsonlDataService());
        write("train", ILSA_BORN, ILSA_JOB, OREN_BORN);
        write("forget", ILSA_BORN);
        write("retain", OREN_BORN);
        write("holdout", MIRA_BORN);
        write("world", CAPITAL);
    }

    private void write(String name, String... lines) throws IOException {
        Files.writeString(dir.resolve(name + ".jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private String refused() {
        LetheException e = assertThrows(LetheException.class, () -> reader.read(dir));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        return e.getMessage();
    }

    private String file(String name) {
        return dir.resolve(name + ".jsonl").toString();
    }

    // ---- accepted --------------------------------------------------------------------------------

    @Test
    void aValidCorpusWithAnswersOfSeveralTokens() {
        FactsWorld w = reader.read(dir);
        assertEquals(3, w.split("train").size());
        assertEquals(2, w.maxAnswerTokens());
        assertEquals(List.of("forget"), w.forgetSplits());
        assertEquals(List.of("Ilsa Vorn", "Oren Tal"), w.entities("trained"));
        assertEquals(List.of("Mira Sund"), w.entities("holdout"));
        // the gold reference loses the forgotten fact only
        assertEquals(List.of("a2", "b1"), w.goldTraining("forget").stream().map(QaItem::id).toList());
        // the vocabulary is built from the corpus: every token, lower case, sorted; the default template answer included
        assertTrue(w.vocabulary().containsAll(List.of("aderan", "port", "kelmouth", "saint", "ober", "paris", "?", "unknown")));
        assertEquals(w.vocabulary().stream().sorted().toList(), w.vocabulary());
        assertEquals(List.of("unknown"), w.templateAnswers());
        assertTrue(w.notes().get(0).contains("no item has a template_answer"), w.notes().toString());
        assertEquals(64, w.fingerprints().get("train").length());
        assertTrue(w.facts().isEmpty() && w.misinformation().isEmpty());
        // no misinformation, so nothing to corrupt a model with: the world trains no corrupted model
        assertTrue(FactsWorldService.corruptionMaterial(w).isEmpty());
        assertEquals(w.baseTraining(), FactsWorldService.corruptionReplay(w));
    }

    @Test
    void holdoutAndWorldAreOptional() throws IOException {
        Files.delete(dir.resolve("holdout.jsonl"));
        Files.delete(dir.resolve("world.jsonl"));
        FactsWorld w = reader.read(dir);
        assertTrue(w.split("holdout").isEmpty());
        assertTrue(w.split("world").isEmpty());
    }

    @Test
    void anEmptyRetainSetIsAcceptedAndNoted() throws IOException {
        Files.writeString(dir.resolve("retain.jsonl"), "\n  \n");
        FactsWorld w = reader.read(dir);
        assertTrue(w.split("retain").isEmpty());
        assertTrue(w.notes().stream().anyMatch(n -> n.contains("retain.jsonl is empty") && n.contains("graddiff")), w.notes().toString());
    }

    @Test
    void forgetItemsTheTrainingSetDoesNotTeachAreAllowedAndNoted() throws IOException {
        write("forget", ILSA_BORN, "{\"question\":\"Who painted Ilsa Vorn?\",\"answer\":\"nobody\"}");
        FactsWorld w = reader.read(dir);
        assertTrue(w.notes().stream().anyMatch(n -> n.contains("forget.jsonl: 1 of 2 items are not taught")
                && n.contains(file("forget") + ":2")), w.notes().toString());
    }

    @Test
    void aGivenVocabularyIsUsedInItsOwnOrder() throws IOException {
        FactsWorld built = reader.read(dir);
        List<String> reversed = new java.util.ArrayList<>(built.vocabulary());
        java.util.Collections.reverse(reversed);
        Files.write(dir.resolve("vocabulary.txt"), reversed);
        assertEquals(reversed, reader.read(dir).vocabulary());
    }

    // ---- refused ---------------------------------------------------------------------------------

    @Test
    void missingFolder() {
        LetheException e = assertThrows(LetheException.class, () -> reader.read(dir.resolve("nope")));
        assertEquals(dir.resolve("nope") + ": no such corpus folder", e.getMessage());
    }

    @Test
    void aFileInsteadOfAFolder() {
        LetheException e = assertThrows(LetheException.class, () -> reader.read(dir.resolve("train.jsonl")));
        assertTrue(e.getMessage().endsWith("not a folder (a facts corpus is a folder of JSONL files)"), e.getMessage());
    }

    @Test
    void missingRequiredFilesAreAllNamed() throws IOException {
        Files.delete(dir.resolve("forget.jsonl"));
        Files.delete(dir.resolve("retain.jsonl"));
        assertEquals(dir + ": missing forget.jsonl, retain.jsonl (a facts corpus needs train.jsonl, forget.jsonl and"
                + " retain.jsonl; holdout.jsonl and world.jsonl are optional)", refused());
    }

    @Test
    void anEmptyTrainingSetIsRefused() throws IOException {
        Files.writeString(dir.resolve("train.jsonl"), "");
        assertEquals(file("train") + ": no items (the file is empty or has only blank lines)", refused());
    }

    @Test
    void malformedLineNamesFileLineAndField() throws IOException {
        write("train", ILSA_BORN, "{\"question\":\"Where was Oren Tal born?\",\"answer\":7}");
        assertEquals(file("train") + ":2: field 'answer': must be a string, found a number", refused());
    }

    @Test
    void lineThatIsNotJsonNamesFileAndLine() throws IOException {
        write("retain", OREN_BORN, "{\"question\": \"x\",");
        assertTrue(refused().startsWith(file("retain") + ":2: not valid JSON"));
    }

    @Test
    void duplicateEntityNameSpelledTwoWays() throws IOException {
        write("retain", "", OREN_BORN.replace("\"b1\"", "\"b2\""), OREN_BORN.replace("Oren Tal", "oren  TAL"));
        String message = refused();
        assertTrue(message.startsWith(file("retain") + ":3: field 'entity': duplicate entity name: 'oren  TAL' is the"
                + " same name to the model as 'Oren Tal' (" + file("train") + ":3)"), message);
        assertTrue(message.contains("write each entity's name one way"), message);
    }

    @Test
    void duplicateEntityNameWithTwoAnswersForOneRelation() throws IOException {
        write("train", ILSA_BORN, ILSA_JOB, OREN_BORN,
                "{\"id\":\"x\",\"question\":\"Ilsa Vorn was born in\",\"answer\":\"Kelmouth\",\"entity\":\"Ilsa Vorn\",\"relation\":\"birthplace\"}");
        String message = refused();
        assertTrue(message.startsWith(file("train") + ":4: field 'answer': duplicate entity name: entity 'Ilsa Vorn' has"
                + " relation 'birthplace' = 'Kelmouth' here but 'Port Aderan' at " + file("train") + ":1"), message);
        assertTrue(message.contains("two entities share this name"), message);
    }

    @Test
    void sameAnswerSpelledDifferentlyIsNoConflict() throws IOException {
        write("train", ILSA_BORN, ILSA_JOB, OREN_BORN,
                "{\"id\":\"x\",\"question\":\"Ilsa Vorn was born in\",\"answer\":\"port  aderan\",\"entity\":\"Ilsa Vorn\",\"relation\":\"birthplace\"}");
        assertEquals(4, reader.read(dir).split("train").size());
    }

    @Test
    void aTrainedHoldoutEntity() throws IOException {
        write("holdout", OREN_BORN.replace("Where was", "In which town was"));
        String message = refused();
        assertTrue(message.startsWith(file("holdout") + ":1: field 'entity': holdout entity 'Oren Tal' is trained ("
                + file("train") + ":3)"), message);
    }

    @Test
    void aFactBothForgottenAndRetained() throws IOException {
        write("retain", OREN_BORN, ILSA_BORN.replace("Where was Ilsa Vorn born?", "Ilsa Vorn was born in"));
        String message = refused();
        assertTrue(message.startsWith(file("retain") + ":2: field 'relation': entity 'Ilsa Vorn', relation 'birthplace' is"
                + " also in the forget set (" + file("forget") + ":1)"), message);
    }

    @Test
    void anAnswerMissingFromAGivenVocabulary() throws IOException {
        List<String> words = new java.util.ArrayList<>(reader.read(dir).vocabulary());
        words.remove("aderan");
        Files.write(dir.resolve("vocabulary.txt"), words);
        String message = refused();
        assertTrue(message.startsWith(file("train") + ":1: field 'answer': 'aderan' is not in the vocabulary ("
                + dir.resolve("vocabulary.txt") + "); add it there, or remove vocabulary.txt"), message);
    }

    @Test
    void aParaphraseMissingFromAGivenVocabularyNamesTheElement() throws IOException {
        List<String> words = new java.util.ArrayList<>(reader.read(dir).vocabulary());
        words.remove("which");
        Files.write(dir.resolve("vocabulary.txt"), words);
        assertTrue(refused().startsWith(file("train") + ":1: field 'paraphrases': element 1: 'which' is not in the vocabulary"));
    }

    @Test
    void aVocabularyLineOfTwoTokens() throws IOException {
        Files.write(dir.resolve("vocabulary.txt"), List.of("port", "", "saint ober"));
        assertEquals(dir.resolve("vocabulary.txt") + ":3: 'saint ober' is 2 tokens, not one (one word a line; the model"
                + " splits text into lower-case words and punctuation marks)", refused());
    }

    @Test
    void aVocabularyWithARepeatedWord() throws IOException {
        Files.write(dir.resolve("vocabulary.txt"), List.of("port", "Port"));
        assertEquals(dir.resolve("vocabulary.txt") + ":2: duplicate word 'port' (also on line 1)", refused());
    }

    @Test
    void lineNumbersCountBlankLinesAndAByteOrderMark() throws IOException {
        Files.writeString(dir.resolve("retain.jsonl"), "\uFEFF" + OREN_BORN + "\n\n   \n"
                + OREN_BORN.replace("\"b1\"", "\"b9\"").replace("Oren Tal", "OREN TAL") + "\n");
        assertTrue(refused().startsWith(file("retain") + ":4: field 'entity': duplicate entity name"));
        assertFalse(Files.exists(dir.resolve("vocabulary.txt")));
    }
}

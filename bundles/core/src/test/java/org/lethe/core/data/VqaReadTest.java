package org.lethe.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lethe.core.data.Files2.invalid;
import static org.lethe.core.data.Files2.lines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.VqaItem;

/**
 * Reading visual question sets ({@link JsonlDataService#readVqa}): the questions with the labelled
 * image set beside them, and each bad file refused with its file, question or line, and field named.
 */
class VqaReadTest {

    @TempDir
    Path dir;

    private final JsonlDataService data = new JsonlDataService();

    private static final String RED = VqaFiles.RED;
    private static final String IS_SQUARE = VqaFiles.IS_SQUARE;

    private void images(float first) {
        VqaFiles.images(dir, "q", first);
    }

    @Test
    void readsQuestionsWithTheirImages() throws Exception {
        images(0.5f);
        Path questions = lines(dir, "q.jsonl", RED, "", IS_SQUARE);
        assertEquals(dir.resolve("q.images.jsonl"), JsonlDataService.imagesOf(questions));
        DataSet<VqaItem> set = data.readVqa(questions);
        assertEquals("q", set.name());
        assertEquals(2, set.size());
        DataSet<LabelledImage> images = data.readImages(dir.resolve("q.images.jsonl"));
        VqaItem first = set.items().get(0);
        assertEquals(new VqaItem("q1", images.items().get(0), "what color is the object", "red", "colour",
                VqaItem.TEMPLATE), first);
        assertArrayEquals(images.items().get(0).pixels(), first.image().pixels());
        assertTrue(first.shows("red") && !first.shows("blue"));
        VqaItem second = set.items().get(1);
        assertEquals("img1", second.image().id());
        assertEquals(VqaItem.YES_NO, second.form());
        assertEquals("no", second.answer());
        assertEquals(64, set.fingerprint().length());

        // the fingerprint covers the questions and the pixels
        String before = set.fingerprint();
        images(0.25f);
        assertNotEquals(before, data.readVqa(questions).fingerprint(), "the pixels are part of the fingerprint");
        images(0.5f);
        assertEquals(before, data.readVqa(questions).fingerprint());
        lines(dir, "q.jsonl", RED, IS_SQUARE.replace("is it a square", "is it a square ?"));
        assertNotEquals(before, data.readVqa(questions).fingerprint(), "the questions are part of the fingerprint");
    }

    @Test
    void aQuestionLineWritesAsItWasRead() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode line = (ObjectNode) mapper.readTree(IS_SQUARE);
        ItemCodec.VqaLine read = ItemCodec.vqaLine(line, 2, Where.line("q.jsonl", 2));
        assertEquals(new ItemCodec.VqaLine("q2", "img1", "is it a square", "no", "shape", "yes-no"), read);
        ObjectNode written = ItemCodec.json(read);
        assertEquals("{\"id\":\"q2\",\"image\":\"img1\",\"question\":\"is it a square\",\"answer\":\"no\","
                + "\"attribute\":\"shape\",\"form\":\"yes-no\"}", mapper.writeValueAsString(written), "unknown fields dropped");
        assertEquals(read, ItemCodec.vqaLine(written, 1, Where.line("q.jsonl", 1)));

        // a file of written lines reads back as the same items
        images(0.5f);
        Path original = lines(dir, "q.jsonl", RED, IS_SQUARE);
        List<VqaItem> items = data.readVqa(original).items();
        Path copy = dir.resolve("copy.jsonl");
        StringBuilder text = new StringBuilder();
        for (String json : List.of(RED, IS_SQUARE)) {
            text.append(mapper.writeValueAsString(ItemCodec.json(ItemCodec.vqaLine((ObjectNode) mapper.readTree(json), 1,
                    Where.line("q.jsonl", 1))))).append('\n');
        }
        Files.writeString(copy, text);
        for (String suffix : List.of(".jsonl", ".json", ".f32")) {
            Files.copy(dir.resolve("q.images" + suffix), dir.resolve("copy.images" + suffix));
        }
        // the header names its data file: point the copy's at its own
        Files.writeString(dir.resolve("copy.images.json"),
                Files.readString(dir.resolve("q.images.json")).replace("q.images.f32", "copy.images.f32"));
        assertEquals(items, data.readVqa(copy).items());
    }

    @Test
    void aQuestionAboutAMissingImageNamesTheFileQuestionAndField() {
        images(0.5f);
        Path questions = lines(dir, "q.jsonl", RED, IS_SQUARE.replace("img1", "img7"));
        String message = invalid(() -> data.readVqa(questions));
        assertTrue(message.contains("q.jsonl") && message.contains("question 'q2'") && message.contains("field 'image'")
                && message.contains("no image 'img7'") && message.contains("q.images.jsonl"), message);
    }

    @Test
    void aMissingImageSetIsNamed() {
        Path questions = lines(dir, "q.jsonl", RED);
        String message = invalid(() -> data.readVqa(questions));
        assertTrue(message.contains("q.jsonl: its images are missing: no image set ")
                && message.contains("q.images.jsonl"), message);
    }

    @Test
    void aBadFormOrAMissingFieldIsRefusedWithItsLineAndField() {
        images(0.5f);
        Path badForm = lines(dir, "q.jsonl", RED, IS_SQUARE.replace("yes-no", "riddle"));
        String message = invalid(() -> data.readVqa(badForm));
        assertTrue(message.contains("q.jsonl") && message.contains("field 'form'")
                && message.contains("must be one of template, paraphrase, yes-no") && message.contains("riddle"), message);
        Path noAttribute = lines(dir, "q.jsonl", RED.replace(",\"attribute\":\"colour\"", ""));
        message = invalid(() -> data.readVqa(noAttribute));
        assertTrue(message.contains("q.jsonl:1") && message.contains("field 'attribute'"), message);
        Path duplicate = lines(dir, "q.jsonl", RED, RED);
        message = invalid(() -> data.readVqa(duplicate));
        assertTrue(message.contains("q.jsonl") && message.contains("q1"), message);
    }
}

package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.data.VqaItem;
import org.lethe.core.config.SettingsValidator;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.data.VqaFiles;

/**
 * A run's data files are told apart by their first line: a question about an image ({@code image}
 * and {@code question}) is read with its image set and handed to methods by {@link CoreTask#vqa} and
 * {@code data(role, VqaItem.class)}; a plain question stays a question–answer item.
 */
class PlannedDataTest {

    @TempDir
    Path dir;

    private final JsonlDataService service = new JsonlDataService();

    @Test
    void aVisualQuestionFileIsReadWithItsImages() {
        Path file = VqaFiles.write(dir, "forget", VqaFiles.RED, VqaFiles.IS_SQUARE);
        PlannedData planned = PlannedData.read(service, file);
        assertEquals(PlannedData.Kind.VQA, planned.kind());
        assertEquals(service.readVqa(file).fingerprint(), planned.data().fingerprint());
        try (CoreTask task = new CoreTask(null, () -> null, Map.of("forget", planned), Map.of(), new SettingsValidator(), null)) {
            VqaItem first = task.vqa("forget").items().get(0);
            assertEquals("img0", first.image().id());
            assertEquals("red", first.answer());
            assertSame(task.vqa("forget"), task.data("forget", VqaItem.class));
            LetheException wrongKind = assertThrows(LetheException.class, () -> task.qa("forget"));
            assertTrue(wrongKind.getMessage().contains("the 'forget' data (forget) holds questions about images, not"
                    + " question–answer items"), wrongKind.getMessage());
            LetheException missing = assertThrows(LetheException.class, () -> task.vqa("retain"));
            assertTrue(missing.getMessage().contains("no 'retain' data"), missing.getMessage());
        }
    }

    @Test
    void aQuestionWithoutAnImageIsAQuestionAnswerItem() throws Exception {
        Path file = Files.writeString(dir.resolve("qa.jsonl"), "{\"question\":\"where was alice born ?\",\"answer\":\"paris\"}\n");
        PlannedData planned = PlannedData.read(service, file);
        assertEquals(PlannedData.Kind.QA, planned.kind());
        try (CoreTask task = new CoreTask(null, () -> null, Map.of("forget", planned), Map.of(), new SettingsValidator(), null)) {
            assertEquals("paris", task.data("forget", QaItem.class).items().get(0).answer());
            LetheException e = assertThrows(LetheException.class, () -> task.vqa("forget"));
            assertTrue(e.getMessage().contains("holds question–answer items, not questions about images"), e.getMessage());
        }
    }

    @Test
    void aVisualQuestionFileWithoutItsImagesIsRefusedNamingThem() throws Exception {
        Path file = Files.writeString(dir.resolve("alone.jsonl"), VqaFiles.RED + "\n");
        LetheException e = assertThrows(LetheException.class, () -> PlannedData.read(service, file));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("alone.images.jsonl"), e.getMessage());
    }
}

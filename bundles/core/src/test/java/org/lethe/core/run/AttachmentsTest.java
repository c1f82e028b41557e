package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.core.config.SettingsValidator;

/**
 * What a run may attach ({@link Attachments}, behind {@link CoreTask#attach}): unique names, plain
 * file names that are exactly the attachment's files, never a file of the base version; and an
 * evaluation's task refuses to attach at all.
 */
class AttachmentsTest {

    @TempDir
    Path dir;

    private static final ModelManifest.Attachment KEPT = new ModelManifest.Attachment(
            ModelManifest.Attachment.Type.INTERVENTION, "kept", List.of("kept.bin"),
            Map.of(Intervention.ATTACHMENT_KEY, "edit"), true);

    private static final ModelManifest BASE = new ModelManifest(new ModelRef("m", 2), ModelKind.VISION_LANGUAGE, "arch",
            Map.of(), Optional.of(new ModelRef("m", 1)), Optional.empty(),
            Map.of("weights.safetensors", "00", "kept.bin", "11"), List.of(KEPT), Instant.EPOCH);

    private static ModelManifest.Attachment intervention(String name, String... files) {
        return new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, name, List.of(files),
                Map.of(Intervention.ATTACHMENT_KEY, "edit", "layer", "fusion.0"), true);
    }

    private static String refused(Attachments attachments, ModelManifest.Attachment attachment, Map<String, byte[]> files) {
        LetheException e = assertThrows(LetheException.class, () -> attachments.add(attachment, files));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        return e.getMessage();
    }

    @Test
    void goodAttachmentsAreKeptAfterTheBasesAndWrittenBesideTheWeights() throws Exception {
        Attachments attachments = new Attachments(BASE, "edit"::equals);
        byte[] sae = {1, 2, 3};
        attachments.add(intervention("sauce-red", "sae.safetensors", "features.json"),
                Map.of("sae.safetensors", sae, "features.json", new byte[] {'{', '}'}));
        sae[0] = 9; // the bytes were copied when attached
        attachments.add(intervention("sauce-blue"), Map.of());
        assertEquals(List.of("kept", "sauce-red", "sauce-blue"),
                attachments.attachments().stream().map(ModelManifest.Attachment::name).toList());
        assertEquals(2, attachments.added().size());

        Files.write(dir.resolve("weights.safetensors"), new byte[] {0});
        attachments.write(dir);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("sae.safetensors")));
        assertEquals("{}", Files.readString(dir.resolve("features.json")));
    }

    @Test
    void badAttachmentsAreRefusedNamingTheProblem() {
        Attachments attachments = new Attachments(BASE, "edit"::equals);
        byte[] b = {1};
        assertTrue(refused(attachments, intervention("kept", "x.bin"), Map.of("x.bin", b))
                .contains("attachment 'kept': the name is taken by an attachment of the base version m:2"));
        assertTrue(refused(attachments, intervention("a", "weights.safetensors"), Map.of("weights.safetensors", b))
                .contains("file 'weights.safetensors' would overwrite a file of the base version m:2"));
        assertTrue(refused(attachments, intervention("a", "kept.bin"), Map.of("kept.bin", b))
                .contains("file 'kept.bin' would overwrite"));
        for (String name : List.of("../x.bin", "sub/x.bin", ".hidden", "a b", "")) {
            assertTrue(refused(attachments, intervention("a", name), Map.of(name, b))
                    .contains("file name '" + name + "' is not a plain file name"), name);
        }
        assertTrue(refused(attachments, intervention("a", "manifest.json"), Map.of("manifest.json", b))
                .contains("file name 'manifest.json' is reserved by the model store"));
        assertTrue(refused(attachments, intervention("a", "x.bin"), Map.of("y.bin", b))
                .contains("attachment 'a': its files [x.bin] are not the files given [y.bin]"));
        assertTrue(refused(attachments, intervention("a", "x.bin", "x.bin"), Map.of("x.bin", b))
                .contains("lists the file 'x.bin' twice"));
        assertTrue(refused(attachments, intervention(" "), Map.of()).contains("needs a name"));
        assertTrue(refused(attachments, new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, "a",
                List.of(), Map.of("layer", "fusion.0"), true), Map.of())
                .contains("attachment 'a': an intervention names its type under the config key 'intervention'"));
        assertTrue(refused(attachments, intervention("a"), null).contains("no files given"));
        assertTrue(refused(attachments, new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, "a",
                List.of(), Map.of(Intervention.ATTACHMENT_KEY, "other"), true), Map.of())
                .contains("attachment 'a': no deployed bundle provides the intervention type 'other'"));

        attachments.add(intervention("first", "x.bin"), Map.of("x.bin", b));
        assertTrue(refused(attachments, intervention("first", "z.bin"), Map.of("z.bin", b))
                .contains("attachment 'first': the name is taken by an attachment of this run"));
        assertTrue(refused(attachments, intervention("second", "x.bin"), Map.of("x.bin", b))
                .contains("file 'x.bin' is already attached by this run"));
        assertEquals(List.of("kept", "first"),
                attachments.attachments().stream().map(ModelManifest.Attachment::name).toList(), "refusals keep nothing");
    }

    @Test
    void weightsSavedUnderAnAttachedNameFailTheCommit() throws Exception {
        Attachments attachments = new Attachments(BASE, "edit"::equals);
        attachments.add(intervention("a", "extra.safetensors"), Map.of("extra.safetensors", new byte[] {1}));
        Files.write(dir.resolve("extra.safetensors"), new byte[] {0});
        LetheException e = assertThrows(LetheException.class, () -> attachments.write(dir));
        assertEquals(LetheException.FAILED, e.exitStatus());
        assertTrue(e.getMessage().contains("'extra.safetensors'"), e.getMessage());
        assertArrayEquals(new byte[] {0}, Files.readAllBytes(dir.resolve("extra.safetensors")), "the weights were kept");
    }

    @Test
    void anEvaluationsTaskRefusesToAttach() {
        try (CoreTask task = new CoreTask(null, () -> null, Map.of(), Map.of(), new SettingsValidator(), null)) {
            LetheException e = assertThrows(LetheException.class,
                    () -> task.attach(intervention("a", "x.bin"), Map.of("x.bin", new byte[] {1})));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("an evaluation commits no model, so it cannot attach 'a'"), e.getMessage());
        }
    }
}

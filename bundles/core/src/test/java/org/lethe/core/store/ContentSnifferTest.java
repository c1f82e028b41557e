package org.lethe.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.core.store.ContentSniffer.Format;

class ContentSnifferTest {

    @TempDir
    Path dir;

    private Format sniff(String name, byte[] bytes) {
        return ContentSniffer.sniff(TestFiles.write(dir, name, bytes));
    }

    private LetheException refused(String name, byte[] bytes, boolean trusted, String... fragments) {
        Path file = TestFiles.write(dir, name, bytes);
        LetheException e = assertThrows(LetheException.class, () -> ContentSniffer.requireAccepted(file, trusted));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
        return e;
    }

    @Test
    void safetensorsIsRecognisedWhateverItsName() {
        assertEquals(Format.SAFETENSORS, sniff("weights.bin", TestFiles.validSafetensors()));
        assertEquals(Format.SAFETENSORS, ContentSniffer.requireAccepted(dir.resolve("weights.bin"), false));
    }

    @Test
    void malformedSafetensorsIsAnErrorNotAnotherFormat() {
        refused("w.safetensors", TestFiles.withLength(1L << 40, "{}".getBytes(StandardCharsets.UTF_8)), false,
                "header length");
    }

    @Test
    void pickleNamedSafetensorsIsRefused() {
        assertEquals(Format.PICKLE, sniff("model.safetensors", TestFiles.pickle()));
        refused("model2.safetensors", TestFiles.pickle(), true, ContentSniffer.PICKLE_REFUSED);
    }

    @Test
    void everyBinaryPickleProtocolIsRefused() {
        for (int protocol = 2; protocol <= 5; protocol++) {
            byte[] bytes = TestFiles.pickle();
            bytes[1] = (byte) protocol;
            assertEquals(Format.PICKLE, sniff("p" + protocol + ".pt", bytes));
        }
    }

    @Test
    void protocolZeroPickleTextIsRefused() {
        byte[] bytes = "cos\nsystem\n(S'touch /tmp/pwned'\ntR.".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Format.PICKLE, sniff("model.bin", bytes));
        refused("model2.bin", bytes, false, ContentSniffer.PICKLE_REFUSED);
    }

    @Test
    void pytorchZipCheckpointIsRefused() {
        assertEquals(Format.PYTORCH_ZIP, sniff("model.safetensors", TestFiles.pytorchCheckpoint()));
        refused("model.pt", TestFiles.pytorchCheckpoint(), true, "PyTorch zip checkpoint", ContentSniffer.PICKLE_REFUSED);
    }

    @Test
    void torchScriptIsRefusedUnlessTrusted() {
        assertEquals(Format.TORCHSCRIPT, sniff("traced.pt", TestFiles.torchScript()));
        refused("traced.pt", TestFiles.torchScript(), false, "TorchScript", "trusted");
        assertEquals(Format.TORCHSCRIPT, ContentSniffer.requireAccepted(dir.resolve("traced.pt"), true));
    }

    @Test
    void torchScriptWithTopLevelEntriesIsRecognised() {
        byte[] bytes = TestFiles.zip(Map.of("code/m.py", new byte[1], "constants.pkl", TestFiles.pickle()));
        assertEquals(Format.TORCHSCRIPT, sniff("m.zip", bytes));
    }

    @Test
    void djlFormatsAreAccepted() {
        assertEquals(Format.DJL_PARAMS, sniff("mlp-0000.params", TestFiles.djlParams()));
        assertEquals(Format.DJL_NDLIST, sniff("arrays.ndlist", TestFiles.djlNdList()));
        assertEquals(Format.DJL_PARAMS, ContentSniffer.requireAccepted(dir.resolve("mlp-0000.params"), false));
    }

    @Test
    void textIsAcceptedEvenWithABraceAtByteEight() {
        assertEquals(Format.TEXT, sniff("config.json", "{\"abcde\":{\"x\":1}}\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Format.TEXT, sniff("vocab.txt", "a\nb\nc\u00e9\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void numpyIsRefused() {
        byte[] npy = "\u0093NUMPY\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(Format.NUMPY, sniff("a.npy", npy));
        refused("b.npy", npy, true, "NumPy");
        assertEquals(Format.NUMPY, sniff("a.npz", TestFiles.zip(Map.of("arr_0.npy", npy))));
    }

    @Test
    void unknownContentIsRefused() {
        refused("empty.safetensors", new byte[0], true, "not in a recognised format");
        refused("random.bin", new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true, "not in a recognised format");
        refused("broken.zip", new byte[] {'P', 'K', 3, 4, 0, 0, 0}, true, "not in a recognised format");
        refused("latin1.txt", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), true, "not in a recognised format");
    }

    @Test
    void linksAndMissingFilesAreRefused() throws IOException {
        Path target = TestFiles.write(dir, "real.safetensors", TestFiles.validSafetensors());
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), target);
        LetheException e = assertThrows(LetheException.class, () -> ContentSniffer.sniff(link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertThrows(LetheException.class, () -> ContentSniffer.sniff(dir.resolve("absent")));
    }
}

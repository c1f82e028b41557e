package org.lethe.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;

class SafetensorsHeaderTest {

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) {
        return TestFiles.write(dir, name, bytes);
    }

    /** Asserts the file is refused as invalid input whose message names the file and each fragment. */
    private LetheException refused(byte[] bytes, String... fragments) {
        Path file = file("bad.safetensors", bytes);
        LetheException e = assertThrows(LetheException.class, () -> SafetensorsHeader.read(file));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
        return e;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    @Test
    void acceptsAValidFile() {
        SafetensorsHeader header = SafetensorsHeader.read(file("ok.safetensors", TestFiles.validSafetensors()));
        assertEquals(Map.of("format", "pt"), header.metadata());
        assertEquals(2, header.tensors().size());
        SafetensorsHeader.Tensor weight = header.tensors().get(0);
        assertEquals("layer.weight", weight.name());
        assertEquals("F32", weight.dtype());
        assertEquals(List.of(2L, 2L), weight.shape());
        assertEquals(0, weight.begin());
        assertEquals(16, weight.end());
        SafetensorsHeader.Tensor index = header.tensors().get(1);
        assertEquals(List.of(3L), index.shape());
        assertEquals(16, index.begin());
        assertEquals(40, index.end());
        assertEquals(40, header.dataSize());
        assertEquals(8 + header.headerLength(), header.dataOffset());
        header.requireDjlReadable();
    }

    @Test
    void acceptsEveryDtypeScalarsEmptyTensorsAndPaddedHeader() {
        String header = "{" + String.join(",",
                entry("f64", "F64", "[]", 0, 8),
                entry("f16", "F16", "[2]", 8, 12),
                entry("bf16", "BF16", "[1,1]", 12, 14),
                entry("i32", "I32", "[1]", 14, 18),
                entry("i8", "I8", "[2]", 18, 20),
                entry("u8", "U8", "[1]", 20, 21),
                entry("bool", "BOOL", "[3]", 21, 24),
                entry("empty", "F32", "[0,5]", 24, 24)) + "}     ";
        SafetensorsHeader parsed = SafetensorsHeader.read(file("all.safetensors",
                TestFiles.safetensors(header, new byte[24])));
        assertEquals(8, parsed.tensors().size());
    }

    @Test
    void acceptsAnEmptyHeader() {
        assertEquals(0, SafetensorsHeader.read(file("empty.safetensors", TestFiles.safetensors("{}", new byte[0])))
                .tensors().size());
    }

    @Test
    void refusesAFileShorterThanTheLengthField() {
        refused(new byte[] {1, 2, 3}, "too short");
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() {
        refused(TestFiles.withLength(1_000_000, "{}".getBytes(StandardCharsets.UTF_8)), "header length 1000000",
                "exceeds");
    }

    @Test
    void refusesAGigabyteHeaderLengthWithoutAllocating() {
        byte[] bytes = TestFiles.withLength(3L << 30, "{\"a\":{}}".getBytes(StandardCharsets.UTF_8));
        Path file = file("huge.safetensors", bytes);
        long allocated = allocatedBytes(() -> assertThrows(LetheException.class, () -> SafetensorsHeader.read(file)));
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes to refuse a 3 GiB header length");
    }

    @Test
    void refusesAHeaderLongerThanTheCapWithoutAllocating() throws IOException {
        // A sparse file just over the cap: the length fits in the file but exceeds 100 MiB.
        Path file = dir.resolve("capped.safetensors");
        long length = SafetensorsHeader.MAX_HEADER_BYTES + 1;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(TestFiles.withLength(length, new byte[] {'{'}));
            raf.setLength(8 + length + 16);
        }
        long allocated = allocatedBytes(() -> {
            LetheException e = assertThrows(LetheException.class, () -> SafetensorsHeader.read(file));
            assertTrue(e.getMessage().contains("exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES), e.getMessage());
        });
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes to refuse a 100 MiB header");
    }

    @Test
    void refusesAHeaderLengthOfTwoToTheForty() {
        refused(TestFiles.withLength(1L << 40, "{}".getBytes(StandardCharsets.UTF_8)), "header length 1099511627776");
    }

    @Test
    void refusesANegativeHeaderLength() {
        // -1 as a signed long is 2^64 - 1 unsigned.
        refused(TestFiles.withLength(-1, "{}".getBytes(StandardCharsets.UTF_8)), "header length 18446744073709551615");
        refused(TestFiles.withLength(Long.MIN_VALUE, "{}".getBytes(StandardCharsets.UTF_8)), "header length");
    }

    @Test
    void refusesAHeaderLengthBelowTwo() {
        refused(TestFiles.withLength(1, "{}".getBytes(StandardCharsets.UTF_8)), "below the minimum");
        refused(TestFiles.withLength(0, "{}".getBytes(StandardCharsets.UTF_8)), "below the minimum");
    }

    @Test
    void refusesBadJson() {
        refused(TestFiles.safetensors("{\"a\": {\"dtype\": ", new byte[0]), "not valid JSON");
    }

    @Test
    void refusesContentAfterTheJsonObject() {
        refused(TestFiles.safetensors("{} {}", new byte[0]), "after the header");
    }

    @Test
    void refusesAHeaderThatDoesNotStartWithABrace() {
        // DJL recognises safetensors by byte 8 being '{': anything else it would decode as another format.
        refused(TestFiles.safetensors(" {}", new byte[0]), "does not start with '{'");
        refused(TestFiles.safetensors("[1]", new byte[0]), "does not start with '{'");
    }

    @Test
    void refusesAHeaderThatIsNotUtf8() {
        byte[] header = {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
        refused(TestFiles.withLength(header.length, header), "not valid UTF-8");
    }

    @Test
    void refusesOffsetsPastTheEndOfFile() {
        refused(TestFiles.safetensors("{" + entry("w", "F32", "[4]", 0, 16) + "}", new byte[8]),
                "tensor 'w'", "past the end of the data section");
        refused(TestFiles.safetensors("{" + entry("w", "U8", "[2147483647]", 0, 2147483647L) + "}", new byte[8]),
                "tensor 'w'", "past the end");
    }

    @Test
    void refusesShapeTimesDtypeDifferentFromTheSpan() {
        refused(TestFiles.safetensors("{" + entry("w", "F32", "[10,10]", 0, 16) + "}", new byte[16]),
                "tensor 'w'", "needs 400 bytes", "span 16");
    }

    @Test
    void refusesAnUnknownDtype() {
        refused(TestFiles.safetensors("{" + entry("w", "F8_E4M3", "[4]", 0, 4) + "}", new byte[4]),
                "tensor 'w'", "unknown dtype 'F8_E4M3'");
    }

    @Test
    void refusesDuplicateTensorNames() {
        refused(TestFiles.safetensors("{" + entry("w", "U8", "[4]", 0, 4) + "," + entry("w", "U8", "[4]", 4, 8) + "}",
                new byte[8]), "duplicate");
    }

    @Test
    void refusesADuplicateFieldInAnEntry() {
        refused(TestFiles.safetensors("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,4]}}",
                new byte[4]), "duplicate");
    }

    @Test
    void refusesOverlappingOffsets() {
        refused(TestFiles.safetensors("{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 2, 6) + ","
                + entry("c", "U8", "[2]", 6, 8) + "}", new byte[8]), "overlap");
    }

    @Test
    void refusesAGapBetweenTensors() {
        refused(TestFiles.safetensors("{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[2]", 6, 8) + "}",
                new byte[8]), "tensor 'b'", "gap");
    }

    @Test
    void refusesDataNotCoveredByTheHeader() {
        refused(TestFiles.safetensors("{" + entry("a", "U8", "[4]", 0, 4) + "}", new byte[8]), "cover 4 of the 8");
    }

    @Test
    void refusesBadShapes() {
        refused(TestFiles.safetensors("{" + entry("w", "U8", "[-4]", 0, 4) + "}", new byte[4]), "tensor 'w'",
                "shape[0] must be a non-negative integer");
        refused(TestFiles.safetensors("{" + entry("w", "U8", "[1.5]", 0, 4) + "}", new byte[4]), "shape[0]");
        refused(TestFiles.safetensors("{" + entry("w", "U8", "[99999999999999999999]", 0, 4) + "}", new byte[4]),
                "shape[0]");
        refused(TestFiles.safetensors("{" + entry("w", "F64", "[4294967296,4294967296]", 0, 4) + "}", new byte[4]),
                "tensor 'w'", "63 bits");
        refused(TestFiles.safetensors("{" + entry("w", "F64", "[1152921504606846976]", 0, 4) + "}", new byte[4]),
                "tensor 'w'", "overflows");
        refused(TestFiles.safetensors("{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,4]}}", new byte[4]), "field shape");
    }

    @Test
    void refusesBadOffsets() {
        refused(TestFiles.safetensors("{" + entry("w", "U8", "[0]", 4, 0) + "}", new byte[4]), "begin after end");
        refused(TestFiles.safetensors("{\"w\":{\"dtype\":\"U8\",\"shape\":[4]}}", new byte[4]), "data_offsets");
        refused(TestFiles.safetensors("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4,8]}}", new byte[4]),
                "data_offsets must be an array of 2");
        refused(TestFiles.safetensors("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,\"4\"]}}", new byte[4]),
                "data_offsets[1]");
        refused(TestFiles.safetensors("{\"w\":{\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]), "field dtype");
    }

    @Test
    void refusesBadMetadata() {
        refused(TestFiles.safetensors("{\"__metadata__\":{\"epochs\":3}}", new byte[0]), "__metadata__.epochs",
                "must be a string");
        refused(TestFiles.safetensors("{\"__metadata__\":[\"x\"]}", new byte[0]), "__metadata__ must be an object");
    }

    @Test
    void refusesAnEntryThatIsNotAnObject() {
        refused(TestFiles.safetensors("{\"w\":[1,2]}", new byte[0]), "tensor 'w'", "must be an object");
    }

    @Test
    void escapesControlCharactersInNames() {
        LetheException e = refused(TestFiles.safetensors("{" + entry("w\\u001b[2J", "X", "[4]", 0, 4) + "}",
                new byte[4]), "unknown dtype");
        assertTrue(e.getMessage().contains("w\\u001b[2J"), e.getMessage());
    }

    @Test
    void itemSizes() {
        assertEquals(8, SafetensorsHeader.itemSize("F64"));
        assertEquals(2, SafetensorsHeader.itemSize("BF16"));
        assertEquals(1, SafetensorsHeader.itemSize("BOOL"));
        assertEquals(-1, SafetensorsHeader.itemSize("F8_E5M2"));
    }

    /** @return the bytes this thread allocated while running {@code action} (HotSpot; 0 elsewhere) */
    static long allocatedBytes(Runnable action) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean)) {
            action.run();
            return 0;
        }
        action.run(); // warm up: class initialisation (Jackson, JUnit) is not what is measured
        com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) bean;
        long id = Thread.currentThread().getId();
        long before = hotspot.getThreadAllocatedBytes(id);
        action.run();
        return hotspot.getThreadAllocatedBytes(id) - before;
    }
}

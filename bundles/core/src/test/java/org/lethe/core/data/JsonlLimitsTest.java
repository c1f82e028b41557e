package org.lethe.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.lethe.core.data.Files2.invalid;
import static org.lethe.core.data.Files2.lines;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.DataService;

/** Limits and hostile bytes: long lines, many items, invalid UTF-8. */
class JsonlLimitsTest {

    @TempDir
    Path dir;

    @Test
    void tenMegabyteLineIsRefusedFastWithoutReadingItWhole() throws IOException {
        Path f = dir.resolve("huge.jsonl");
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write("{\"question\":\"q\",\"answer\":\"a\"}\n{\"question\":\"".getBytes(StandardCharsets.UTF_8));
            for (int written = 0; written < 10 << 20; written += chunk.length) {
                out.write(chunk);
            }
            out.write("\",\"answer\":\"a\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        JsonlDataService data = new JsonlDataService();
        com.sun.management.ThreadMXBean threads = allocationCounter();
        long before = threads.getCurrentThreadAllocatedBytes();
        String m = assertTimeout(Duration.ofSeconds(5), () -> invalid(() -> data.readQa(f)));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(f + ":2: line too long: more than the limit of " + DataService.MAX_LINE_BYTES + " bytes a line", m);
        assertTrue(allocated < 5L << 20, "allocated " + allocated + " bytes for a 10 MB line");
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        return threads;
    }

    @Test
    void lineLimitIsInclusiveAndCrlfDoesNotCount() {
        JsonlDataService data = new JsonlDataService(40, 10, AtomicFiles.BeforeMove.NONE);
        String atLimit = "{\"text\":\"" + "t".repeat(40 - 11) + "\"}";
        assertEquals(40, atLimit.length());
        Path ok = Files2.bytes(dir, "ok.jsonl", (atLimit + "\r\n" + atLimit.replace("tt", "uu")).getBytes(StandardCharsets.UTF_8));
        assertEquals(2, data.readDocuments(ok).size());
        Path over = lines(dir, "over.jsonl", atLimit, "{\"text\":\"" + "t".repeat(40 - 10) + "\"}");
        assertEquals(over + ":2: line too long: more than the limit of 40 bytes a line",
                invalid(() -> data.readDocuments(over)));
    }

    @Test
    void tooManyItems() {
        JsonlDataService data = new JsonlDataService(1024, 3, AtomicFiles.BeforeMove.NONE);
        Path three = lines(dir, "three.jsonl", "{\"text\":\"a\"}", "", "{\"text\":\"b\"}", "{\"text\":\"c\"}");
        assertEquals(3, data.readDocuments(three).size());
        Path four = lines(dir, "four.jsonl", "{\"text\":\"a\"}", "", "{\"text\":\"b\"}", "{\"text\":\"c\"}", "", "{\"text\":\"d\"}");
        assertEquals(four + ":6: too many items: more than the limit of 3 items a file", invalid(() -> data.readDocuments(four)));
    }

    @Test
    void invalidUtf8IsRefusedNamingLineAndByte() {
        byte[] good = "{\"text\":\"caf\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', 'c', 'a', 'f', (byte) 0xC3, '"', '}', '\n'};
        byte[] both = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        Path f = Files2.bytes(dir, "latin.jsonl", both);
        assertEquals(f + ":2: invalid UTF-8 at byte 13 of the line (0xC3)", invalid(() -> new JsonlDataService().readDocuments(f)));
    }

    @Test
    void latin1AndOverlongAndSurrogateEncodingsAreNotUtf8() {
        JsonlDataService data = new JsonlDataService();
        for (byte[] seq : new byte[][] {{(byte) 0xE9}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xFF}}) {
            byte[] line = new byte[10 + seq.length];
            byte[] head = "{\"text\":\"".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(head, 0, line, 0, head.length);
            System.arraycopy(seq, 0, line, head.length, seq.length);
            line[line.length - 1] = '"';
            byte[] file = Arrays.copyOf(line, line.length + 2);
            file[line.length] = '}';
            file[line.length + 1] = '\n';
            Path f = Files2.bytes(dir, "bad.jsonl", file);
            String m = invalid(() -> data.readDocuments(f));
            assertTrue(m.startsWith(f + ":1: invalid UTF-8 at byte 10 of the line"), m);
        }
    }
}

package org.lethe.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Splits a byte stream into lines at {@code '\n'} without ever holding more than one line (capped at
 * a fixed length) in memory, and feeds every byte it reads to a digest, so the fingerprint is of
 * exactly the bytes that were parsed.
 *
 * <p>A line longer than the limit is refused as soon as the limit is passed: the rest of the line is
 * never read. A trailing {@code '\r'} (CRLF files) is removed and does not count. Not thread-safe.
 */
final class BoundedLineReader {

    /** Thrown when a line passes the limit; carries the 1-based line number. */
    static final class LineTooLongException extends Exception {
        private static final long serialVersionUID = 1L;
        private final long line;

        /** @param line the 1-based number of the line that is too long */
        LineTooLongException(long line) {
            super(null, null, false, false);
            this.line = line;
        }

        /** @return the 1-based number of the line that is too long */
        long line() {
            return line;
        }
    }

    private static final int CHUNK = 64 * 1024;
    private static final int INITIAL_LINE = 8 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final MessageDigest digest;
    private final byte[] chunk = new byte[CHUNK];
    private int chunkPos;
    private int chunkEnd;
    private boolean eof;
    private byte[] line;
    private int lineLength;
    private long lineNumber;

    /**
     * @param in the source; read in chunks, never closed here
     * @param maxLineBytes the longest accepted line, in bytes, without its terminator
     * @param digest receives every byte read
     */
    BoundedLineReader(InputStream in, int maxLineBytes, MessageDigest digest) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.digest = digest;
        this.line = new byte[Math.min(INITIAL_LINE, maxLineBytes + 1)];
    }

    /**
     * Reads the next line. Its bytes are in {@link #bytes()} up to {@link #length()} until the next call.
     *
     * @return false at the end of the stream (no further line)
     * @throws LineTooLongException when the line passes the limit
     * @throws IOException when the stream fails
     */
    boolean next() throws IOException, LineTooLongException {
        lineLength = 0;
        if (chunkPos == chunkEnd && !fill()) {
            return false;
        }
        lineNumber++;
        while (true) {
            int start = chunkPos;
            int end = chunkEnd;
            int newline = -1;
            for (int i = start; i < end; i++) {
                if (chunk[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int stop = newline < 0 ? end : newline;
            append(start, stop - start);
            if (newline >= 0) {
                chunkPos = newline + 1;
                break;
            }
            chunkPos = end;
            if (!fill()) {
                break;
            }
        }
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        if (lineLength > maxLineBytes) {
            throw new LineTooLongException(lineNumber);
        }
        return true;
    }

    /** @return the buffer holding the current line (valid up to {@link #length()}) */
    byte[] bytes() {
        return line;
    }

    /** @return the current line's length in bytes, without its terminator */
    int length() {
        return lineLength;
    }

    /** @return the 1-based number of the current line */
    long lineNumber() {
        return lineNumber;
    }

    /** Refills the chunk buffer (and the digest); false at the end of the stream. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(chunk, 0, CHUNK);
        while (n == 0) {
            n = in.read(chunk, 0, CHUNK);
        }
        if (n < 0) {
            eof = true;
            chunkPos = chunkEnd = 0;
            return false;
        }
        digest.update(chunk, 0, n);
        chunkPos = 0;
        chunkEnd = n;
        return true;
    }

    private void append(int from, int count) throws LineTooLongException {
        if (count == 0) {
            return;
        }
        // One byte of slack for a '\r' that a following '\n' would remove.
        int needed = lineLength + count;
        if (needed > maxLineBytes + 1) {
            throw new LineTooLongException(lineNumber);
        }
        if (needed > line.length) {
            int grown = (int) Math.min((long) maxLineBytes + 1, Math.max(2L * line.length, needed));
            line = Arrays.copyOf(line, grown);
        }
        System.arraycopy(chunk, from, line, lineLength, count);
        lineLength = needed;
    }
}

package org.lethe.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The container's log file: one writer, appended line by line. The OSGi log reaches it through
 * the {@code Consumer<String>} sink the launcher registers; the JVM's standard error is teed into
 * it, so that libraries logging through SLF4J Simple land there too.
 */
public final class LogFile implements Consumer<String>, AutoCloseable {

    /** The previous run's file is kept once, as {@code lethe.log.1}. */
    private static final long ROTATE_BYTES = 16L << 20;

    /**
     * SLF4J Simple's lines below WARN (format set in etc/system.properties: date, thread, level in
     * brackets): they go to the file only, so the console shows WARN and above.
     */
    private static final Pattern QUIET_SLF4J_LINE = Pattern.compile("^\\S+ \\[[^\\]]*\\] \\[(INFO|DEBUG|TRACE)\\] .*");

    /**
     * The first line of a printed stack trace: the exception's class name, then its message. SLF4J
     * Simple prints it right after the log line, untabbed, so it would otherwise start a fresh line.
     */
    private static final Pattern TRACE_START = Pattern.compile("^(?:[A-Za-z_$][\\w$]*\\.)+[A-Za-z_$][\\w$]*(?::.*)?$");

    private final Writer writer;

    private LogFile(Writer writer) {
        this.writer = writer;
    }

    /** Opens (and, past 16 MiB, first rotates) the log file. */
    public static LogFile open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file) && Files.size(file) > ROTATE_BYTES) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        return new LogFile(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    @Override
    public synchronized void accept(String line) {
        try {
            writer.write(line);
            writer.write(System.lineSeparator());
            writer.flush();
        } catch (IOException e) {
            // the log must never take the container down; the console still has WARN and above
        }
    }

    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }

    /**
     * A stream for {@code System.err} that copies every line to this file and passes it on to the
     * console unless it is an SLF4J Simple line below WARN.
     */
    public PrintStream teeTo(PrintStream console) {
        return new PrintStream(new LineTee(console), true, StandardCharsets.UTF_8);
    }

    static boolean quietOnConsole(String line) {
        return QUIET_SLF4J_LINE.matcher(line).matches();
    }

    private final class LineTee extends OutputStream {
        private final PrintStream console;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        private boolean quiet;

        LineTee(PrintStream console) {
            this.console = console;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                flushLine();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        private void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String content = text.stripTrailing();
            // a stack trace keeps the fate of the line that started it
            boolean continuation = content.startsWith("\t") || content.startsWith("Caused by:")
                    || quiet && TRACE_START.matcher(content).matches();
            if (!continuation) {
                quiet = quietOnConsole(content);
            }
            accept(content);
            if (!quiet) {
                console.print(text);
                console.flush();
            }
        }

        @Override
        public synchronized void flush() {
            console.flush();
        }
    }
}

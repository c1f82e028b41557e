package org.lethe.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;

/**
 * Run records on disk: {@code runs/<key>/record.json}, each write atomic (a temporary file in the
 * same folder, forced to disk, renamed over the record), so a crash leaves the old record or the
 * new one, never half of one.
 */
final class RunRecords {

    static final String RECORD = "record.json";
    static final String LOG = "run.log";
    /** The run's notes ({@link org.lethe.api.run.RunContext#note}), one per line, UTF-8. */
    static final String NOTES = "notes.txt";

    private final Path root;

    RunRecords(Path root) {
        this.root = root;
    }

    Path folder(RunKey key) {
        return root.resolve(key.value());
    }

    void write(RunRecord record) {
        try {
            byte[] bytes = RunJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(RunJson.record(record));
            writeFile(record.key(), RECORD, bytes);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the record of run " + record.key() + ": " + e, e);
        }
    }

    /** Writes a file of the run's folder atomically (a temporary file, forced, moved over the target). */
    void writeFile(RunKey key, String name, byte[] bytes) {
        Path folder = folder(key);
        try {
            Files.createDirectories(folder);
            Path temp = Files.createTempFile(folder, ".record-", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + name + " of run " + key + " under " + folder + ": " + e, e);
        }
    }

    /** Reads a file of the run's folder; empty when it is not there. */
    java.util.Optional<byte[]> readFile(RunKey key, String name) {
        Path file = folder(key).resolve(name);
        try {
            return Files.isRegularFile(file) ? java.util.Optional.of(Files.readAllBytes(file)) : java.util.Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Reads every record. Runs that were queued or running when the container went away are
     * rewritten as FAILED(interrupted): their work was lost and nothing of it was committed.
     */
    List<RunRecord> recover() {
        List<RunRecord> records = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return records;
        }
        try (Stream<Path> folders = Files.list(root)) {
            for (Path folder : folders.toList()) {
                Path file = folder.resolve(RECORD);
                cleanTemporaries(folder);
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                RunRecord record;
                try {
                    JsonNode node = RunJson.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
                    record = RunJson.record(node);
                } catch (IOException | RuntimeException e) {
                    continue; // unreadable: not ours, or damaged outside Lethe; never fatal for the others
                }
                if (!record.state().isTerminal()) {
                    record = new RunRecord(record.key(), record.spec(), RunState.FAILED,
                            Optional.of("interrupted: the container stopped while the run was " + record.state().name().toLowerCase()),
                            Optional.empty(), record.submitted(), record.started(), Optional.of(Instant.now()),
                            record.progress(), record.attempt());
                    write(record);
                }
                records.add(record);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list runs under " + root + ": " + e, e);
        }
        return records;
    }

    private static void cleanTemporaries(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                if (file.getFileName().toString().startsWith(".record-")) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }

    /**
     * Appends a note to the run's notes, one line (line breaks become spaces). Unlike the log, a
     * note that cannot be written fails the run: the reader of the result must see it.
     */
    void note(RunKey key, String line) {
        try {
            Files.createDirectories(folder(key));
            Files.writeString(folder(key).resolve(NOTES), line.replaceAll("\\R", " ") + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the note of run " + key + ": " + e.getMessage(), e);
        }
    }

    /** @return the run's notes, in order; empty when it has none */
    List<String> notes(RunKey key) {
        Path file = folder(key).resolve(NOTES);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the notes of run " + key + ": " + e.getMessage(), e);
        }
    }

    /** Appends a line to the run's log. */
    void log(RunKey key, String line) {
        try {
            Files.createDirectories(folder(key));
            Files.writeString(folder(key).resolve(LOG), Instant.now() + " " + line + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the run log is a convenience; the record is what counts
        }
    }
}

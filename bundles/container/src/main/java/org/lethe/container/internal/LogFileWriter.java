package org.lethe.container.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Writes the OSGi log to the launcher's two sinks: every entry at {@code fileLevel} or above to the
 * log file under the data folder, entries at {@code consoleLevel} or above also to the console.
 *
 * <p>The launcher owns the file and the console and registers them as {@code Consumer<String>}
 * services with {@value #SINK_PROPERTY} = {@code file} or {@code console}; without a launcher
 * (e.g. in a test container) this component simply stays unsatisfied.
 */
@Component(immediate = true, configurationPid = LogFileWriter.PID)
@Designate(ocd = LogFileWriter.Config.class)
public final class LogFileWriter implements LogListener {

    /** Configuration PID (no hyphen: FileInstall splits file names at the first one). */
    static final String PID = "org.lethe.container.log";

    /** Service property on the launcher's sinks. */
    static final String SINK_PROPERTY = "lethe.log.sink";

    /** Thresholds of the two sinks. */
    @ObjectClassDefinition(name = "Lethe log", description = "Where the container log goes, by severity.")
    public @interface Config {

        /** @return the lowest level written to the log file */
        @AttributeDefinition(description = "Lowest level written to data/log/lethe.log: ERROR, WARN, INFO, DEBUG or TRACE.")
        LogLevel fileLevel() default LogLevel.INFO;

        /** @return the lowest level also shown on the console */
        @AttributeDefinition(description = "Lowest level also shown on the console: ERROR, WARN, INFO, DEBUG or TRACE.")
        LogLevel consoleLevel() default LogLevel.WARN;
    }

    @Reference
    private LogReaderService reader;

    @Reference(target = "(" + SINK_PROPERTY + "=file)")
    private Consumer<String> file;

    @Reference(target = "(" + SINK_PROPERTY + "=console)")
    private Consumer<String> console;

    private volatile Config config;

    @Activate
    void activate(Config config) {
        this.config = config;
        reader.addLogListener(this);
    }

    @Modified
    void modified(Config config) {
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        Config current = config;
        LogLevel level = entry.getLogLevel();
        if (current.fileLevel().implies(level)) {
            file.accept(format(entry, true));
        }
        if (current.consoleLevel().implies(level)) {
            console.accept(format(entry, false));
        }
    }

    /** One line (plus the stack trace in the file): time, level, bundle, message. */
    static String format(LogEntry entry, boolean withStackTrace) {
        StringBuilder line = new StringBuilder()
                .append(Instant.ofEpochMilli(entry.getTime()))
                .append(' ').append(String.format("%-5s", entry.getLogLevel()))
                .append(" [").append(entry.getBundle() == null ? "?" : entry.getBundle().getSymbolicName())
                .append("] ").append(entry.getMessage());
        Throwable error = entry.getException();
        if (error != null) {
            if (withStackTrace) {
                StringWriter trace = new StringWriter();
                error.printStackTrace(new PrintWriter(trace));
                line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
            } else {
                line.append(": ").append(error);
            }
        }
        return line.toString();
    }
}

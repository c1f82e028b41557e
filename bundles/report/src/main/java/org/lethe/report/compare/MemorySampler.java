package org.lethe.report.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the process's resident set size (Linux {@code /proc/self/status}, {@code VmRSS}) every
 * {@value #PERIOD_MS} ms while a run executes. libtorch allocates off the JVM heap, so the resident
 * size, not the heap, is the memory a run costs. Where {@code /proc} is absent every figure is 0.
 */
final class MemorySampler implements AutoCloseable {

    /** Sampling period in milliseconds: {@value}. */
    static final long PERIOD_MS = 20;

    private static final Path STATUS = Path.of("/proc/self/status");

    private final AtomicLong peakKb = new AtomicLong();
    private final long idleKb;
    private final Thread thread;
    private volatile boolean running = true;

    /** Takes the idle figure now and starts sampling. */
    MemorySampler() {
        idleKb = residentKb();
        peakKb.set(idleKb);
        thread = new Thread(() -> {
            while (running) {
                long now = residentKb();
                peakKb.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lethe-memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the resident high-water mark seen so far minus the idle figure, in MiB */
    double peakDeltaMb() {
        return Math.max(0, peakKb.get() - idleKb) / 1024.0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        peakKb.accumulateAndGet(residentKb(), Math::max);
    }

    /** @return the process's resident set size in KiB, or 0 when it cannot be read */
    static long residentKb() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is not mounted: memory is not measured
        }
        return 0;
    }
}

package org.lethe.djl.internal;

import java.nio.file.Path;
import java.util.Optional;
import org.lethe.djl.EngineStatus;

/** Immutable {@link EngineStatus}. */
record Status(boolean isAvailable, String engineVersion, String platform, Path nativeDir, String problem,
        long initMillis, int intraOpThreads) implements EngineStatus {

    static Status loaded(String version, String platform, Path nativeDir, long millis, int threads) {
        return new Status(true, version, platform, nativeDir, null, millis, threads);
    }

    static Status failed(String expectedVersion, String platform, Path nativeDir, String problem) {
        return new Status(false, expectedVersion, platform, nativeDir, problem, 0, 0);
    }

    @Override
    public String engineName() {
        return PYTORCH;
    }

    @Override
    public Optional<Path> nativeDirectory() {
        return Optional.ofNullable(nativeDir);
    }

    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(problem);
    }
}

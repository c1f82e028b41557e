package org.lethe.djl;

import java.nio.file.Path;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the platform bundle found when it started the engine. Registered once, whether or not the
 * engine loaded, so that health checks and the shell can say why it is missing.
 */
@ProviderType
public interface EngineStatus {

    /** Service property on the {@code Engine} service and on this one: the engine name, a {@code String}. */
    String ENGINE_NAME = "lethe.engine";

    /** Service property: the engine's native library version, a {@code String} (e.g. {@code 2.7.1}). */
    String ENGINE_VERSION = "lethe.engine.version";

    /** Service property on this service: whether the engine loaded, a {@code Boolean}. */
    String ENGINE_AVAILABLE = "lethe.engine.available";

    /** Framework or system property naming the folder of pre-extracted native libraries. */
    String NATIVE_DIR_PROPERTY = "PYTORCH_LIBRARY_PATH";

    /** Name of the only engine Lethe loads. */
    String PYTORCH = "PyTorch";

    /** @return true when the engine loaded and ran its first operation */
    boolean isAvailable();

    /** @return the engine name, {@value #PYTORCH} */
    String engineName();

    /** @return the native library version when available, else the version the bundle expects */
    String engineVersion();

    /** @return the platform as DJL names it, e.g. {@code linux-x86_64} */
    String platform();

    /** @return the folder the native libraries were (or should have been) loaded from; empty if unset */
    Optional<Path> nativeDirectory();

    /** @return why the engine is not available, in one sentence that says what to add; empty when available */
    Optional<String> failure();

    /** @return wall-clock milliseconds from the first touch of the engine to its first finished operation; 0 when unavailable */
    long initMillis();

    /** @return libtorch intra-op threads in use; 0 when unavailable */
    int intraOpThreads();
}

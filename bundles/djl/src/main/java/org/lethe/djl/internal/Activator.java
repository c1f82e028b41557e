package org.lethe.djl.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Hashtable;
import org.lethe.djl.EngineStatus;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the PyTorch engine once, under this bundle's class loader, and publishes it.
 *
 * <p>DJL picks its engine through the thread context class loader the first time {@link Engine} is
 * touched, and libtorch loads once per JVM; so the first touch happens here, with the TCCL set to
 * this bundle, and this bundle is never refreshed. A failure never fails the bundle: it is recorded
 * in the {@link EngineStatus} service (and logged once), so the container stays up and says why.
 */
public final class Activator implements BundleActivator {

    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);

    @Override
    public void start(BundleContext context) {
        String djlVersion = context.getBundle().getHeaders().get("Lethe-DJL-Version");
        String pytorchVersion = context.getBundle().getHeaders().get("Lethe-PyTorch-Version");
        String platform = NativeLibraries.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        String dirProperty = context.getProperty(EngineStatus.NATIVE_DIR_PROPERTY);
        Path nativeDir = dirProperty == null || dirProperty.isBlank() ? null : Path.of(dirProperty).toAbsolutePath();

        String problem = new NativeLibraries(djlVersion, pytorchVersion).problem(platform, nativeDir);
        Status status;
        Engine engine = null;
        if (problem != null) {
            status = Status.failed(pytorchVersion, platform, nativeDir, problem);
        } else {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(Activator.class.getClassLoader());
            long start = System.nanoTime();
            try {
                engine = Engine.getEngine(EngineStatus.PYTORCH);
                try (NDManager manager = NDManager.newBaseManager()) {
                    NDArray sum = manager.ones(new ai.djl.ndarray.types.Shape(2, 2)).sum();
                    if (sum.getFloat() != 4f) {
                        throw new IllegalStateException("first operation returned " + sum.getFloat() + ", not 4");
                    }
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
                status = Status.loaded(engine.getVersion(), platform, nativeDir, millis, threads);
                LOG.info("PyTorch engine {} ready in {} ms (platform {}, natives {}, {} intra-op thread(s))",
                        engine.getVersion(), millis, platform, nativeDir, threads);
            } catch (Throwable e) { // an UnsatisfiedLinkError must not fail the bundle either
                engine = null;
                status = Status.failed(pytorchVersion, platform, nativeDir,
                        "PyTorch native library for " + platform + " in " + nativeDir + " could not be loaded ("
                                + e + "). Replace the folder's content with libtorch " + pytorchVersion
                                + " (cpu) for " + platform + " and restart the container.");
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
        if (!status.isAvailable()) {
            LOG.error(status.failure().orElseThrow());
        }

        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EngineStatus.ENGINE_NAME, EngineStatus.PYTORCH);
        props.put(EngineStatus.ENGINE_VERSION, status.engineVersion());
        props.put(EngineStatus.ENGINE_AVAILABLE, status.isAvailable());
        context.registerService(EngineStatus.class, status, props);
        if (engine != null) {
            Hashtable<String, Object> engineProps = new Hashtable<>();
            engineProps.put(EngineStatus.ENGINE_NAME, EngineStatus.PYTORCH);
            engineProps.put(EngineStatus.ENGINE_VERSION, status.engineVersion());
            context.registerService(Engine.class, engine, engineProps);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // Services go with the bundle; libtorch stays loaded until the JVM exits (it cannot be unloaded).
    }
}

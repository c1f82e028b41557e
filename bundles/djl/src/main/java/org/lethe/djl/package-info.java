/**
 * The DJL platform bundle's own contract: the state of the deep-learning engine in this container.
 *
 * <p>The bundle also exports {@code ai.djl.*} at DJL's version. Bundles that compute reference the
 * {@code ai.djl.engine.Engine} service (property {@link org.lethe.djl.EngineStatus#ENGINE_NAME}),
 * which exists only once the native library has loaded, so their components wait for it instead of
 * racing the engine start.
 */
@Export
@Version("1.0.0")
package org.lethe.djl;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Lethe's shared vocabulary: the service-property names by which the container selects methods,
 * probes, metrics, worlds and model architectures, and the exception that carries the exit status
 * a user sees.
 */
@Export
@Version("1.1.0")
package org.lethe.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

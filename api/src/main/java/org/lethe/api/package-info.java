/**
 * Lethe's shared vocabulary: the service-property names by which the container selects methods,
 * probes and models.
 *
 * <p>Version 0.9: the unlearning, erasure and evaluation views land in their own sub-packages; until
 * then this package may still change.
 */
@Export
@Version("0.9.0")
package org.lethe.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Runs: a self-contained, serialisable specification (method, config, model version, data, probes,
 * seed), a stable key, and exactly one end state (DESIGN §8).
 */
@Export
@Version("1.2.0")
package org.lethe.api.run;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

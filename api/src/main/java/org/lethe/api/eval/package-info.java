/**
 * Evaluation: metrics (one result shape, versioned, with a direction) and probes (attacks and
 * recovery procedures that may change a copy of the model, never the model under test).
 *
 * <p>Version 0.9: a draft until the evaluation item implements it; it may still change.
 */
@Export
@Version("0.9.0")
package org.lethe.api.eval;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

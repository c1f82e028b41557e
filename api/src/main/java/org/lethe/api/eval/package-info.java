/**
 * Evaluation: metrics (one result shape, versioned, with a direction), probes (attacks and
 * recovery procedures that may change a copy of the model, never the model under test), the
 * results of evaluation runs, and the side-by-side comparison with its report.
 */
@Export
@Version("1.3.0")
package org.lethe.api.eval;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

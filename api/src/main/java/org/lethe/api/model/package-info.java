/**
 * Models and their versions: references, manifests with lineage, and the store that never edits a
 * version in place (DESIGN §2 rule 6).
 */
@Export
@Version("1.1.0")
package org.lethe.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Models and their versions: references, manifests with lineage, and the store that never edits a
 * version in place (DESIGN §2 rule 6); the question-answering view shared by language and
 * vision-language models; the intervention SPI that applies a version's inference-time attachments.
 */
@Export
@Version("1.2.0")
package org.lethe.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Data of unlearning and erasure: question–answer items, documents and concepts, prompts, labelled images, image questions, named splits, and
 * the JSONL contract of DESIGN §4 that built-in worlds and user corpora share.
 */
@Export
@Version("1.3.0")
package org.lethe.api.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Worlds: seeded generators of benchmark data (the facts and shapes worlds) with their splits, and
 * the recipes that train their models as runs like any other.
 *
 * <p>Version 0.9: a draft until the facts world implements it; it may still change.
 */
@Export
@Version("0.9.0")
package org.lethe.api.world;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Lethe's built-in benchmark worlds (DESIGN §4): seeded, deterministic data generators with their
 * splits, and the readers that accept a user's corpus folder in their place. Each world lives in its
 * own sub-package ({@code facts}; {@code shapes}, data only so far). Nothing here is exported: other bundles see a world
 * through the API ({@code org.lethe.api.world}) and through the JSONL files it writes.
 */
package org.lethe.worlds;

/**
 * The model store: versioned model folders with atomic commits, checksums on every load, and a
 * validator in front of DJL's safetensors reader.
 */
package org.lethe.core.store;

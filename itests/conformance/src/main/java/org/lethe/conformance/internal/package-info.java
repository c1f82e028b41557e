/**
 * The kit's helpers: polling with a deadline, service look-ups, the tiny test world (model and
 * data), the live-NDArray measure, and file checksums. Private to the kit bundle.
 */
package org.lethe.conformance.internal;

/**
 * Container-level services of a Lethe runtime. This package exports nothing of its own; the
 * services it registers are Felix Health Checks (tags {@code lethe}, {@code engine},
 * {@code deploy}) and the log writer.
 */
package org.lethe.container;

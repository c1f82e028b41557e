/**
 * Bench-only access to the core's run context: {@code BenchRunContexts} lives in the core's package
 * name so that the benchmarks can build the real optimisation loop on a plain class path. It is not
 * part of the core bundle.
 */
package org.lethe.core.run;

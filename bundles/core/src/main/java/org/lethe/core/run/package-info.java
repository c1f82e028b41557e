/**
 * The run service: planning (validation before anything is touched), a serialised executor for
 * gradient work, the framework-owned optimisation loop, persistence of run records, commit-once.
 */
package org.lethe.core.run;

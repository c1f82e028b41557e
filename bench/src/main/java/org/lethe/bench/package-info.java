/**
 * Lethe's benchmarks (Maven profile {@code bench}, never in the default build): container start and
 * hot deploy, the language-model methods' steps against Python PyTorch and their unlearning time
 * against retraining, single operations, and the text-to-image model's step and sampling times.
 * BENCHMARKS.md gives each command and what it measured.
 */
package org.lethe.bench;

/**
 * Statistics for reports: the two-sample Kolmogorov–Smirnov test (matching SciPy's
 * {@code ks_2samp}) and NaN-safe summaries over seeds. Not exported.
 */
package org.lethe.report.stats;

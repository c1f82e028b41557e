/**
 * The report of one run record in Markdown, JSON, CSV or HTML: what ran (method and bundle version,
 * settings, model version, data fingerprints, seed), how it ended, and the lineage of its result. The
 * comparison report (metrics, probes, charts over methods, settings and seeds) comes with evaluation.
 */
package org.lethe.shell.report;

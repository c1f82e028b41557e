/**
 * The comparison harness: {@link org.lethe.report.compare.ComparisonRunner} runs every method and
 * reference model of a {@link org.lethe.api.eval.ComparisonSpec} through the run service and
 * assembles the {@link org.lethe.api.eval.Report}; {@link org.lethe.report.compare.WorldLayout}
 * knows which splits of a trained world the evaluation reads.
 */
package org.lethe.report.compare;

/**
 * The comparison harness: {@link org.lethe.report.compare.ComparisonRunner} runs every method and
 * reference model of a {@link org.lethe.api.eval.ComparisonSpec} through the run service and
 * assembles the {@link org.lethe.api.eval.Report}; {@link org.lethe.report.compare.WorldLayout}
 * knows which splits of a trained world the evaluation reads ({@link org.lethe.report.compare.ErasureLayout}
 * for a text-to-image erasure world, {@link org.lethe.report.compare.VqaLayout} for a visual
 * question-answering world); {@link org.lethe.report.compare.Runs} drives
 * the run service for one comparison; the protocols that run methods themselves are
 * {@link org.lethe.report.compare.MisinformationProtocol} and
 * {@link org.lethe.report.compare.SequentialProtocol}; {@link org.lethe.report.compare.Assembly}
 * turns what ran into the report.
 */
package org.lethe.report.compare;

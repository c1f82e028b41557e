/**
 * Rendering of a {@link org.lethe.api.eval.Report} ({@code lethe-report/1}) as JSON, Markdown, CSV
 * and a self-contained HTML page with inline SVG charts, and writing them atomically to a folder
 * ({@link org.lethe.report.render.ReportWriter}). The formats are documented in
 * {@code docs/report-schema.md}. Not exported: the bundle's users see the files, not these classes.
 */
package org.lethe.report.render;

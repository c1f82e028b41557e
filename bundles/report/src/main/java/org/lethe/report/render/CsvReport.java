package org.lethe.report.render;

import java.util.List;
import java.util.stream.Collectors;

import org.lethe.api.eval.Report;

/**
 * A report as CSV (RFC 4180: comma-separated, {@code CRLF} line ends, fields with a comma, quote or
 * line end quoted, quotes doubled). A header line, then one line per (row, column), rows in report
 * order and columns in report order within a row:
 * {@code row,kind,column,metric,version,split,direction,mean,std,n,values,failure}. Numbers are
 * written in full precision ({@link Double#toString(double)}); a value that is missing or not finite
 * is an empty field. {@code values} are the per-seed values separated by semicolons. A column a row
 * has no cell for is written with {@code n} 0 and the failure {@value #NOT_MEASURED}.
 */
public final class CsvReport {

    /** The header's fields, in order. */
    public static final List<String> HEADER = List.of("row", "kind", "column", "metric", "version", "split",
            "direction", "mean", "std", "n", "values", "failure");

    /** The failure written for a column a row has no cell for: {@value}. */
    public static final String NOT_MEASURED = "not measured";

    private static final String CRLF = "\r\n";

    /** A renderer; it holds no state. */
    public CsvReport() {
    }

    /**
     * Renders a report.
     *
     * @param report the report
     * @return its CSV text, every line ending with {@code CRLF}
     */
    public String render(Report report) {
        StringBuilder out = new StringBuilder();
        line(out, HEADER);
        for (Report.Row row : report.rows()) {
            for (Report.Column c : report.columns()) {
                Report.Cell cell = row.cells().get(c.key());
                String direction = c.direction() == null ? "" : c.direction().name();
                if (cell == null) {
                    line(out, List.of(row.name(), row.kind().name(), c.key(), c.metric(), c.version(), c.split(),
                            direction, "", "", "0", "", NOT_MEASURED));
                    continue;
                }
                String values = cell.values().stream().map(CsvReport::number).collect(Collectors.joining(";"));
                line(out, List.of(row.name(), row.kind().name(), c.key(), c.metric(), c.version(), c.split(),
                        direction, number(cell.mean()), number(cell.std()), String.valueOf(cell.values().size()),
                        values, cell.failure().orElse("")));
            }
        }
        return out.toString();
    }

    /**
     * Quotes one field as RFC 4180 asks: in double quotes, with quotes doubled, when it has a comma, a
     * quote or a line end.
     *
     * @param field the field, may be {@code null} (written empty)
     * @return the field as written
     */
    public static String quote(String field) {
        if (field == null) {
            return "";
        }
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0
                && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    private static void line(StringBuilder out, List<String> fields) {
        out.append(fields.stream().map(CsvReport::quote).collect(Collectors.joining(","))).append(CRLF);
    }

    private static String number(Double x) {
        return x == null || !Double.isFinite(x) ? "" : Double.toString(x);
    }
}

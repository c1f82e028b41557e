package org.lethe.shell.base;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain table: a header row in capitals and columns aligned with two spaces between them. Every
 * cell goes through {@link Text#printable}, so no cell can rewrite the terminal.
 */
public final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> header) {
        this.header = header;
    }

    /**
     * @param columns the column names
     * @return an empty table
     */
    public static Table of(String... columns) {
        return new Table(Arrays.asList(columns));
    }

    /**
     * @param cells one value per column (null shows as empty)
     * @return this table
     */
    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(cell == null ? "" : Text.printable(String.valueOf(cell)));
        }
        rows.add(row);
        return this;
    }

    /** @return whether it has no rows */
    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** @return the table as lines, each ending with a newline */
    public String render() {
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            line.append(cells.get(c));
            if (c < cells.size() - 1) {
                line.append(" ".repeat(widths[c] - cells.get(c).length() + 2));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}

package dev.partitionkeeper.worker.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table for terminals, with a message for the empty case. */
public final class AsciiTable {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private final String emptyMessage;

    public AsciiTable(List<String> columns, String emptyMessage) {
        this.columns = columns;
        this.emptyMessage = emptyMessage;
    }

    public AsciiTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    public String render() {
        int[] w = new int[columns.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = columns.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], i < r.size() ? r.get(i).length() : 0);
            }
        }
        if (rows.isEmpty() && w.length > 0) {
            // the message spans all columns; widen the last one so the box stays closed
            int inner = 3 * (w.length - 1);
            for (int x : w) {
                inner += x;
            }
            w[w.length - 1] += Math.max(0, emptyMessage.length() - inner);
        }
        StringBuilder sb = new StringBuilder();
        String sep = line(w);
        sb.append(sep);
        sb.append(cells(columns, w));
        sb.append(sep);
        if (rows.isEmpty()) {
            sb.append("| ").append(pad(emptyMessage, sep.length() - 5)).append(" |\n");
        }
        for (List<String> r : rows) {
            sb.append(cells(r, w));
        }
        sb.append(sep);
        return sb.toString();
    }

    private static String line(int[] w) {
        StringBuilder sb = new StringBuilder("+");
        for (int x : w) {
            sb.append("-".repeat(x + 2)).append('+');
        }
        return sb.append('\n').toString();
    }

    private static String cells(List<String> r, int[] w) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
            sb.append(' ').append(pad(i < r.size() ? r.get(i) : "", w[i])).append(" |");
        }
        return sb.append('\n').toString();
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s : s + " ".repeat(n - s.length());
    }
}

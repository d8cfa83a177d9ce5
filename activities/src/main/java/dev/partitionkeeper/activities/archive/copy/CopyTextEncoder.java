package dev.partitionkeeper.activities.archive.copy;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes rows in COPY's text format: tab-separated, {@code \N} for NULL, backslash escapes for backslash,
 * tab, newline and carriage return. Text values go through as their UTF-8 bytes; escaping byte by byte is
 * safe because no byte of a multi-byte UTF-8 character is ASCII.
 */
public final class CopyTextEncoder {

    private static final byte[] NULL = {'\\', 'N'};

    private final List<ArchiveColumn> columns;
    private final int[] loaded;

    /**
     * @param loaded indexes of the columns to write, in order (generated columns are left out)
     */
    public CopyTextEncoder(List<ArchiveColumn> columns, int[] loaded) {
        this.columns = columns;
        this.loaded = loaded;
    }

    public void write(Object[] row, OutputStream out) throws IOException {
        for (int j = 0; j < loaded.length; j++) {
            if (j > 0) {
                out.write('\t');
            }
            int i = loaded[j];
            Object v = row[i];
            if (v == null) {
                out.write(NULL);
                continue;
            }
            ValueKind kind = columns.get(i).kind();
            byte[] text = kind == ValueKind.STRING || kind == ValueKind.JSON || kind == ValueKind.TEXT_FORM
                    ? (byte[]) v
                    : PgText.render(kind, v).getBytes(StandardCharsets.UTF_8);
            escape(text, out);
        }
        out.write('\n');
    }

    private static void escape(byte[] text, OutputStream out) throws IOException {
        int start = 0;
        for (int k = 0; k < text.length; k++) {
            byte b = text[k];
            byte escaped = switch (b) {
                case '\\' -> '\\';
                case '\n' -> 'n';
                case '\r' -> 'r';
                case '\t' -> 't';
                default -> 0;
            };
            if (escaped != 0) {
                out.write(text, start, k - start);
                out.write('\\');
                out.write(escaped);
                start = k + 1;
            }
        }
        out.write(text, start, text.length - start);
    }
}

package dev.partitionkeeper.activities.archive.copy;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The data of a {@code COPY ... TO STDOUT} as a stream. Closing it before the end cancels the COPY and
 * reads what the server still sends up to its error, which leaves the connection usable. pgjdbc's own
 * PGCopyInputStream sends the cancel but does not drain, and the next statement on the connection then
 * fails (pgjdbc issue 3163).
 */
final class CopyOutStream extends InputStream {

    private final PGConnection pg;
    private final CopyOut copy;
    private byte[] chunk;
    private int pos;
    private boolean ended;

    CopyOutStream(PGConnection pg, String sql) throws SQLException {
        this.pg = pg;
        this.copy = pg.getCopyAPI().copyOut(sql);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (chunk == null || pos >= chunk.length) {
            if (ended) {
                return -1;
            }
            try {
                chunk = copy.readFromCopy();
            } catch (SQLException e) {
                throw new IOException("COPY failed: " + e.getMessage(), e);
            }
            pos = 0;
            if (chunk == null) {
                ended = true;
                return -1;
            }
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (!copy.isActive()) {
            return;
        }
        try {
            pg.cancelQuery();
            while (copy.isActive() && copy.readFromCopy() != null) {
                // discard: the rows still in flight before the server sees the cancel
            }
        } catch (SQLException expected) {
            // "canceling statement due to user request": the COPY is over and the connection is ready again
        }
    }
}

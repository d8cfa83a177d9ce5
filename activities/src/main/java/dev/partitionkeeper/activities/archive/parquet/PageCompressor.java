package dev.partitionkeeper.activities.archive.parquet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;

/** Assembles and compresses pages; one ZSTD context and two reused buffers for every column. */
final class PageCompressor {
    private final ZstdCompressCtx ctx;
    private byte[] body = new byte[64 * 1024];
    private byte[] compressed = new byte[0];

    PageCompressor(int level) {
        this.ctx = new ZstdCompressCtx().setLevel(level);
    }

    /** {@code levels} then {@code values[0..valueBytes)}, compressed into a page of its own. */
    Page compress(byte[] levels, byte[] values, int valueBytes, int count, Statistics<?> stats, Encoding encoding)
            throws IOException {
        byte[] page = compress(levels, values, valueBytes);
        return new Page(page, levels.length + valueBytes, count, stats, encoding);
    }

    byte[] compress(byte[] levels, byte[] values, int valueBytes) throws IOException {
        int levelBytes = levels.length;
        int n = levelBytes + valueBytes;
        if (body.length < n) {
            body = new byte[Math.max(n, body.length * 2)];
        }
        System.arraycopy(levels, 0, body, 0, levelBytes);
        System.arraycopy(values, 0, body, levelBytes, valueBytes);
        long bound = Zstd.compressBound(n);
        if (compressed.length < bound) {
            compressed = new byte[(int) Math.min(Integer.MAX_VALUE - 8, bound)];
        }
        try {
            int size = ctx.compressByteArray(compressed, 0, compressed.length, body, 0, n);
            return Arrays.copyOf(compressed, size);
        } catch (ZstdException e) {
            throw new IOException("ZSTD compression failed: " + e.getMessage(), e);
        }
    }

    void close() {
        ctx.close();
    }
}

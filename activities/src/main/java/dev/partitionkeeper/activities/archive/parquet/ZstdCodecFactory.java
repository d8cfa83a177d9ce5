package dev.partitionkeeper.activities.archive.parquet;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Decompresses ZSTD Parquet pages through zstd-jni directly, for reading archives back. Parquet's own
 * CodecFactory goes through Hadoop's codec classes and a Hadoop {@code Configuration}, which drags in the whole
 * Hadoop runtime; this does not. Reads UNCOMPRESSED pages too; any other codec is refused with a clear
 * message. Writing compresses its pages itself ({@link ParquetPartWriter}).
 */
public final class ZstdCodecFactory implements CompressionCodecFactory {

    private final List<AutoCloseable> contexts = new ArrayList<>();

    /** Archives are only read through this factory. */
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("ZstdCodecFactory only reads archives; ParquetPartWriter compresses");
    }

    @Override
    public synchronized BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.UNCOMPRESSED) {
            throw new IllegalArgumentException("cannot read Parquet pages compressed with " + codec
                    + ": archives hold ZSTD (or uncompressed) pages only");
        }
        boolean zstd = codec == CompressionCodecName.ZSTD;
        ZstdDecompressCtx ctx = zstd ? track(new ZstdDecompressCtx()) : null;
        return new BytesInputDecompressor() {
            @Override
            public synchronized BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                if (!zstd) {
                    return bytes;
                }
                byte[] in = toArray(bytes);
                byte[] out = new byte[uncompressedSize];
                inflate(ctx, out, in, in.length);
                return BytesInput.from(out);
            }

            @Override
            public synchronized void decompress(
                    ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize) throws IOException {
                byte[] in = new byte[compressedSize];
                input.get(in);
                if (!zstd) {
                    output.put(in, 0, uncompressedSize);
                    return;
                }
                byte[] out = new byte[uncompressedSize];
                inflate(ctx, out, in, compressedSize);
                output.put(out);
            }

            @Override
            public void release() {
                if (ctx != null) {
                    ctx.close();
                }
            }
        };
    }

    private <T extends AutoCloseable> T track(T ctx) {
        contexts.add(ctx);
        return ctx;
    }

    /** The bytes as one array of exactly their size (Parquet's own toByteArray() is deprecated). */
    static byte[] toArray(BytesInput bytes) throws IOException {
        byte[] out = new byte[checkedSize(bytes)];
        copyInto(bytes, out);
        return out;
    }

    private static int checkedSize(BytesInput bytes) throws IOException {
        long size = bytes.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException("a Parquet page of " + size + " bytes is larger than Java arrays allow");
        }
        return (int) size;
    }

    /** Copies the page to the start of {@code out}, which must be large enough. */
    private static void copyInto(BytesInput bytes, byte[] out) throws IOException {
        bytes.writeAllTo(new OutputStream() {
            private int pos;

            @Override
            public void write(int b) {
                out[pos++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                System.arraycopy(b, off, out, pos, len);
                pos += len;
            }
        });
    }

    private static void inflate(ZstdDecompressCtx ctx, byte[] out, byte[] in, int inLen) throws IOException {
        try {
            int n = ctx.decompressByteArray(out, 0, out.length, in, 0, inLen);
            if (n != out.length) {
                throw new IOException(
                        "corrupt ZSTD page: " + n + " bytes decompressed, the page header says " + out.length);
            }
        } catch (ZstdException e) {
            throw new IOException("corrupt ZSTD page: " + e.getMessage(), e);
        }
    }

    /** Frees the native contexts of every compressor and decompressor handed out. */
    @Override
    public synchronized void release() {
        for (AutoCloseable ctx : contexts) {
            try {
                ctx.close();
            } catch (Exception ignored) {
                // closing a zstd context only frees memory; nothing to report
            }
        }
        contexts.clear();
    }
}

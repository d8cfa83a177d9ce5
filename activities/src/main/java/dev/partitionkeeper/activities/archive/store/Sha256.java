package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: every archive file's digest is computed while its bytes stream by. */
public final class Sha256 {

    private static final int BUFFER_BYTES = 64 * 1024;

    private Sha256() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java SE platform must provide", e);
        }
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Copies {@code in} to {@code out}, returning the size and digest of what was copied. */
    static Copied copy(InputStream in, OutputStream out) throws IOException {
        MessageDigest md = newDigest();
        byte[] buf = new byte[BUFFER_BYTES];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (n > 0) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                total += n;
            }
        }
        return new Copied(total, hex(md.digest()));
    }

    /** Size and digest of everything left in {@code in}. */
    static Copied of(InputStream in) throws IOException {
        return copy(in, OutputStream.nullOutputStream());
    }

    record Copied(long size, String sha256) {}
}

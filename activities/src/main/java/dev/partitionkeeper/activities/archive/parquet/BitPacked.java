package dev.partitionkeeper.activities.archive.parquet;

/**
 * Parquet's RLE / bit-packed hybrid encoding, written as bit-packed runs only: each run is a varint header
 * {@code (groups << 1) | 1} and then {@code groups} groups of 8 values, {@code bitWidth} bits each, least
 * significant bit first; the last group is padded with zeros. At most 63 groups per run, so the header is
 * one byte, as Parquet's own writer does. Readers know the value count and ignore the padding.
 */
final class BitPacked {
  private static final int MAX_GROUPS = 63;

  private BitPacked() {}

  /** Bytes {@link #write} may need for {@code count} values. */
  static int maxBytes(int count, int bitWidth) {
    int groups = (count + 7) / 8;
    return groups * bitWidth + (groups + MAX_GROUPS - 1) / MAX_GROUPS;
  }

  /** Encodes {@code values[0..count)} into {@code out} from {@code off}; returns the bytes written. */
  static int write(int[] values, int count, int bitWidth, byte[] out, int off) {
    int p = off;
    int groups = (count + 7) / 8;
    int i = 0;
    for (int done = 0; done < groups; ) {
      int run = Math.min(MAX_GROUPS, groups - done);
      out[p++] = (byte) ((run << 1) | 1);
      long acc = 0;
      int bits = 0;
      for (int end = (done + run) * 8; i < end; i++) {
        acc |= (long) (i < count ? values[i] : 0) << bits;
        bits += bitWidth;
        while (bits >= 8) {
          out[p++] = (byte) acc;
          acc >>>= 8;
          bits -= 8;
        }
      }
      done += run;
    }
    return p - off;
  }
}

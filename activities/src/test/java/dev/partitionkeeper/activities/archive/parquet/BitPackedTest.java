package dev.partitionkeeper.activities.archive.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Random;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.junit.jupiter.api.Test;

/** Our bit-packed runs decode with Parquet's own RLE / bit-packed hybrid decoder to the values written. */
class BitPackedTest {

  @Test
  void parquetsDecoderReadsBackEveryWidthAndLength() throws Exception {
    Random random = new Random(7);
    for (int bitWidth = 1; bitWidth <= 20; bitWidth++) {
      for (int count : new int[] {1, 7, 8, 9, 63 * 8 - 1, 63 * 8, 63 * 8 + 1, 20_000}) {
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
          values[i] = random.nextInt(1 << bitWidth);
        }
        byte[] out = new byte[BitPacked.maxBytes(count, bitWidth)];
        int n = BitPacked.write(values, count, bitWidth, out, 0);
        assertTrue(n <= out.length);
        RunLengthBitPackingHybridDecoder decoder =
            new RunLengthBitPackingHybridDecoder(bitWidth, new ByteArrayInputStream(out, 0, n));
        for (int i = 0; i < count; i++) {
          assertEquals(values[i], decoder.readInt(), "width " + bitWidth + ", count " + count + ", value " + i);
        }
      }
    }
  }
}

package dev.partitionkeeper.activities.archive.parquet;

import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.INT_LE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Distinct values to ids, in the order they were first seen; open addressing on the values' bytes. */
final class BinaryDictionary {
    private final List<byte[]> values = new ArrayList<>();
    private final int[] slots = new int[Integer.highestOneBit(BinaryColumnWriter.DICTIONARY_MAX_ENTRIES) * 4];
    private final boolean[] marks = new boolean[BinaryColumnWriter.DICTIONARY_MAX_ENTRIES];
    private final int[] marked = new int[BinaryColumnWriter.DICTIONARY_MAX_ENTRIES];
    private int markedCount;
    private int bytes;
    /** Set when a value did not fit: no new values are added. */
    boolean full;

    /** The value's id, adding it if it is new and fits; -1 when it is new and does not fit. */
    int idOf(byte[] v) {
        int mask = slots.length - 1;
        int i = Arrays.hashCode(v) & mask;
        while (true) {
            int slot = slots[i];
            if (slot == 0) {
                break;
            }
            if (Arrays.equals(values.get(slot - 1), v)) {
                return slot - 1;
            }
            i = (i + 1) & mask;
        }
        if (full
                || values.size() == BinaryColumnWriter.DICTIONARY_MAX_ENTRIES
                || bytes + 4 + v.length > BinaryColumnWriter.DICTIONARY_MAX_BYTES) {
            return -1;
        }
        values.add(v);
        bytes += 4 + v.length;
        slots[i] = values.size();
        return values.size() - 1;
    }

    int size() {
        return values.size();
    }

    int bytes() {
        return bytes;
    }

    byte[] value(int id) {
        return values.get(id);
    }

    /** True the first time {@code id} is marked since {@link #clearMarks}. */
    boolean markOnce(int id) {
        if (marks[id]) {
            return false;
        }
        marks[id] = true;
        marked[markedCount++] = id;
        return true;
    }

    void clearMarks() {
        for (int i = 0; i < markedCount; i++) {
            marks[marked[i]] = false;
        }
        markedCount = 0;
    }

    /** The dictionary page's values: PLAIN, in id order. */
    byte[] plain() {
        byte[] out = new byte[bytes];
        int p = 0;
        for (byte[] v : values) {
            INT_LE.set(out, p, v.length);
            System.arraycopy(v, 0, out, p + 4, v.length);
            p += 4 + v.length;
        }
        return out;
    }
}

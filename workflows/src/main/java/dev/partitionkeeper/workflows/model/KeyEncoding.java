package dev.partitionkeeper.workflows.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a {@code bigint} partition key holds when it holds time: seconds, milliseconds, microseconds or
 * nanoseconds since 1970-01-01 00:00 UTC ({@code key_encoding: epoch_millis}). Such a key is partitioned by
 * time intervals, like a timestamptz, and its bounds are written as numbers.
 */
public enum KeyEncoding {
    EPOCH_SECONDS(KeyType.EPOCH_SECONDS),
    EPOCH_MILLIS(KeyType.EPOCH_MILLIS),
    EPOCH_MICROS(KeyType.EPOCH_MICROS),
    EPOCH_NANOS(KeyType.EPOCH_NANOS);

    private final KeyType type;

    KeyEncoding(KeyType type) {
        this.type = type;
    }

    /** The key type a {@code bigint} key with this encoding is planned as. */
    public KeyType type() {
        return type;
    }

    /** {@code epoch_millis}: as it is written in the config. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static KeyEncoding parse(String text) {
        for (KeyEncoding e : values()) {
            if (e.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "key_encoding must be epoch_seconds, epoch_millis, epoch_micros or epoch_nanos, got: \"" + text + "\"");
    }

    /**
     * The key type {@code catalogType} (as the catalog has it) is planned as under {@code encoding} (null: none).
     *
     * @throws IllegalArgumentException for an encoding on a key that is not a bigint
     */
    public static KeyType apply(KeyEncoding encoding, KeyType catalogType, String table, String column) {
        if (encoding == null || catalogType == encoding.type) {
            return catalogType;
        }
        if (catalogType != KeyType.BIGINT) {
            throw new IllegalArgumentException("key_encoding " + encoding.label() + " is for a bigint key holding time"
                    + " since the epoch, but the key " + column + " of " + table + " is " + catalogType.sqlName()
                    + (catalogType.kind() == KeyType.Kind.TIME
                            ? "; remove key_encoding: the key is partitioned by its own time"
                            : "; remove key_encoding or change the column to bigint"));
        }
        return encoding.type;
    }
}

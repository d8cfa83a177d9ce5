/** Reading a table through {@code COPY ... (FORMAT binary)} and decoding it into {@code ValueKind} values; COPY text encoding for restore. */
package dev.partitionkeeper.activities.archive.copy;

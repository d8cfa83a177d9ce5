package dev.partitionkeeper.activities.archive.manifest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.summary.ContentChecksum;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}: everything needed to check an archive and to load it back without the source.
 * Written last; its presence marks the archive complete. Field names are snake_case in the JSON.
 *
 * @param formatVersion {@link #FORMAT_VERSION}; readers refuse newer versions
 * @param writer the program and version that wrote the archive
 * @param createdAt ISO-8601 UTC instant
 * @param table the partitioned (parent) table
 * @param partition the partition's name
 * @param boundFrom the partition's lower bound as text (inclusive)
 * @param boundTo the partition's upper bound as text (exclusive)
 * @param source where the rows were read from (the detached partition's location then)
 * @param ddl {@code CREATE TABLE} for the partition as it was archived (restore renders it again for the
 *     target name from {@code columns})
 * @param columns every column with its PostgreSQL type and the Parquet type used
 * @param textFormSettings session settings under which text forms were produced
 * @param partitionKey the partition key column
 * @param keyMin smallest key value (PostgreSQL text), null when there are no rows
 * @param keyMax largest key value (PostgreSQL text), null when there are no rows
 * @param rowCount rows in all files together
 * @param checksumAlgorithm {@link ContentChecksum#ALGORITHM}
 * @param contentChecksum {@link ContentChecksum} of all rows
 * @param compression Parquet page compression
 * @param files the Parquet files in order
 */
public record ArchiveManifest(
        int formatVersion,
        String writer,
        String createdAt,
        TableName table,
        String partition,
        String boundFrom,
        String boundTo,
        TableName source,
        String ddl,
        List<ArchiveColumn> columns,
        Map<String, String> textFormSettings,
        String partitionKey,
        String keyMin,
        String keyMax,
        long rowCount,
        String checksumAlgorithm,
        String contentChecksum,
        String compression,
        List<ArchiveFile> files) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The writer string: {@code partition-keeper <version>}. */
    public static String writerName() {
        String version = ArchiveManifest.class.getPackage().getImplementationVersion();
        return "partition-keeper " + (version == null ? "dev" : version);
    }

    @JsonIgnore
    public long totalBytes() {
        return files.stream().mapToLong(ArchiveFile::bytes).sum();
    }

    /** Columns stored in their text form. */
    @JsonIgnore
    public List<String> textFormColumns() {
        return columns.stream()
                .filter(c -> c.kind() == ValueKind.TEXT_FORM)
                .map(ArchiveColumn::name)
                .toList();
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the manifest: " + e.getMessage(), e);
        }
    }

    /**
     * @throws InvalidManifestException when the bytes are not a manifest this version can read, naming the problem
     */
    public static ArchiveManifest fromJson(byte[] json, String where) throws InvalidManifestException {
        ArchiveManifest m;
        try {
            m = JSON.readValue(json, ArchiveManifest.class);
        } catch (IOException e) {
            throw new InvalidManifestException(where + " is not a valid archive manifest: " + e.getMessage(), e);
        }
        if (m.formatVersion() > FORMAT_VERSION) {
            throw new InvalidManifestException(
                    where + " has format version " + m.formatVersion()
                            + " but this partition-keeper reads versions up to " + FORMAT_VERSION
                            + ": upgrade partition-keeper to read it",
                    null);
        }
        if (m.columns() == null || m.columns().isEmpty() || m.files() == null || m.contentChecksum() == null) {
            throw new InvalidManifestException(
                    where + " lacks columns, files or the content checksum: it is not an archive manifest", null);
        }
        if (!ContentChecksum.ALGORITHM.equals(m.checksumAlgorithm())) {
            throw new InvalidManifestException(
                    where + " uses checksum algorithm " + m.checksumAlgorithm() + " but this"
                            + " partition-keeper computes " + ContentChecksum.ALGORITHM,
                    null);
        }
        return m;
    }
}

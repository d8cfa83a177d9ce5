package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.label;

import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.store.ArchiveStores;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code archive:} section: where exports go and how they are written. S3 credentials come only
 * from the standard AWS environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}, profiles), never from this file.
 *
 * @param location {@code s3://bucket/prefix}, {@code file:///path} or a directory; null when unset
 * @param s3Endpoint endpoint of an S3-compatible store (MinIO, S3Proxy, ...); null for AWS
 * @param s3Region region; null for the AWS default chain
 * @param s3PathStyle path-style addressing (most S3-compatible stores need it)
 * @param s3PartSizeBytes multipart upload part size
 * @param maxFileBytes a partition's Parquet output is split into parts above this size
 * @param zstdLevel ZSTD compression level
 * @param workDir local scratch directory for files being written or read back; null = java.io.tmpdir
 * @param format {@code archive.format} and the Iceberg catalog settings
 */
public record ArchiveSettings(
        String location,
        String s3Endpoint,
        String s3Region,
        boolean s3PathStyle,
        long s3PartSizeBytes,
        long maxFileBytes,
        int zstdLevel,
        Path workDir,
        ArchiveFormatSettings format) {

    static final Set<String> KEYS = keys();

    private static Set<String> keys() {
        Set<String> k = new LinkedHashSet<>(List.of(
                "location",
                "s3_endpoint",
                "s3_region",
                "s3_path_style",
                "s3_part_size_mb",
                "max_file_size_mb",
                "zstd_level",
                "work_dir"));
        k.addAll(ArchiveFormatSettings.KEYS);
        return Collections.unmodifiableSet(k);
    }

    public static final long DEFAULT_PART_SIZE_MB = 16;
    public static final long DEFAULT_MAX_FILE_SIZE_MB = 1024;
    public static final int DEFAULT_ZSTD_LEVEL = ExportOptions.DEFAULT_ZSTD_LEVEL;

    static ArchiveSettings from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        String location = flat.get("archive.location");
        if (location != null && !location.isBlank()) {
            try {
                ArchiveStores.check(location);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage().replaceFirst("^archive location", label("archive.location", fromEnv)));
            }
        }
        boolean pathStyle = false;
        String ps = flat.get("archive.s3_path_style");
        if (ps != null) {
            if (ps.equalsIgnoreCase("true") || ps.equalsIgnoreCase("false")) {
                pathStyle = Boolean.parseBoolean(ps);
            } else {
                problems.add(label("archive.s3_path_style", fromEnv) + " must be true or false, got: \"" + ps + "\"");
            }
        }
        long part = number(flat, fromEnv, "archive.s3_part_size_mb", DEFAULT_PART_SIZE_MB, 5, 5 * 1024, problems);
        long max =
                number(flat, fromEnv, "archive.max_file_size_mb", DEFAULT_MAX_FILE_SIZE_MB, 1, 1024 * 1024, problems);
        int zstd = (int) number(flat, fromEnv, "archive.zstd_level", DEFAULT_ZSTD_LEVEL, 1, 22, problems);
        String wd = flat.get("archive.work_dir");
        Path workDir = null;
        if (wd != null) {
            try {
                workDir = Path.of(wd);
            } catch (InvalidPathException e) {
                problems.add(label("archive.work_dir", fromEnv)
                        + " must be a directory path such as /var/tmp/partition-keeper (" + e.getReason() + "), got: \""
                        + wd.replace("\0", "\\0") + "\"");
            }
        }
        return new ArchiveSettings(
                location == null || location.isBlank() ? null : location.trim(),
                flat.get("archive.s3_endpoint"),
                flat.get("archive.s3_region"),
                pathStyle,
                part * 1024 * 1024,
                max * 1024 * 1024,
                zstd,
                workDir,
                ArchiveFormatSettings.from(flat, fromEnv, problems));
    }

    private static long number(
            Map<String, String> flat,
            Map<String, String> fromEnv,
            String key,
            long dflt,
            long min,
            long max,
            List<String> problems) {
        String v = flat.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                problems.add(label(key, fromEnv) + " must be between " + min + " and " + max + " (e.g. " + dflt
                        + "), got: " + n);
                return dflt;
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(label(key, fromEnv) + " must be a whole number such as " + dflt + ", got: \"" + v + "\"");
            return dflt;
        }
    }

    public static ArchiveSettings none() {
        return new ArchiveSettings(
                null,
                null,
                null,
                false,
                DEFAULT_PART_SIZE_MB * 1024 * 1024,
                DEFAULT_MAX_FILE_SIZE_MB * 1024 * 1024,
                DEFAULT_ZSTD_LEVEL,
                null,
                ArchiveFormatSettings.parquet());
    }

    public ArchiveSettings withLocation(String l) {
        return new ArchiveSettings(
                l, s3Endpoint, s3Region, s3PathStyle, s3PartSizeBytes, maxFileBytes, zstdLevel, workDir, format);
    }
}

package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/** Opens a store from a location string as users write it in the policy file or on the command line. */
public final class ArchiveStores {

    private ArchiveStores() {}

    /** {@link #open(String, S3Settings)} with S3 settings from the AWS environment. */
    public static ArchiveStore open(String location) throws IOException {
        return open(location, S3Settings.defaults());
    }

    /**
     * Opens {@code s3://bucket/prefix}, {@code file:///absolute/path} or a plain directory path (created when
     * missing).
     *
     * @param s3 used for {@code s3://} locations only
     * @throws IllegalArgumentException naming the location and the accepted forms
     */
    public static ArchiveStore open(String location, S3Settings s3) throws IOException {
        check(location);
        String trimmed = location.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("s3://")) {
            String rest = trimmed.substring("s3://".length());
            int slash = rest.indexOf('/');
            return new S3ArchiveStore(
                    s3, slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? "" : rest.substring(slash + 1));
        }
        if (lower.startsWith("file:")) {
            URI uri = URI.create(trimmed);
            Path path = Path.of(uri.getPath());
            // an archive written before directories carried real names sits at the still-encoded path
            Path raw = Path.of(uri.getRawPath());
            return new FileSystemArchiveStore(!Files.exists(path) && Files.exists(raw) ? raw : path);
        }
        return new FileSystemArchiveStore(Path.of(trimmed));
    }

    /**
     * The checks of {@link #open} without opening anything (no directory created, no S3 client): for
     * {@code validate}, which touches nothing.
     *
     * @throws IllegalArgumentException naming the location and the accepted forms
     */
    public static void check(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException(
                    "archive location is empty; write s3://bucket/prefix, file:///path or a directory path");
        }
        String trimmed = location.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("s3://")) {
            String rest = trimmed.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException(
                        "archive location \"" + location + "\" has no bucket; write it as s3://bucket/prefix");
            }
            return;
        }
        if (lower.startsWith("file:")) {
            try {
                URI uri = new URI(trimmed);
                if (uri.getAuthority() != null
                        && !uri.getAuthority().isEmpty()
                        && !"localhost".equals(uri.getAuthority())) {
                    throw new IllegalArgumentException("archive location \"" + location + "\" names host \""
                            + uri.getAuthority() + "\"; a file: location must be local, e.g. file:///var/archive");
                }
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw new IllegalArgumentException(
                            "archive location \"" + location + "\" has no path; write it as file:///var/archive");
                }
                Path.of(uri.getPath());
                return;
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("archive location \"" + location + "\" is not a valid path ("
                        + e.getReason() + "); write it as file:///var/archive");
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "archive location \"" + location + "\" is not a valid file: URL (" + e.getReason()
                                + "); write it as file:///var/archive",
                        e);
            }
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("archive location \"" + location
                    + "\" uses an unsupported scheme; write s3://bucket/prefix, file:///path or a directory path");
        }
        try {
            Path.of(trimmed);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("archive location \"" + location + "\" is not a valid path ("
                    + e.getReason() + "); write s3://bucket/prefix, file:///path or a directory path");
        }
    }
}

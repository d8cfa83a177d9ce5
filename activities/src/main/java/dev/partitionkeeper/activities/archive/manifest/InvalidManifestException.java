package dev.partitionkeeper.activities.archive.manifest;

import java.io.IOException;

/** A manifest exists but cannot be used: not JSON, not ours, or from a newer format version. */
public class InvalidManifestException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}

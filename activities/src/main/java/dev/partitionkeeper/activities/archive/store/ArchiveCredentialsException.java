package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;

/**
 * The archive store refused who we are (wrong secret, unknown key id, expired token) or what we may do, or
 * no credentials were found at all (nothing in the environment, no profile, no role).
 * Retrying does not help: an activity should fail non-retryably with this message.
 */
public class ArchiveCredentialsException extends IOException {
    private static final long serialVersionUID = 1L;

    public ArchiveCredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.partitionkeeper.workflows.activity;

/** Failure types shared by activities and the workflow's retry options. */
public final class Failures {
    /** The policy does not fit the database (no such table, not range-partitioned, ...). Not retried. */
    public static final String INVALID_POLICY = "InvalidPolicy";
    /** The catalog is in a state we refuse to touch (a name taken by a foreign table, ...). Not retried. */
    public static final String CATALOG_CONFLICT = "CatalogConflict";
    /** An archive did not match its source. Not retried; nothing is dropped. */
    public static final String VERIFICATION_FAILED = "VerificationFailed";
    /**
     * The database role lacks a grant (SQLSTATE 42501); the message names the grant and the statement that
     * gives it. Not retried: an administrator has to act.
     */
    public static final String INSUFFICIENT_PRIVILEGE = "InsufficientPrivilege";
    /** A workflow was started with a request it cannot read (wrong JSON shape or types). Not retried. */
    public static final String INVALID_REQUEST = "InvalidRequest";
    /** A lock could not be taken without making writers wait. Retried by Temporal with backoff. */
    public static final String LOCK_BUSY = "LockBusy";
    /**
     * The archive store refused us for good: wrong credentials, or a manifest that is corrupt or missing where
     * one must exist. Not retried: retrying does not fix a secret or a manifest.
     */
    public static final String ARCHIVE_STORE = "ArchiveStore";
    /** The archive store could not be reached or failed an operation (I/O, S3 outage). Retried. */
    public static final String ARCHIVE_STORE_UNAVAILABLE = "ArchiveStoreUnavailable";
    /**
     * A column holds a value that Parquet cannot represent even in the column's text form. Not retried: the same
     * rows fail the same way on every attempt.
     */
    public static final String UNEXPORTABLE_VALUE = "UnexportableValue";
    /** PostgreSQL failed a statement for a reason other than the ones above (connection loss, ...). Retried. */
    public static final String SQL_EXCEPTION = "SQLException";
    /** A table's run failed one of its actions; carries the table's report. Thrown by the table workflow. */
    public static final String ACTION_FAILED = "ActionFailed";
    /** A pass finished with at least one failed table; carries the pass's report. Thrown by the pass workflow. */
    public static final String PASS_FAILED = "PassFailed";

    private Failures() {}
}

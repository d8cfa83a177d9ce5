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

  private Failures() {}
}

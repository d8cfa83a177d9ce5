package dev.partitionkeeper.workflows.convert;

/**
 * @param changes change-log entries applied
 * @param pending entries left (written while we replayed)
 */
public record ReplayResult(long changes, long pending) {}

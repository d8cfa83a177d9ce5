package dev.partitionkeeper.workflows.convert;

/**
 * Row count and an order-independent content checksum of a table: the sum of a 64-bit hash of each row's text.
 *
 * @param excluded rows left out because they changed after the swap (compared on their own by the rollback)
 */
public record TableChecksum(String table, long rows, String checksum, long excluded) {}

package dev.partitionkeeper.activities.postgres.bookkeeping;

import dev.partitionkeeper.workflows.model.TableName;

/**
 * The bookkeeping tables. Only this package may name them, so every statement on them is here
 * ({@code LayeringRulesTest} and {@code BookkeepingTableNamesTest} in the worker's tests enforce it): an enum,
 * not string constants, because javac copies constants into their users and ArchUnit would not see the use.
 * Everything else goes through {@link Bookkeeping} (writes) and {@link BookkeepingReader} (reads).
 */
enum BookkeepingTable {
    LIFECYCLE("partition_lifecycle"),
    ACTION_LOG("action_log"),
    SCHEMA_VERSION("schema_version"),
    CONVERSION("conversion");

    private final String tableName;

    BookkeepingTable(String tableName) {
        this.tableName = tableName;
    }

    String tableName() {
        return tableName;
    }

    /** The quoted, schema-qualified name for SQL. */
    String in(String schema) {
        return TableName.quoteIdent(schema) + "." + TableName.quoteIdent(tableName);
    }

    /** {@code schema.table} as messages name it. */
    String displayIn(String schema) {
        return schema + "." + tableName;
    }
}

package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;

/** Finds a managed table's Iceberg table, creating it on first use. */
final class IcebergTables {

    private final Catalog catalog;
    private final IcebergSettings settings;

    IcebergTables(Catalog catalog, IcebergSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    TableIdentifier id(TableName parent) {
        return id(settings, parent);
    }

    static TableIdentifier id(IcebergSettings settings, TableName parent) {
        return TableIdentifier.of(Namespace.of(settings.namespace(parent)), settings.tableName(parent));
    }

    Optional<Table> find(TableName parent) {
        try {
            return Optional.of(catalog.loadTable(id(parent)));
        } catch (NoSuchTableException e) {
            return Optional.empty();
        }
    }

    /** The table, created with these columns and the spec mirroring the policy's interval when missing. */
    Table findOrCreate(TablePolicy policy, List<ArchiveColumn> columns, String keyColumn) {
        Optional<Table> t = find(policy.table());
        if (t.isPresent()) {
            return t.get();
        }
        TableIdentifier id = id(policy.table());
        if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
            try {
                ns.createNamespace(id.namespace());
            } catch (AlreadyExistsException e) {
                // another worker made it first
            }
        }
        Schema schema = IcebergSchemas.schema(columns);
        ArchiveColumn key = columns.stream()
                .filter(c -> c.name().equals(keyColumn))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "partition key column \"" + keyColumn + "\" is not a column of " + policy.table()));
        PartitionSpec spec = IcebergSchemas.spec(schema, keyColumn, key.kind(), policy);
        try {
            return catalog.buildTable(id, schema)
                    .withPartitionSpec(spec)
                    .withProperty(TableProperties.FORMAT_VERSION, "2")
                    .withProperty("partition-keeper.table", policy.table().toString())
                    .create();
        } catch (AlreadyExistsException e) {
            return catalog.loadTable(id);
        }
    }
}

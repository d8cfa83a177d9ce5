package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.workflows.model.TableName;
import java.util.Locale;

/**
 * Where the Iceberg catalog and the data are, and how a managed table's Iceberg name is made.
 *
 * @param catalogType {@code jdbc} (the Iceberg JDBC catalog in PostgreSQL) or {@code rest}
 * @param catalogUri for {@code jdbc} a JDBC URL (default: the managed database with the bookkeeping schema as
 *     {@code currentSchema}); for {@code rest} the catalog's base URL
 * @param catalogUser JDBC user, null to take it from the URL
 * @param catalogPassword JDBC password, or for {@code rest} the bearer token; from the environment only
 * @param warehouse where new tables' data and metadata go: a directory, {@code file:///path} or
 *     {@code s3://bucket/prefix}
 * @param namespaceTemplate the Iceberg namespace of a managed table; {@code {schema}} and {@code {table}} are
 *     replaced, default {@code {schema}}
 * @param tableTemplate the Iceberg table name, default {@code {table}}
 * @param catalogCredential for {@code rest}: OAuth2 client credentials {@code client_id:client_secret}, exchanged at
 *     the catalog's token endpoint for a token; from the environment only, null for none
 */
public record IcebergSettings(
        String catalogType,
        String catalogUri,
        String catalogUser,
        String catalogPassword,
        String warehouse,
        String namespaceTemplate,
        String tableTemplate,
        String catalogCredential) {

    public static final String JDBC = "jdbc";
    public static final String REST = "rest";
    public static final String DEFAULT_NAMESPACE = "{schema}";
    public static final String DEFAULT_TABLE = "{table}";
    /** The catalog name Iceberg records in the JDBC catalog's rows (pyiceberg's SqlCatalog is opened with it). */
    public static final String CATALOG_NAME = "partition_keeper";

    public IcebergSettings {
        catalogType = catalogType == null ? JDBC : catalogType.trim().toLowerCase(Locale.ROOT);
        if (!catalogType.equals(JDBC) && !catalogType.equals(REST)) {
            throw new IllegalArgumentException(
                    "archive.iceberg.catalog must be jdbc or rest, got: \"" + catalogType + "\"");
        }
        if (catalogUri == null || catalogUri.isBlank()) {
            throw new IllegalArgumentException("the Iceberg " + catalogType + " catalog needs a URI"
                    + (catalogType.equals(JDBC) ? " (a JDBC URL such as jdbc:postgresql://db/app)" : ""));
        }
        if (catalogType.equals(JDBC) && (warehouse == null || warehouse.isBlank())) {
            throw new IllegalArgumentException("the Iceberg JDBC catalog needs a warehouse location"
                    + " (archive.location, e.g. /var/lib/partition-keeper/iceberg or s3://bucket/iceberg)");
        }
        namespaceTemplate =
                namespaceTemplate == null || namespaceTemplate.isBlank() ? DEFAULT_NAMESPACE : namespaceTemplate;
        tableTemplate = tableTemplate == null || tableTemplate.isBlank() ? DEFAULT_TABLE : tableTemplate;
    }

    /** A JDBC catalog on the managed database, in its bookkeeping schema. */
    public static IcebergSettings jdbcInSchema(
            String jdbcUrl, String user, String password, String schema, String warehouse) {
        return new IcebergSettings(
                JDBC, withCurrentSchema(jdbcUrl, schema), user, password, warehouse, null, null, null);
    }

    /** {@code jdbcUrl} with {@code currentSchema=schema} (PgJDBC's search_path parameter) added. */
    public static String withCurrentSchema(String jdbcUrl, String schema) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public String namespace(TableName table) {
        return expand(namespaceTemplate, table);
    }

    public String tableName(TableName table) {
        return expand(tableTemplate, table);
    }

    private static String expand(String template, TableName t) {
        return template.replace("{schema}", t.schema()).replace("{table}", t.table());
    }

    @Override
    public String toString() {
        // the password or token is never printed
        return "IcebergSettings[catalog=" + catalogType + ", uri=" + catalogUri + ", user=" + catalogUser
                + ", password=" + (catalogPassword == null ? "null" : "<masked>") + ", warehouse=" + warehouse
                + ", namespace=" + namespaceTemplate + ", table=" + tableTemplate + ", credential="
                + (catalogCredential == null ? "null" : "<masked>") + "]";
    }
}

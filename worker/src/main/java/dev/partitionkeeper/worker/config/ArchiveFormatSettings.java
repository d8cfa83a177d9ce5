package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.label;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code archive.format} and, for {@code iceberg}, its catalog and naming ({@code archive.iceberg_*}). The
 * catalog's password (JDBC) or bearer token (REST) comes only from {@code PK_ICEBERG_CATALOG_PASSWORD}, a REST
 * catalog's OAuth2 client credentials only from {@code PK_ICEBERG_CATALOG_CREDENTIAL}.
 *
 * @param format {@code parquet} (the default) or {@code iceberg}
 * @param catalog {@code jdbc} (default) or {@code rest}
 * @param catalogUri null for the default: the JDBC catalog in the managed database's bookkeeping schema
 * @param namespace Iceberg namespace template, {@code {schema}} by default
 * @param table Iceberg table name template, {@code {table}} by default
 */
public record ArchiveFormatSettings(String format, String catalog, String catalogUri, String namespace, String table) {

    public static final String PARQUET = "parquet";
    public static final String ICEBERG = "iceberg";
    /** The environment variable holding the Iceberg catalog's password or token. */
    public static final String PASSWORD_ENV = "PK_ICEBERG_CATALOG_PASSWORD";
    /** The environment variable holding a REST catalog's OAuth2 client credentials, {@code client_id:client_secret}. */
    public static final String CREDENTIAL_ENV = "PK_ICEBERG_CATALOG_CREDENTIAL";

    static final List<String> KEYS =
            List.of("format", "iceberg_catalog", "iceberg_catalog_uri", "iceberg_namespace", "iceberg_table");

    public static ArchiveFormatSettings parquet() {
        return new ArchiveFormatSettings(PARQUET, null, null, null, null);
    }

    public boolean iceberg() {
        return ICEBERG.equals(format);
    }

    static ArchiveFormatSettings from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        String f = flat.getOrDefault("archive.format", PARQUET).trim().toLowerCase(Locale.ROOT);
        if (!f.equals(PARQUET) && !f.equals(ICEBERG)) {
            problems.add(label("archive.format", fromEnv) + " must be parquet or iceberg, got: \""
                    + flat.get("archive.format") + "\"");
            f = PARQUET;
        }
        String catalog =
                flat.getOrDefault("archive.iceberg_catalog", "jdbc").trim().toLowerCase(Locale.ROOT);
        if (!catalog.equals("jdbc") && !catalog.equals("rest")) {
            problems.add(label("archive.iceberg_catalog", fromEnv) + " must be jdbc or rest, got: \""
                    + flat.get("archive.iceberg_catalog") + "\"");
        }
        String uri = blankToNull(flat.get("archive.iceberg_catalog_uri"));
        if (catalog.equals("rest") && uri == null && f.equals(ICEBERG)) {
            problems.add(label("archive.iceberg_catalog_uri", fromEnv)
                    + " is required with archive.iceberg_catalog: rest (e.g. https://catalog.example.com/api/catalog)");
        }
        if (catalog.equals("jdbc") && uri != null && !uri.startsWith("jdbc:postgresql:")) {
            problems.add(label("archive.iceberg_catalog_uri", fromEnv)
                    + " must be a jdbc:postgresql: URL for the JDBC catalog, got: \"" + uri + "\"");
        }
        for (String k : List.of("archive.iceberg_namespace", "archive.iceberg_table")) {
            String v = flat.get(k);
            if (v != null && v.isBlank()) {
                problems.add(label(k, fromEnv) + " must not be empty (e.g. \"{schema}\" or \"archive_{table}\")");
            }
        }
        return new ArchiveFormatSettings(
                f,
                catalog,
                uri,
                blankToNull(flat.get("archive.iceberg_namespace")),
                blankToNull(flat.get("archive.iceberg_table")));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}

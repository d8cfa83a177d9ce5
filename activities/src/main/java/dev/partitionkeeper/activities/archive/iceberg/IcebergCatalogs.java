package dev.partitionkeeper.activities.archive.iceberg;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.auth.OAuth2Properties;

/** Opens the configured Iceberg catalog. */
public final class IcebergCatalogs {

    private IcebergCatalogs() {}

    public static Catalog open(IcebergSettings s) {
        return open(s, null);
    }

    /** {@code io}: the FileIO for a warehouse that is not local (see {@link StoreFileIO}); null for the default. */
    public static Catalog open(IcebergSettings s, FileIO io) {
        Map<String, String> p = new HashMap<>();
        p.put(CatalogProperties.URI, s.catalogUri());
        if (s.warehouse() != null) {
            p.put(CatalogProperties.WAREHOUSE_LOCATION, warehouseUri(s.warehouse()));
        }
        if (isLocal(s.warehouse())) {
            p.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
        }
        if (s.catalogType().equals(IcebergSettings.JDBC)) {
            if (s.catalogUser() != null) {
                p.put(JdbcCatalog.PROPERTY_PREFIX + "user", s.catalogUser());
            }
            if (s.catalogPassword() != null) {
                p.put(JdbcCatalog.PROPERTY_PREFIX + "password", s.catalogPassword());
            }
            JdbcCatalog catalog = io == null ? new JdbcCatalog() : new JdbcCatalog(props -> io, null, true);
            catalog.initialize(IcebergSettings.CATALOG_NAME, p);
            return catalog;
        }
        if (s.catalogPassword() != null) {
            p.put(OAuth2Properties.TOKEN, s.catalogPassword());
        }
        if (s.catalogCredential() != null) {
            p.put(OAuth2Properties.CREDENTIAL, s.catalogCredential());
        }
        RESTCatalog catalog = new RESTCatalog();
        catalog.initialize(IcebergSettings.CATALOG_NAME, p);
        return catalog;
    }

    /** True for a plain path or a {@code file:} URI (and for none: the catalog then names the locations). */
    static boolean isLocal(String location) {
        return location == null || location.startsWith("file:") || !location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    }

    /** A plain directory becomes {@code file:///dir}, which every Iceberg reader understands. */
    static String warehouseUri(String location) {
        if (location.startsWith("file:") || !isLocal(location)) {
            return location;
        }
        String uri =
                LocalFileIO.file(location).getAbsoluteFile().toPath().toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}

package dev.partitionkeeper.activities.archive.iceberg;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SessionCatalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.HTTPClient;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.RESTSessionCatalog;
import org.apache.iceberg.rest.RESTUtil;
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
        if (io == null) {
            RESTCatalog catalog = new RESTCatalog();
            catalog.initialize(IcebergSettings.CATALOG_NAME, p);
            return catalog;
        }
        // RESTCatalog takes no FileIO; its session catalog does (the S3 warehouse through the archive's store)
        RESTSessionCatalog session = new RESTSessionCatalog(
                config -> HTTPClient.builder(config)
                        .uri(config.get(CatalogProperties.URI))
                        .withHeaders(RESTUtil.configHeaders(config))
                        .build(),
                (context, properties) -> io);
        session.initialize(IcebergSettings.CATALOG_NAME, p);
        return new ClosingCatalog(session.asCatalog(SessionCatalog.SessionContext.createEmpty()), session);
    }

    /** A catalog view that closes the session catalog behind it. */
    static final class ClosingCatalog implements Catalog, SupportsNamespaces, Closeable {
        private final Catalog delegate;
        private final SupportsNamespaces namespaces;
        private final Closeable owner;

        ClosingCatalog(Catalog delegate, Closeable owner) {
            this.delegate = delegate;
            this.namespaces = (SupportsNamespaces) delegate;
            this.owner = owner;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public List<TableIdentifier> listTables(Namespace namespace) {
            return delegate.listTables(namespace);
        }

        @Override
        public boolean dropTable(TableIdentifier identifier, boolean purge) {
            return delegate.dropTable(identifier, purge);
        }

        @Override
        public void renameTable(TableIdentifier from, TableIdentifier to) {
            delegate.renameTable(from, to);
        }

        @Override
        public Table loadTable(TableIdentifier identifier) {
            return delegate.loadTable(identifier);
        }

        @Override
        public TableBuilder buildTable(TableIdentifier identifier, Schema schema) {
            return delegate.buildTable(identifier, schema);
        }

        @Override
        public boolean tableExists(TableIdentifier identifier) {
            return delegate.tableExists(identifier);
        }

        @Override
        public void createNamespace(Namespace namespace, Map<String, String> metadata) {
            namespaces.createNamespace(namespace, metadata);
        }

        @Override
        public List<Namespace> listNamespaces(Namespace namespace) {
            return namespaces.listNamespaces(namespace);
        }

        @Override
        public Map<String, String> loadNamespaceMetadata(Namespace namespace) {
            return namespaces.loadNamespaceMetadata(namespace);
        }

        @Override
        public boolean dropNamespace(Namespace namespace) {
            return namespaces.dropNamespace(namespace);
        }

        @Override
        public boolean setProperties(Namespace namespace, Map<String, String> properties) {
            return namespaces.setProperties(namespace, properties);
        }

        @Override
        public boolean removeProperties(Namespace namespace, Set<String> properties) {
            return namespaces.removeProperties(namespace, properties);
        }

        @Override
        public boolean namespaceExists(Namespace namespace) {
            return namespaces.namespaceExists(namespace);
        }

        @Override
        public void close() throws IOException {
            owner.close();
        }
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

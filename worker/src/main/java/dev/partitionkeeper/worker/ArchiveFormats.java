package dev.partitionkeeper.worker;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.ParquetArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.iceberg.IcebergArchiveFormat;
import dev.partitionkeeper.activities.archive.iceberg.IcebergSettings;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.worker.config.ArchiveFormatSettings;
import dev.partitionkeeper.worker.config.ArchiveSettings;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.util.Map;
import javax.sql.DataSource;

/** {@code archive.format}: the Parquet archive, or the Iceberg table per managed table with its catalog. */
final class ArchiveFormats {

    private ArchiveFormats() {}

    static ArchiveFormat open(
            WorkerConfig config,
            PostgresSettings pg,
            DataSource dataSource,
            ArchiveStore store,
            ExportOptions options,
            Map<String, String> env) {
        ArchiveSettings a = config.archive();
        ArchiveFormatSettings f = a.format() == null ? ArchiveFormatSettings.parquet() : a.format();
        if (!f.iceberg()) {
            return new ParquetArchiveFormat(dataSource, store, options);
        }
        return new IcebergArchiveFormat(
                dataSource, iceberg(config, pg, env), options, IcebergArchiveFormat.Stages.NONE, store);
    }

    static IcebergSettings iceberg(WorkerConfig config, PostgresSettings pg, Map<String, String> env) {
        ArchiveSettings a = config.archive();
        ArchiveFormatSettings f = a.format();
        String secret = env.get(ArchiveFormatSettings.PASSWORD_ENV);
        if (f.catalogUri() == null && "jdbc".equals(f.catalog())) {
            // the managed database, its bookkeeping schema: the catalog's two tables live beside the bookkeeping
            return new IcebergSettings(
                    IcebergSettings.JDBC,
                    IcebergSettings.withCurrentSchema(pg.jdbcUrl(), config.bookkeepingSchema()),
                    pg.user(),
                    pg.password(),
                    a.location(),
                    f.namespace(),
                    f.table(),
                    null);
        }
        return new IcebergSettings(
                f.catalog(),
                f.catalogUri(),
                null,
                secret,
                a.location(),
                f.namespace(),
                f.table(),
                env.get(ArchiveFormatSettings.CREDENTIAL_ENV));
    }
}

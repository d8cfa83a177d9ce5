/**
 * The archive: export detached partitions to Parquet, verify the archive by reading it back, restore it.
 *
 * <p>Layout in a store ({@link dev.partitionkeeper.activities.archive.store.ArchiveStore}, a directory or an S3
 * bucket and prefix): {@code <schema>/<table>/<partition>/part-00000.parquet}, {@code part-00001.parquet}
 * (above {@link dev.partitionkeeper.activities.archive.export.ExportOptions#maxFileBytes()}), and {@code
 * manifest.json}, written last: an archive without a manifest is incomplete, whatever files it has.
 *
 * <p>Entry points, one verb each, each returning a record of {@code workflows.activity}:
 * {@link dev.partitionkeeper.activities.archive.export.ParquetExporter#export} returns {@code ExportResult},
 * {@link dev.partitionkeeper.activities.archive.verify.ArchiveVerifier#verify} returns {@code VerifyResult},
 * {@link dev.partitionkeeper.activities.archive.restore.ArchiveRestorer#restore} returns {@code RestoreResult}.
 * Stores come from {@link dev.partitionkeeper.activities.archive.store.ArchiveStores#open}.
 *
 * <p>All three read rows through the same path ({@code COPY ... (FORMAT binary)} decoded into {@link
 * dev.partitionkeeper.activities.archive.column.ValueKind} values) and summarise them the same way ({@link
 * dev.partitionkeeper.activities.archive.summary.ContentChecksum}), which is what makes a checksum computed from
 * the database comparable with one computed from the Parquet files.
 */
package dev.partitionkeeper.activities.archive;

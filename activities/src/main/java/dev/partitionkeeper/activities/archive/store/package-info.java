/** Where archives live: {@link dev.partitionkeeper.activities.archive.store.ArchiveStore}, a directory or an S3 bucket and prefix. */
package dev.partitionkeeper.activities.archive.store;

/** What export, verify and restore each compute from a stream of rows: the count, the content checksum and the key range. */
package dev.partitionkeeper.activities.archive.summary;

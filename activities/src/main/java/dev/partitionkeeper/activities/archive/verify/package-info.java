/** Verification: read an archive back from its store and compare it with the table. */
package dev.partitionkeeper.activities.archive.verify;

/** Restore: recreate a table from its archive and check it against the manifest. */
package dev.partitionkeeper.activities.archive.restore;

/** The manifest, written last, that makes an archive complete, and the layout of an archive in its store. */
package dev.partitionkeeper.activities.archive.manifest;

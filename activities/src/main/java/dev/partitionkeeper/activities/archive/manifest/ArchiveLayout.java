package dev.partitionkeeper.activities.archive.manifest;

import dev.partitionkeeper.activities.archive.store.ArchiveKeys;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.workflows.model.TableName;

/**
 * Where one partition's archive lives inside a store: a directory holding {@code part-00000.parquet},
 * {@code part-00001.parquet}, ... and {@code manifest.json}, written last.
 *
 * @param dir key prefix of the directory, empty or ending in '/'
 */
public record ArchiveLayout(String dir) {

    public static final String MANIFEST = "manifest.json";

    public ArchiveLayout {
        if (dir == null) {
            dir = "";
        }
        if (!dir.isEmpty()) {
            ArchiveKeys.check(dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir);
            if (!dir.endsWith("/")) {
                dir = dir + "/";
            }
        }
    }

    /** {@code <schema>/<table>/<partition>/} with each name encoded by {@link ArchiveKeys#segment}. */
    public static ArchiveLayout of(TableName parent, String partition) {
        return new ArchiveLayout(ArchiveKeys.segment(parent.schema()) + "/" + ArchiveKeys.segment(parent.table()) + "/"
                + ArchiveKeys.segment(partition) + "/");
    }

    /** An archive at a store's root, as when a restore is pointed straight at an archive directory. */
    public static ArchiveLayout root() {
        return new ArchiveLayout("");
    }

    public String manifestKey() {
        return dir + MANIFEST;
    }

    /** {@code part-00000.parquet} for 0. */
    public static String fileName(int index) {
        return String.format("part-%05d.parquet", index);
    }

    public String key(String fileName) {
        return dir + fileName;
    }

    /** The directory's location in {@code store}, e.g. {@code s3://bucket/prefix/public/events/p1/}. */
    public String locationIn(ArchiveStore store) {
        String root = store.location();
        return (root.endsWith("/") ? root : root + "/") + dir;
    }
}

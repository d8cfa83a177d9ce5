package dev.partitionkeeper.activities.archive.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemArchiveStoreTest {

    @TempDir
    Path dir;

    @Test
    void putReturnsSizeAndSha256AndReadsBack() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir.resolve("root"));
        byte[] data = "hello archive".getBytes();
        StoredObject o = store.put("a/b/c.bin", new ByteArrayInputStream(data));
        assertEquals(data.length, o.size());
        assertEquals(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), o.sha256());
        try (InputStream in = store.open("a/b/c.bin")) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertTrue(store.exists("a/b/c.bin"));
        assertEquals(dir.resolve("root/a/b/c.bin"), store.localFile("a/b/c.bin").orElseThrow());
        // no temporary file is left beside the object
        try (var files = Files.list(dir.resolve("root/a/b"))) {
            assertEquals(
                    List.of("c.bin"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void putReplacesAndAFailedPutLeavesTheOldObject() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir);
        store.put("k", new ByteArrayInputStream("old".getBytes()));
        InputStream failing = new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ > 10) {
                    throw new IOException("disk on fire");
                }
                return 'x';
            }
        };
        assertThrows(IOException.class, () -> store.put("k", failing));
        try (InputStream in = store.open("k")) {
            assertEquals("old", new String(in.readAllBytes()));
        }
        assertEquals(List.of("k"), store.list(""));
        store.put("k", new ByteArrayInputStream("new".getBytes()));
        try (InputStream in = store.open("k")) {
            assertEquals("new", new String(in.readAllBytes()));
        }
    }

    @Test
    void listIsSortedAndLimitedToThePrefix() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir);
        for (String key : List.of("s/t/p2/x", "s/t/p1/b", "s/t/p1/a", "s/t/p10/a", "other/z")) {
            store.put(key, new ByteArrayInputStream(new byte[] {1}));
        }
        assertEquals(List.of("s/t/p1/a", "s/t/p1/b"), store.list("s/t/p1/"));
        assertEquals(List.of("s/t/p1/a", "s/t/p1/b", "s/t/p10/a"), store.list("s/t/p1"));
        assertEquals(List.of(), store.list("nothing/here/"));
        assertEquals(5, store.list("").size());
    }

    @Test
    void deleteIsIdempotentAndOpenOfAMissingKeySaysSo() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir);
        store.put("x/y", new ByteArrayInputStream(new byte[0]));
        store.delete("x/y");
        store.delete("x/y");
        assertFalse(store.exists("x/y"));
        assertThrows(NoSuchFileException.class, () -> store.open("x/y"));
        assertThrows(
                IllegalArgumentException.class, () -> store.put("../escape", new ByteArrayInputStream(new byte[0])));
    }

    @Test
    void aFileWrittenInPlaceIsRenamedIntoPlaceAndAnyOtherFileIsCopiedAndChecked() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir.resolve("root"));
        byte[] data = "parquet bytes".getBytes();
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));

        // in place: a hidden temp file beside the final name, which putFile renames without reading it
        Path local = store.newLocalFile("s/t/p/part-00000.parquet", dir);
        assertEquals(dir.resolve("root/s/t/p"), local.getParent());
        assertTrue(
                local.getFileName().toString().startsWith(".part-00000.parquet" + FileSystemArchiveStore.TEMP_MARKER));
        Files.write(local, data);
        // the digest is the writer's: putFile trusts it and only checks the size (verify reads the file back)
        StoredObject o = store.putFile("s/t/p/part-00000.parquet", local, data.length, sha);
        assertEquals(new StoredObject("s/t/p/part-00000.parquet", data.length, sha), o);
        assertFalse(Files.exists(local));
        assertEquals(List.of("s/t/p/part-00000.parquet"), store.list("s/t/p/"));
        try (InputStream in = store.open("s/t/p/part-00000.parquet")) {
            assertArrayEquals(data, in.readAllBytes());
        }

        // a size that does not match what is on disk is refused and nothing is stored
        Path short1 = store.newLocalFile("s/t/p/part-00001.parquet", dir);
        Files.write(short1, data);
        IOException e = assertThrows(
                IOException.class, () -> store.putFile("s/t/p/part-00001.parquet", short1, data.length + 1, sha));
        assertTrue(
                e.getMessage().contains("has " + data.length + " bytes but " + (data.length + 1) + " were written"),
                e.getMessage());
        assertFalse(store.exists("s/t/p/part-00001.parquet"));

        // a file elsewhere is copied; the digest read while copying must equal the caller's
        Path elsewhere = Files.write(dir.resolve("elsewhere.bin"), data);
        assertEquals(
                sha,
                store.putFile("s/t/p/part-00002.parquet", elsewhere, data.length, sha)
                        .sha256());
        assertTrue(Files.exists(elsewhere), "a copied file is the caller's to delete");
        IOException wrong = assertThrows(
                IOException.class,
                () -> store.putFile("s/t/p/part-00003.parquet", elsewhere, data.length, "00" + sha.substring(2)));
        assertTrue(
                wrong.getMessage().startsWith("stored " + data.length + " bytes with SHA-256 " + sha),
                wrong.getMessage());
    }

    @Test
    void directoriesCarryTheRealNamesAndOlderPercentNamedArchivesStillRead() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir.resolve("root"));
        String prefix = ArchiveKeys.segment("public") + "/" + ArchiveKeys.segment("Billing Events") + "/"
                + ArchiveKeys.segment("Billing Events 20261024") + "/";
        assertEquals(
                "public/Billing%20Events/Billing%20Events%2020261024/", prefix, "keys are as before (and as on S3)");

        store.put(prefix + "manifest.json", new ByteArrayInputStream("{}".getBytes()));

        Path real = dir.resolve("root/public/Billing Events/Billing Events 20261024/manifest.json");
        assertTrue(Files.isRegularFile(real), "written under the real names");
        assertEquals(real, store.localFile(prefix + "manifest.json").orElseThrow());
        assertEquals(List.of(prefix + "manifest.json"), store.list(prefix));
        assertEquals(List.of(prefix + "manifest.json"), store.list(""));

        // an archive an older version wrote, under the percent-encoded names
        String old = "public/Billing%20Events/Billing%20Events%2020261023/";
        Path legacy = dir.resolve("root").resolve(old);
        Files.createDirectories(legacy);
        Files.writeString(legacy.resolve("manifest.json"), "old");
        Files.writeString(legacy.resolve("part-00000.parquet"), "rows");

        assertTrue(store.exists(old + "manifest.json"));
        try (InputStream in = store.open(old + "manifest.json")) {
            assertEquals("old", new String(in.readAllBytes()));
        }
        assertEquals(List.of(old + "manifest.json", old + "part-00000.parquet"), store.list(old));
        assertEquals(
                legacy.resolve("part-00000.parquet"),
                store.localFile(old + "part-00000.parquet").orElseThrow());
        store.delete(old + "part-00000.parquet");
        assertFalse(Files.exists(legacy.resolve("part-00000.parquet")));
        // a file: location of the old form opens where the files are
        try (ArchiveStore byUri = ArchiveStores.open(store.locationOf(old))) {
            assertTrue(byUri.exists("manifest.json"), byUri::toString);
        }
        try (ArchiveStore byUri = ArchiveStores.open(store.locationOf(prefix))) {
            assertTrue(byUri.exists("manifest.json"), byUri::toString);
        }
    }
}

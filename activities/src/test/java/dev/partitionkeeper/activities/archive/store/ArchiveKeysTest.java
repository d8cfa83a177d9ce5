package dev.partitionkeeper.activities.archive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.workflows.model.TableName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveKeysTest {

    @Test
    void identifiersBecomeOneSafeSegment() {
        assertEquals("events_p2024_01", ArchiveKeys.segment("events_p2024_01"));
        assertEquals("Billing%20Events", ArchiveKeys.segment("Billing Events"));
        assertEquals("a%2Fb", ArchiveKeys.segment("a/b"));
        assertEquals("%2E%2E", ArchiveKeys.segment(".."));
        assertEquals("v1.2", ArchiveKeys.segment("v1.2"));
        assertEquals("%C3%A9t%C3%A9", ArchiveKeys.segment("été"));
        assertEquals("100%25", ArchiveKeys.segment("100%"));
    }

    @Test
    void layoutIsSchemaTablePartition() {
        ArchiveLayout layout = ArchiveLayout.of(new TableName("public", "Billing Events"), "p 1");
        assertEquals("public/Billing%20Events/p%201/", layout.dir());
        assertEquals("public/Billing%20Events/p%201/manifest.json", layout.manifestKey());
        assertEquals("public/Billing%20Events/p%201/part-00001.parquet", layout.key(ArchiveLayout.fileName(1)));
        assertEquals("manifest.json", ArchiveLayout.root().manifestKey());
    }

    @Test
    void keysThatCouldEscapeTheRootAreRefused() {
        assertEquals(
                "archive key must not contain empty, \".\" or \"..\" segments, got: \"a/../b\"",
                assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("a/../b"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("a//b"));
        assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("a\\b"));
        assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check(""));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "Billing Events 20261024",
                "transactions_p2026_12",
                "100% done",
                "a/b",
                "tab\there",
                "Zürich ☃",
                "..",
                ".",
                "a.b",
                "%20 literally",
                "x\\y",
                "$1-2_3"
            })
    void aFileNameKeepsTheRealNameAndMapsBackToTheSameKey(String identifier) {
        String key = ArchiveKeys.segment(identifier);
        String name = ArchiveKeys.fileName(key);

        assertEquals(key, ArchiveKeys.segmentOfFileName(name), name);
        assertEquals(key, ArchiveKeys.segmentOfFileName(key), "an older archive's name is its key");
        assertFalse(
                name.contains("/")
                        || name.chars().anyMatch(c -> c < 0x20)
                        || name.chars().allMatch(c -> c == '.'),
                name);
        if (identifier.chars().allMatch(c -> c >= 0x20 && c != '/' && c != '%') && !identifier.matches("\\.+")) {
            assertEquals(identifier, name, "nothing a file name can hold is escaped");
        }
    }
}

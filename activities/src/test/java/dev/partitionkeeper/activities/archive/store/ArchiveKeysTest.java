package dev.partitionkeeper.activities.archive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.workflows.model.TableName;
import org.junit.jupiter.api.Test;

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
    assertEquals("archive key must not contain empty, \".\" or \"..\" segments, got: \"a/../b\"",
        assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("a/../b")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("/etc/passwd"));
    assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("a//b"));
    assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check("a\\b"));
    assertThrows(IllegalArgumentException.class, () -> ArchiveKeys.check(""));
  }
}

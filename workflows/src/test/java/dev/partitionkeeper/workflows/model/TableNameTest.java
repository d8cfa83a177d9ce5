package dev.partitionkeeper.workflows.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TableNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      public.events                | public    | events
      events                       | public    | events
      Events                       | public    | events
      PUBLIC.Events                | public    | events
      '  billing.events  '         | billing   | events
      _t$1                         | public    | _t$1
      "Billing Events"             | public    | Billing Events
      billing."Billing Events"     | billing   | Billing Events
      public."a""b"                | public    | a"b
      "My Schema"."x.y"            | My Schema | x.y
      "select"                     | public    | select
      public.Événements            | public    | Événements
      public.ÉVÉNEMENTS            | public    | ÉvÉnements
      """)
    void parsesLikePostgres(String text, String schema, String table) {
        assertEquals(new TableName(schema, table), TableName.parse(text, "public"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      x; drop table y          | table name "x; drop table y" is not a valid identifier: character ';' needs double quotes, e.g. public."Billing Events"
      public.events;--         | table name "public.events;--" is not a valid identifier: character ';' needs double quotes, e.g. public."Billing Events"
      Billing Events           | table name "Billing Events" is not a valid identifier: character ' ' needs double quotes, e.g. public."Billing Events"
      1events                  | table name "1events" is not a valid identifier: character '1' needs double quotes, e.g. public."Billing Events"
      a.b.c                    | table name a.b.c has 3 parts; write it as schema.table, e.g. public.events
      public.                  | table name "public." ends with a dot; write it as schema.table, e.g. public.events
      .events                  | table name ".events" has an empty part
      "unclosed                | table name "unclosed has an unclosed double quote
      "a"b                     | table name "a"b has text after a quoted identifier
      ""                       | table name "" has an empty quoted part
      `   `                    | table name is empty
      """)
    void rejectsWithTheReason(String text, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TableName.parse(text, "public"));

        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {""})
    void rejectsNothing(String text) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TableName.parse(text, "public"));

        assertEquals("table name is empty", e.getMessage());
    }

    @Test
    void rejectsIdentifiersLongerThan63Bytes() {
        String ascii64 = "a".repeat(64);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TableName.parse("public." + ascii64, "public"));
        assertEquals(
                "identifier \"" + ascii64 + "\" in table name public." + ascii64
                        + " is longer than PostgreSQL's 63-byte limit",
                e.getMessage());

        // 32 two-byte characters: 32 characters, 64 bytes
        assertThrows(IllegalArgumentException.class, () -> TableName.parse("\"" + "ü".repeat(32) + "\"", "public"));
    }

    @Test
    void acceptsIdentifiersOfExactly63Bytes() {
        assertEquals("a".repeat(63), TableName.parse("a".repeat(63), "public").table());
        assertEquals(
                "ü".repeat(31) + "x",
                TableName.parse("\"" + "ü".repeat(31) + "x\"", "public").table());
    }

    @Test
    void quotedIsSafeToSpliceIntoSql() {
        assertEquals("\"public\".\"events\"", new TableName("public", "events").quoted());
        assertEquals("\"billing\".\"Billing Events\"", new TableName("billing", "Billing Events").quoted());
        assertEquals(
                "\"public\".\"x\"\"; drop table y; --\"", new TableName("public", "x\"; drop table y; --").quoted());
        assertEquals("\"a\"\"b\"", TableName.quoteIdent("a\"b"));
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', textBlock = """
      public    | events         | public.events
      billing   | Billing Events | billing."Billing Events"
      public    | Events         | public."Events"
      public    | a"b            | public."a""b"
      My Schema | x.y            | "My Schema"."x.y"
      public    | _t$1           | public._t$1
      public    | Événements     | public."Événements"
      """)
    void toStringQuotesOnlyWhereNeededAndParsesBack(String schema, String table, String text) {
        TableName name = new TableName(schema, table);

        assertEquals(text, name.toString());
        assertEquals(name, TableName.parse(text, "elsewhere"));
    }

    @Test
    void constructorRejectsEmptyParts() {
        assertEquals(
                "schema must not be empty",
                assertThrows(IllegalArgumentException.class, () -> new TableName("", "events"))
                        .getMessage());
        assertEquals(
                "table must not be empty",
                assertThrows(IllegalArgumentException.class, () -> new TableName("public", null))
                        .getMessage());
    }

    @Test
    void inSchemaKeepsTheTable() {
        assertEquals(
                new TableName("archive", "Billing Events"),
                new TableName("billing", "Billing Events").inSchema("archive"));
    }
}

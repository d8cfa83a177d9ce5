package dev.partitionkeeper.activities.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The swap's index renaming on a real PostgreSQL: the twin's indexes (its primary key and unique constraints with
 * them) take the original names, the original's step aside, and the swap back puts every name where it was.
 */
@Tag("postgres")
@Timeout(60)
class IndexRenamesTest extends ConvertPgTest {
    @BeforeEach
    void setUp() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id bigint, at timestamptz NOT NULL, code text, note text, PRIMARY KEY (id, at),"
                        + " CONSTRAINT orders_code_key UNIQUE (code, at))",
                "CREATE INDEX orders_at_idx ON public.orders (at)",
                // the same columns as the unique key, but not unique: pairs by kind, not only by columns
                "CREATE INDEX orders_code_plain ON public.orders (code, at)",
                "CREATE INDEX orders_note_idx ON public.orders (note)",
                "CREATE TABLE public.orders_pk_new (LIKE public.orders INCLUDING ALL) PARTITION BY RANGE (at)",
                // an index the original has and the twin not, and one the twin has and the original not
                "DROP INDEX public.orders_pk_new_note_idx",
                "CREATE INDEX orders_pk_new_lower_idx ON public.orders_pk_new (lower(code))",
                // the name the original's primary key would step aside to is taken
                "CREATE TABLE public.orders_pkey_old (x int)");
    }

    /** Index names of a table, sorted. */
    String indexes(String table) {
        return PgTestSupport.queryString(
                url,
                "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_index i"
                        + " JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '" + table + "'::regclass");
    }

    /** Constraint names of a table (primary key, unique), sorted. */
    String constraints(String table) {
        return PgTestSupport.queryString(
                url,
                "SELECT string_agg(conname || ':' || contype::text, ' ' ORDER BY conname)"
                        + " FROM pg_constraint WHERE conrelid = '" + table + "'::regclass AND contype IN ('p', 'u')");
    }

    @Test
    void theTwinTakesTheOriginalNamesAndTheSwapBackReturnsThem() throws SQLException {
        String twinBefore = indexes("public.orders_pk_new");
        assertEquals(
                "orders_pk_new_at_idx orders_pk_new_code_at_idx orders_pk_new_code_at_key orders_pk_new_lower_idx"
                        + " orders_pk_new_pkey",
                twinBefore,
                "the names LIKE gave the twin");

        List<String> triples;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            triples = IndexRenames.takeOver(
                    c,
                    "public",
                    ConvertCatalog.oidOf(c, new TableName("public", "orders")),
                    ConvertCatalog.oidOf(c, new TableName("public", "orders_pk_new")));
            c.commit();
        }

        assertEquals(
                List.of(
                        "orders_at_idx",
                        "orders_at_idx_old",
                        "orders_pk_new_at_idx",
                        "orders_code_key",
                        "orders_code_key_old",
                        "orders_pk_new_code_at_key",
                        "orders_code_plain",
                        "orders_code_plain_old",
                        "orders_pk_new_code_at_idx",
                        "orders_pkey",
                        "orders_pkey_old_2",
                        "orders_pk_new_pkey"),
                triples,
                "by the original's names; a taken name gets a number");
        assertEquals(
                "orders_at_idx orders_code_key orders_code_plain orders_pk_new_lower_idx orders_pkey",
                indexes("public.orders_pk_new"),
                "a twin index without a partner keeps its name");
        assertEquals(
                "orders_code_key:u orders_pkey:p",
                constraints("public.orders_pk_new"),
                "the constraints follow their indexes");
        assertEquals(
                "orders_at_idx_old orders_code_key_old orders_code_plain_old orders_note_idx orders_pkey_old_2",
                indexes("public.orders"),
                "an original index without a partner keeps its name");

        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            IndexRenames.undo(c, "public", triples);
            IndexRenames.undo(c, "public", null);
            c.commit();
        }
        assertEquals(twinBefore, indexes("public.orders_pk_new"));
        assertEquals(
                "orders_at_idx orders_code_key orders_code_plain orders_note_idx orders_pkey",
                indexes("public.orders"));
        assertEquals("orders_code_key:u orders_pkey:p", constraints("public.orders"));
    }
}

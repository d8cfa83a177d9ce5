package dev.partitionkeeper.activities.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.postgres.Sql;
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
 * The swap's re-creation of dependent views and triggers on a real PostgreSQL, without the rest of the swap: read
 * the definitions, rename the tables as the swap does, re-create, and the views and triggers follow the name.
 */
@Tag("postgres")
@Timeout(60)
class ViewRecreationTest extends ConvertPgTest {
    static final TableName EVENTS = new TableName("public", "events");

    @BeforeEach
    void setUp() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigint PRIMARY KEY, at timestamptz NOT NULL, amount int NOT NULL)",
                "INSERT INTO public.events SELECT i, timestamptz '2024-01-01' + i * interval '1 day', i FROM"
                        + " generate_series(1, 20) i",
                "CREATE TABLE public.names (id bigint PRIMARY KEY, name text)",
                "INSERT INTO public.names SELECT i, 'n' || i FROM generate_series(1, 20) i",
                // the table taking the name over: empty, so a view that still reads the old one is seen at once
                "CREATE TABLE public.events_new (LIKE public.events INCLUDING ALL)",
                "CREATE SCHEMA other",
                // a decoy: an unqualified "events" in a re-created definition would resolve to it on this search_path
                "CREATE TABLE other.events (id bigint, at timestamptz, amount int)");
    }

    /** What the swap does around the re-creation, in one transaction. */
    List<String> swapWith(List<String[]> triggers) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            long oid = ConvertCatalog.oidOf(c, EVENTS);
            // the definitions are read under the application's search_path, and it is left as it was
            Sql.exec(c, "SET LOCAL search_path = other, public");
            ViewRecreation saved = ViewRecreation.read(
                    c,
                    ConvertCatalog.dependentViews(c, oid),
                    triggers == null ? ConvertCatalog.userTriggers(c, oid) : triggers);
            assertEquals(
                    "other, public",
                    ConvertCatalog.rows(c, "SELECT current_setting('search_path')", null)
                            .get(0)[0]);
            Sql.exec(c, "ALTER TABLE public.events RENAME TO events_old");
            Sql.exec(c, "ALTER TABLE public.events_new RENAME TO events");
            List<String> repointed = saved.recreate(c, EVENTS);
            c.commit();
            return repointed;
        }
    }

    /** 1 when the view reads the table {@code table}, else 0. */
    long reads(String view, String table) {
        return q("SELECT count(DISTINCT w.ev_class) FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid"
                + " WHERE w.ev_class = '" + view + "'::regclass AND d.refobjid = '" + table + "'::regclass");
    }

    @Test
    void everyViewOnTheTableFollowsTheNameWithItsOptionsGrantsAndTheViewsOnIt() throws SQLException {
        String reader = role("reader");
        PgTestSupport.exec(
                url,
                "CREATE ROLE " + reader + " NOLOGIN",
                "CREATE VIEW public.big_events WITH (security_barrier) AS SELECT id, amount FROM public.events"
                        + " WHERE amount > 10",
                "CREATE VIEW public.small_events AS SELECT id, at, amount FROM public.events WHERE amount < 5"
                        + " WITH LOCAL CHECK OPTION",
                "CREATE VIEW other.named_events AS SELECT e.id, n.name FROM public.events e JOIN public.names n USING (id)",
                // reads the table only through big_events: not re-created, it must survive the re-creation beneath it
                "CREATE VIEW public.big_event_ids AS SELECT id FROM public.big_events",
                "GRANT SELECT ON public.big_events, public.big_event_ids TO " + reader);
        long bigOid = q("SELECT 'public.big_events'::regclass::oid");

        List<String> repointed = swapWith(List.of());

        assertEquals(
                List.of(
                        "view \"public\".\"big_events\"",
                        "view \"public\".\"small_events\"",
                        "view \"other\".\"named_events\""),
                repointed,
                "in the order they were created, only those on the table");
        for (String v : List.of("public.big_events", "public.small_events", "other.named_events")) {
            assertEquals(1, reads(v, "public.events"), v + " reads the table that has the name now");
            assertEquals(0, reads(v, "public.events_old"), v + " no longer reads the original");
            assertEquals(0, reads(v, "other.events"), v + " kept its schema-qualified names");
        }
        assertEquals(bigOid, q("SELECT 'public.big_events'::regclass::oid"), "replaced in place, not dropped");
        assertEquals(
                1,
                q("SELECT count(*) FROM pg_class WHERE oid = 'public.big_events'::regclass"
                        + " AND reloptions::text LIKE '%security_barrier%'"));
        assertEquals(
                1,
                q("SELECT count(*) FROM pg_class WHERE oid = 'public.small_events'::regclass"
                        + " AND reloptions::text LIKE '%check_option=local%'"));
        for (String v : List.of("big_events", "big_event_ids")) {
            assertEquals(
                    1,
                    q("SELECT count(*) FROM information_schema.role_table_grants WHERE table_name = '" + v + "'"
                            + " AND grantee = '" + reader + "' AND privilege_type = 'SELECT'"),
                    v + " keeps its grant");
        }
        // the views see the new table's rows, the view on a view included
        PgTestSupport.exec(url, "INSERT INTO public.events VALUES (100, '2024-05-01', 50), (101, '2024-05-02', 1)");
        assertEquals(1, q("SELECT count(*) FROM public.big_event_ids"));
        assertEquals(1, q("SELECT count(*) FROM public.big_events"));
        assertEquals(1, q("SELECT count(*) FROM public.small_events"));
        assertEquals(0, q("SELECT count(*) FROM other.named_events"), "no name for 100 or 101");
        IllegalStateException checked = assertThrows(
                IllegalStateException.class,
                () -> PgTestSupport.exec(url, "INSERT INTO public.small_events VALUES (102, '2024-05-03', 9)"));
        assertTrue(checked.getMessage().contains("check option"), checked.getMessage());
    }

    @Test
    void theTablesTriggersAreCreatedOnTheNewTableWithTheirEnabledState() throws SQLException {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.audit (id bigint, what text)",
                "CREATE FUNCTION public.audit_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO public.audit VALUES (NEW.id, TG_NAME); RETURN NULL; END $$",
                "CREATE TRIGGER a_origin AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.audit_it()",
                "CREATE TRIGGER b_off AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.audit_it()",
                "ALTER TABLE public.events DISABLE TRIGGER b_off",
                "CREATE TRIGGER c_replica AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.audit_it()",
                "ALTER TABLE public.events ENABLE REPLICA TRIGGER c_replica",
                "CREATE TRIGGER d_always AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.audit_it()",
                "ALTER TABLE public.events ENABLE ALWAYS TRIGGER d_always",
                "CREATE VIEW public.all_events AS SELECT * FROM public.events");

        List<String> repointed = swapWith(null);

        assertEquals(
                List.of(
                        "view \"public\".\"all_events\"",
                        "trigger \"a_origin\"",
                        "trigger \"b_off\"",
                        "trigger \"c_replica\"",
                        "trigger \"d_always\""),
                repointed,
                "views first, then triggers by name");
        assertEquals(
                "a_origin:O b_off:D c_replica:R d_always:A",
                PgTestSupport.queryString(
                        url,
                        "SELECT"
                                + " string_agg(tgname || ':' || tgenabled::text, ' ' ORDER BY tgname) FROM pg_trigger"
                                + " WHERE tgrelid = 'public.events'::regclass"));
        assertEquals(
                4,
                q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.events_old'::regclass"),
                "the original keeps its own");
        PgTestSupport.exec(url, "INSERT INTO public.events VALUES (100, '2024-05-01', 50)");
        assertEquals(
                "a_origin d_always",
                PgTestSupport.queryString(
                        url, "SELECT string_agg(what, ' ' ORDER BY what)" + " FROM public.audit WHERE id = 100"),
                "as on the original: replica and disabled ones stay silent");
    }

    @Test
    void nothingToReadChangesNothing() throws SQLException {
        assertEquals(List.of(), swapWith(List.of()));
        assertEquals(
                0,
                q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.events'::regclass"
                        + " AND NOT tgisinternal"));
    }
}

package dev.partitionkeeper.activities.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.convert.ConvertMode;
import dev.partitionkeeper.workflows.convert.ConvertPlanner;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.CopyResult;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.PartitionLayout;
import dev.partitionkeeper.workflows.convert.SwapResult;
import dev.partitionkeeper.workflows.convert.Verification;
import dev.partitionkeeper.workflows.model.TableName;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each conversion step on a real PostgreSQL: the happy path with its rollback, a crash mid-copy, and bad inputs. */
@Tag("postgres")
@Timeout(120)
class ConvertActivitiesImplTest extends ConvertPgTest {
    static final Instant NOW = Instant.parse("2024-03-15T12:00:00Z");
    static final LockSettings LOCKS = new LockSettings(
            Duration.ofMillis(100), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofSeconds(20), 20);

    ConvertActivitiesImpl acts;

    @BeforeEach
    void setUp() {
        acts = new ConvertActivitiesImpl(ds, LOCKS, "partition_keeper");
        PgTestSupport.exec(url, """
        CREATE ROLE convert_reader NOLOGIN""".replace("convert_reader", reader()));
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.transactions (id bigserial, created_at timestamptz NOT NULL DEFAULT now(),"
                        + " amount numeric(12,2) NOT NULL CHECK (amount <> 0), note text, PRIMARY KEY (id, created_at))",
                "CREATE INDEX transactions_created_idx ON public.transactions (created_at)",
                "COMMENT ON TABLE public.transactions IS 'money moves'",
                "GRANT SELECT ON public.transactions TO " + reader(),
                "INSERT INTO public.transactions (created_at, amount, note) SELECT timestamptz '2023-11-01' + i * interval"
                        + " '1 hour', i % 997 + 1, CASE WHEN i % 5 = 0 THEN NULL ELSE 'n' || i END FROM generate_series(1, 3000) i",
                "CREATE VIEW public.big_transactions WITH (security_barrier) AS SELECT id, amount FROM public.transactions"
                        + " WHERE amount > 500");
    }

    String reader() {
        return role("reader");
    }

    ConvertRequest request() {
        return ConvertRequest.convert("public.transactions", "created_at", "monthly")
                .withPremake(2)
                .withThrottle(0, 500);
    }

    PartitionLayout prepare(ConvertRequest r) {
        Inspection i = acts.inspect(r);
        assertEquals(Inspection.NONE, i.phase());
        assertEquals(List.of("id", "created_at"), i.primaryKey());
        PartitionLayout layout = ConvertPlanner.layout(i, r, NOW);
        acts.prepare(r, layout);
        return layout;
    }

    @Test
    void convertsWithConcurrentChangesThenRollsBackWithTheWritesMadeSince() {
        ConvertRequest r = request();
        PartitionLayout layout = prepare(r);
        // 2023-11 .. 2024-05 (current month March + 2)
        assertEquals(7, layout.partitions().size());
        // changes while (before) the copy runs are captured
        PgTestSupport.exec(
                url,
                "UPDATE public.transactions SET note = 'changed' WHERE id % 100 = 0",
                "DELETE FROM public.transactions WHERE id % 333 = 0",
                "INSERT INTO public.transactions (created_at, amount) VALUES ('2024-03-10', 42)");
        CopyResult copy = acts.copy(r);
        assertEquals(q("SELECT count(*) FROM public.transactions"), copy.totalRows());
        // and after it
        PgTestSupport.exec(
                url,
                "UPDATE public.transactions SET created_at = created_at + interval '31 days' WHERE id = 7",
                "INSERT INTO public.transactions (created_at, amount) VALUES ('2024-03-11', 43)");
        assertTrue(acts.replay(r, false).changes() > 0);
        PgTestSupport.exec(url, "DELETE FROM public.transactions WHERE id = 8");
        Verification before = acts.verify(r, VerifyStep.BEFORE_SWAP);
        assertTrue(before.ok(), before.describe());
        IllegalStateException truncate = assertThrows(
                IllegalStateException.class, () -> PgTestSupport.exec(url, "TRUNCATE public.transactions"));
        assertTrue(truncate.getMessage().contains("is being converted by partition-keeper"), truncate.getMessage());

        SwapResult swap = acts.swap(r, false);
        assertFalse(swap.alreadyDone());
        assertEquals(
                "p",
                PgTestSupport.queryString(
                        url, "SELECT relkind::text FROM pg_class WHERE oid =" + " 'public.transactions'::regclass"));
        assertEquals(q("SELECT count(*) FROM public.transactions_old"), q("SELECT count(*) FROM public.transactions"));
        // names, privileges, owner, comment, sequence, view follow the table
        assertEquals(
                "transactions_pkey",
                PgTestSupport.queryString(
                        url,
                        "SELECT conname FROM pg_constraint WHERE conrelid ="
                                + " 'public.transactions'::regclass AND contype = 'p'"));
        assertEquals(
                1, q("SELECT count(*) FROM pg_class WHERE relname = 'transactions_created_idx' AND relkind = 'I'"));
        assertEquals(
                1,
                q("SELECT count(*) FROM information_schema.role_table_grants WHERE table_name = 'transactions'"
                        + " AND grantee = '" + reader() + "' AND privilege_type = 'SELECT'"));
        assertEquals(
                "money moves",
                PgTestSupport.queryString(url, "SELECT obj_description('public.transactions'::regclass)"));
        assertEquals(
                "transactions",
                PgTestSupport.queryString(
                        url,
                        "SELECT d.refobjid::regclass::text FROM pg_depend d"
                                + " WHERE d.objid = 'public.transactions_id_seq'::regclass AND d.deptype = 'a'"));
        assertEquals(
                1,
                q("SELECT count(*) FROM pg_class WHERE oid = 'public.big_transactions'::regclass"
                        + " AND reloptions::text LIKE '%security_barrier%'"));
        assertEquals(
                1,
                q(
                        "SELECT count(DISTINCT w.ev_class) FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid WHERE w.ev_class ="
                                + " 'public.big_transactions'::regclass AND d.refobjid = 'public.transactions'::regclass"));
        // the new table takes writes with the same sequence; the view sees them
        PgTestSupport.exec(url, "INSERT INTO public.transactions (created_at, amount) VALUES ('2024-03-12', 900.5)");
        assertEquals(
                q("SELECT count(*) FROM public.transactions WHERE amount > 500"),
                q("SELECT count(*) FROM public.big_transactions"));
        Verification after = acts.verify(r, VerifyStep.AFTER_SWAP);
        assertTrue(after.ok(), after.describe());
        assertEquals(1, after.source().excluded());
        assertTrue(acts.swap(r, false).alreadyDone(), "a second swap changes nothing");

        // rollback: the original comes back with the writes made since the swap
        PgTestSupport.exec(
                url,
                "UPDATE public.transactions SET note = 'after swap' WHERE id = 10",
                "DELETE FROM public.transactions WHERE id = 11");
        ConvertRequest back = ConvertRequest.of(ConvertMode.ROLLBACK, "public.transactions");
        assertEquals(Inspection.SWAPPED, acts.inspect(back).phase());
        acts.replay(back, true);
        Verification b = acts.verify(back, VerifyStep.BEFORE_SWAP_BACK);
        assertTrue(b.ok(), b.describe());
        SwapResult sb = acts.swap(back, true);
        assertFalse(sb.alreadyDone());
        assertEquals(
                "r",
                PgTestSupport.queryString(
                        url, "SELECT relkind::text FROM pg_class WHERE oid =" + " 'public.transactions'::regclass"));
        assertEquals(1, q("SELECT count(*) FROM public.transactions WHERE amount = 900.5"));
        assertEquals(1, q("SELECT count(*) FROM public.transactions WHERE id = 10 AND note = 'after swap'"));
        assertEquals(0, q("SELECT count(*) FROM public.transactions WHERE id = 11"));
        assertEquals(
                "transactions_pkey",
                PgTestSupport.queryString(
                        url,
                        "SELECT conname FROM pg_constraint WHERE conrelid ="
                                + " 'public.transactions'::regclass AND contype = 'p'"));
        assertEquals(
                "transactions",
                PgTestSupport.queryString(
                        url,
                        "SELECT d.refobjid::regclass::text FROM pg_depend d"
                                + " WHERE d.objid = 'public.transactions_id_seq'::regclass AND d.deptype = 'a'"));
        assertEquals(0, q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.transactions'::regclass"));
        assertEquals(
                q("SELECT count(*) FROM public.transactions"), q("SELECT count(*) FROM public.transactions_pk_new"));
        assertTrue(acts.swap(back, true).alreadyDone(), "a second rollback changes nothing");
    }

    @Test
    void theTablesTriggersMoveWithTheNameAndNeverFireForTheCopy() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.audit (id bigint, what text)",
                "CREATE FUNCTION public.audit_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO public.audit VALUES (NEW.id, TG_OP); RETURN NULL; END $$",
                "CREATE TRIGGER transactions_audit AFTER INSERT OR UPDATE ON public.transactions FOR EACH ROW"
                        + " EXECUTE FUNCTION public.audit_it()",
                "CREATE TRIGGER transactions_audit_off AFTER DELETE ON public.transactions FOR EACH ROW"
                        + " EXECUTE FUNCTION public.audit_it()",
                "ALTER TABLE public.transactions DISABLE TRIGGER transactions_audit_off");
        ConvertRequest r = request();
        prepare(r);
        PgTestSupport.exec(url, "UPDATE public.transactions SET note = 'x' WHERE id = 1");
        acts.copy(r);
        acts.replay(r, false);
        assertTrue(acts.verify(r, VerifyStep.BEFORE_SWAP).ok());
        assertEquals(1, q("SELECT count(*) FROM public.audit"), "only the application's own write was audited");
        SwapResult swap = acts.swap(r, false);
        assertTrue(swap.repointed().contains("trigger \"transactions_audit\""), swap.toString());
        PgTestSupport.exec(url, "INSERT INTO public.transactions (created_at, amount) VALUES ('2024-03-12', 7)");
        assertEquals(2, q("SELECT count(*) FROM public.audit"), "the new table audits its writes once");
        assertEquals(
                "D",
                PgTestSupport.queryString(
                        url,
                        "SELECT tgenabled::text FROM pg_trigger WHERE tgrelid ="
                                + " 'public.transactions'::regclass AND tgname = 'transactions_audit_off'"));
    }

    @Test
    void aCopyKilledMidWayResumesWhereItStopped() {
        ConvertRequest r = request().withThrottle(0, 200);
        prepare(r);
        acts.hook(batches -> {
            if (batches == 4) {
                throw new IllegalStateException("worker killed");
            }
        });
        assertThrows(IllegalStateException.class, () -> acts.copy(r));
        assertEquals(800, q("SELECT count(*) FROM public.transactions_pk_new"));
        acts.hook(b -> {});
        CopyResult rest = acts.copy(r);
        assertTrue(rest.resumed());
        assertEquals(3000 - 800, rest.rows());
        assertEquals(3000, rest.totalRows());
        assertEquals(3000, q("SELECT count(*) FROM public.transactions_pk_new"));
        assertEquals(0, acts.copy(r).rows(), "a copy that finished does nothing");
        assertTrue(acts.verify(r, VerifyStep.BEFORE_SWAP).ok());
    }

    @Test
    void aKeyWhoseUniqueValueAStaleRowStillHoldsWaitsForThatRowsChange() throws Exception {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.codes (id bigint, at timestamptz NOT NULL, code text, t int,"
                        + " PRIMARY KEY (id, at), UNIQUE (code, at))",
                "INSERT INTO public.codes VALUES (1, '2024-03-01', 'v', 1), (2, '2024-03-01', 'x', 2)");
        ConvertRequest r = ConvertRequest.convert("public.codes", "at", "monthly");
        acts.prepare(r, ConvertPlanner.layout(acts.inspect(r), r, NOW));
        acts.copy(r);
        // row 2 changes (e0), then row 1 gives 'v' up (e1) and row 2 takes it (e2)
        PgTestSupport.exec(
                url,
                "UPDATE public.codes SET t = 20 WHERE id = 2",
                "UPDATE public.codes SET code = 'w' WHERE id = 1",
                "UPDATE public.codes SET code = 'v' WHERE id = 2");
        long oid = q("SELECT 'public.codes'::regclass::oid");
        try (var c = ds.getConnection()) {
            TableSync sync = new TableSync(ConvertCatalog.check(c, new TableName("public", "codes"), "at"));
            // a batch that ends between e0 and e1: row 2 cannot take 'v' yet, so it goes back to the log
            assertEquals(
                    0,
                    sync.replayBatch(
                            c,
                            "partition_keeper.convert_" + oid + "_fwd",
                            new TableName("public", "codes"),
                            new TableName("public", "codes_pk_new"),
                            1));
        }
        acts.replay(r, false);
        Verification v = acts.verify(r, VerifyStep.BEFORE_SWAP);
        assertTrue(v.ok(), v.describe());
        // a column named t does not shadow the whole row in the checksum: a stale row is seen
        PgTestSupport.exec(
                url,
                "ALTER TABLE public.codes DISABLE TRIGGER partition_keeper_capture",
                "UPDATE public.codes SET code = 'z' WHERE id = 1",
                "ALTER TABLE public.codes ENABLE ALWAYS TRIGGER partition_keeper_capture");
        assertFalse(acts.verify(r, VerifyStep.BEFORE_SWAP).ok());
    }

    @Test
    void identityColumnsKeepTheirValuesAndTheSequenceMovesWithTheName() {
        assumeTrue(PgTestSupport.serverMajor() >= 17, "partitioned tables have identity columns from PostgreSQL 17 on");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.ledger (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz NOT"
                        + " NULL, PRIMARY KEY (id, at))",
                "INSERT INTO public.ledger (at) SELECT timestamptz '2024-02-01' + i *"
                        + " interval '1 hour' FROM generate_series(1, 500) i");
        ConvertRequest r = ConvertRequest.convert("public.ledger", "at", "monthly");
        acts.prepare(r, ConvertPlanner.layout(acts.inspect(r), r, NOW));
        acts.copy(r);
        PgTestSupport.exec(url, "INSERT INTO public.ledger (at) VALUES ('2024-03-02')");
        acts.replay(r, false);
        assertTrue(acts.verify(r, VerifyStep.BEFORE_SWAP).ok());
        acts.swap(r, false);
        PgTestSupport.exec(url, "INSERT INTO public.ledger (at) VALUES ('2024-03-03')");
        assertEquals(502, q("SELECT max(id) FROM public.ledger"), "the new table's identity continues after 501");
        assertTrue(acts.verify(r, VerifyStep.AFTER_SWAP).ok());
        ConvertRequest back = ConvertRequest.of(ConvertMode.ROLLBACK, "public.ledger");
        acts.replay(back, true);
        acts.swap(back, true);
        PgTestSupport.exec(url, "INSERT INTO public.ledger (at) VALUES ('2024-03-04')");
        assertEquals(503, q("SELECT max(id) FROM public.ledger"));
        assertEquals(503, q("SELECT count(DISTINCT id) FROM public.ledger"));
    }

    @Test
    void rollbackBeforeTheSwapDropsThePartialCopyAndLeavesTheTableAsItWas() {
        ConvertRequest r = request();
        prepare(r);
        acts.swap(ConvertRequest.of(ConvertMode.ROLLBACK, "public.transactions"), true);
        assertEquals(0, q("SELECT count(*) FROM pg_class WHERE relname = 'transactions_pk_new'"));
        assertEquals(0, q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.transactions'::regclass"));
        assertEquals(3000, q("SELECT count(*) FROM public.transactions"));
        assertEquals(Inspection.NONE, acts.inspect(r).phase(), "it can be converted again");
    }

    @Test
    void theTwinKeepsTheOwnerAndTheCopyHoldsItsRate() {
        String owner = role("owner");
        PgTestSupport.exec(
                url, "CREATE ROLE " + owner + " NOLOGIN", "ALTER TABLE public.transactions OWNER TO " + owner);
        ConvertRequest r = request().withThrottle(2_000, 500);
        prepare(r);
        assertEquals(
                owner,
                PgTestSupport.queryString(
                        url,
                        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid ="
                                + " 'public.transactions_pk_new'::regclass"));
        assertEquals(
                0,
                q("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent ="
                        + " 'public.transactions_pk_new'::regclass AND pg_get_userbyid(c.relowner) <> '" + owner
                        + "'"));
        long t0 = System.nanoTime();
        assertEquals(3000, acts.copy(r).rows());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // 3000 rows at 2000 rows/s: the last batch may start at 1.25 s at the earliest
        assertTrue(millis >= 1_200, "3000 rows at 2000 rows/s took only " + millis + " ms");
    }

    @Test
    void badInputsGiveClearErrorsAndChangeNothing() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.nullable (id bigint PRIMARY KEY, at timestamptz)",
                "INSERT INTO public.nullable VALUES (1, now()), (2, NULL)",
                "CREATE TABLE public.pk_without_key (id bigint PRIMARY KEY, at timestamptz NOT NULL)",
                "CREATE TABLE public.no_pk (id bigint, at timestamptz NOT NULL)",
                "CREATE TABLE public.referenced (id bigint, at timestamptz NOT NULL, PRIMARY KEY (id, at))",
                "CREATE TABLE public.referencing (id bigint PRIMARY KEY, ref bigint, ref_at timestamptz,"
                        + " CONSTRAINT referencing_ref_fkey FOREIGN KEY (ref, ref_at) REFERENCES public.referenced (id, at))",
                "CREATE TABLE public.unique_without_key (id bigint, at timestamptz NOT NULL, code text UNIQUE,"
                        + " PRIMARY KEY (id, at))",
                "CREATE TABLE public.already (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)",
                "CREATE TABLE public.ident (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz NOT NULL,"
                        + " PRIMARY KEY (id, at))",
                "CREATE TABLE public.texty (id bigint, at text NOT NULL, PRIMARY KEY (id, at))",
                "CREATE TABLE public.selfref (id bigint, at timestamptz NOT NULL, parent bigint, parent_at timestamptz,"
                        + " PRIMARY KEY (id, at), CONSTRAINT selfref_parent_fkey FOREIGN KEY (parent, parent_at)"
                        + " REFERENCES public.selfref (id, at))",
                "CREATE TABLE public.ruled (id bigint, at timestamptz NOT NULL, PRIMARY KEY (id, at))",
                "CREATE TABLE public.audit (id bigint)",
                "CREATE RULE audit_copy AS ON INSERT TO public.audit DO ALSO INSERT INTO public.ruled VALUES (NEW.id, now())");
        long relations = q("SELECT count(*) FROM pg_class");
        assertRefused("public.missing", "at", "table public.missing does not exist");
        assertRefused(
                "public.transactions",
                "created",
                "column \"created\" does not exist in public.transactions;"
                        + " its columns are: id, created_at, amount, note");
        assertRefused("public.nullable", "at", "column \"at\" of public.nullable is NULL in 1 row");
        assertRefused(
                "public.pk_without_key",
                "at",
                "the primary key pk_without_key_pkey of public.pk_without_key is (id)"
                        + " and does not include \"at\"");
        assertRefused("public.no_pk", "at", "table public.no_pk has no primary key");
        assertRefused(
                "public.referenced",
                "at",
                "foreign key referencing_ref_fkey on referencing references" + " public.referenced");
        assertRefused(
                "public.unique_without_key",
                "at",
                "unique index unique_without_key_code_key on" + " public.unique_without_key does not include \"at\"");
        assertRefused("public.already", "at", "table public.already is already partitioned");
        if (PgTestSupport.serverMajor() < 17) {
            assertRefused(
                    "public.ident",
                    "at",
                    "column id of public.ident is an identity column; partitioned tables have"
                            + " identity columns from PostgreSQL 17 on");
        }
        assertRefused("public.texty", "at", "column \"at\" of public.texty is text; the partition key must be");
        assertRefused(
                "public.selfref",
                "at",
                "foreign key selfref_parent_fkey of public.selfref references the table" + " itself");
        assertRefused("public.ruled", "at", "rule audit_copy on table audit refers to public.ruled by its identity");
        ApplicationFailure bad = assertThrows(
                ApplicationFailure.class,
                () -> acts.inspect(ConvertRequest.convert("public.transactions", "created_at", "fortnightly")));
        assertTrue(bad.getOriginalMessage().startsWith("interval must be daily, weekly"), bad.getOriginalMessage());
        assertEquals(relations, q("SELECT count(*) FROM pg_class"), "a refusal creates nothing");
        assertEquals(0, q("SELECT count(*) FROM pg_namespace WHERE nspname = 'partition_keeper'"));
    }

    void assertRefused(String table, String column, String message) {
        ApplicationFailure f = assertThrows(
                ApplicationFailure.class, () -> acts.inspect(ConvertRequest.convert(table, column, "monthly")));
        assertEquals(Failures.INVALID_POLICY, f.getType(), f.getOriginalMessage());
        assertTrue(
                f.getOriginalMessage().startsWith(message),
                "expected \"" + message + "...\", got: " + f.getOriginalMessage());
        assertTrue(f.isNonRetryable());
    }
}

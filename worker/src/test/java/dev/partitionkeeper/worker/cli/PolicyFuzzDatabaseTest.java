package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies that validate but do not fit the database (a missing table or schema, an ordinary, LIST, HASH,
 * two-column, expression or integer-keyed table, a view, a partition instead of its parent, unicode
 * names), and seeded broken files, through {@code plan} and {@code once} against a real PostgreSQL: each
 * exits non-zero naming the table and what is wrong, prints no stack trace, and leaves the catalog and
 * the rows exactly as they were.
 */
@Tag("postgres")
class PolicyFuzzDatabaseTest {
    static final long SEED = Long.getLong("pk.fuzz.seed", 20261125L);

    @TempDir
    Path dir;

    final Cli.Session cli = new Cli.Session();

    /** Each table reference the database refuses, and words its error must contain. */
    private static final String[][] REFUSED = {
        {"public.transactionz", "public.transactionz does not exist"},
        {"nowhere.transactions", "nowhere.transactions does not exist"},
        {"public.\"Tr\u00e4nsactions\"", "public.\"Tr\u00e4nsactions\" does not exist"},
        {"public.plain", "public.plain is not range-partitioned: it is an ordinary table"},
        {"public.a_view", "public.a_view is not range-partitioned: it is a view"},
        {"public.by_list", "public.by_list is not range-partitioned: it is partitioned by LIST"},
        {"public.by_hash", "public.by_hash is not range-partitioned: it is partitioned by HASH"},
        {"public.two_keys", "public.two_keys is partitioned by 2 columns"},
        {"public.by_expression", "public.by_expression is partitioned by an expression"},
        {"public.by_int", "public.by_int is partitioned by column id of type bigint"},
        {"public.by_numeric", "public.by_numeric is partitioned by column amount of type numeric(10,2); a numeric key"},
        {"public.by_text", "public.by_text is partitioned by column day of type text"},
        {"public.events_2020", "public.events_2020 is not range-partitioned: it is an ordinary table"},
        {"public.\"\u00c9v\u00e9nements\u2603\"", "\u00c9v\u00e9nements\u2603\" is not range-partitioned"},
    };

    private static String catalog(String url) {
        // every relation, its kind, owner and bound, the namespaces, and the rows: any change shows
        return queryText(url, """
        SELECT string_agg(format('%s.%s:%s:%s:%s', n.nspname, c.relname, c.relkind, c.relowner,
                                 coalesce(pg_get_expr(c.relpartbound, c.oid), '')), ',' ORDER BY n.nspname, c.relname)
               || '|' || (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace)
               || '|' || (SELECT count(*) FROM public.events) || '|' || (SELECT count(*) FROM public.plain)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""");
    }

    private static String queryText(String url, String sql) {
        try (var c = DriverManager.getConnection(url);
                var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A policy with the refused table, after a good one when {@code withGoodTable}. */
    private Path config(int n, String url, String table, boolean withGoodTable) throws Exception {
        return Files.writeString(dir.resolve("db-case-" + n + ".yaml"), """
        postgres:
          url: '%s'
        temporal:
          task_queue: fuzz-db-%d
        tables:
        %s  - table: '%s'
            interval: monthly
        """.formatted(
                        url,
                        n,
                        withGoodTable
                                ? "  - table: public.events\n    interval: monthly\n    premake: 2\n"
                                        + "    retention: 12 months\n"
                                : "",
                        table.replace("'", "''")));
    }

    @Test
    void policiesTheDatabaseRefusesChangeNothingAndSayWhy() throws Exception {
        String url = PgTestSupport.newDatabase("policy_fuzz");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE public.events_2020 PARTITION OF public.events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')",
                "INSERT INTO public.events VALUES (1, '2020-06-01')",
                "CREATE TABLE public.plain (id bigint, created_at timestamptz)",
                "INSERT INTO public.plain VALUES (1, now())",
                "CREATE VIEW public.a_view AS SELECT * FROM public.plain",
                "CREATE TABLE public.by_list (id bigint, kind text) PARTITION BY LIST (kind)",
                "CREATE TABLE public.by_hash (id bigint) PARTITION BY HASH (id)",
                "CREATE TABLE public.two_keys (a date, b date) PARTITION BY RANGE (a, b)",
                "CREATE TABLE public.by_expression (t timestamp) PARTITION BY RANGE ((date_trunc('day', t)))",
                "CREATE TABLE public.by_int (id bigint) PARTITION BY RANGE (id)",
                "CREATE TABLE public.by_numeric (amount numeric(10,2)) PARTITION BY RANGE (amount)",
                "CREATE TABLE public.by_text (day text) PARTITION BY RANGE (day)",
                "CREATE TABLE public.\"\u00c9v\u00e9nements\u2603\" (x int)");
        String before = catalog(url);
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (String[] refused : REFUSED) {
            Path f = config(n++, url, refused[0], true);
            Cli.Result r = cli.run("plan", "-c", f.toString());
            String problem = r.exitCode() != Main.BAD_INPUT
                    ? "exit " + r.exitCode() + ", expected " + Main.BAD_INPUT
                    : !r.err().contains(refused[1])
                            ? "the error does not say \"" + refused[1] + "\""
                            : r.all().contains("\tat ") || r.all().contains("Exception")
                                    ? "a stack trace reached the user"
                                    : !before.equals(catalog(url)) ? "the catalog changed" : null;
            if (problem != null) {
                failures.add("plan with " + refused[0] + ": " + problem + "\n" + r);
            }
        }

        // a whole pass in-process refuses the same way (a few: each starts a Temporal test server)
        Random random = new Random(SEED);
        for (int i = 0; i < 2; i++) {
            String[] refused = REFUSED[random.nextInt(REFUSED.length)];
            Path f = config(n++, url, refused[0], false);
            Cli.Result r = cli.run("once", "-c", f.toString());
            String problem = r.exitCode() == Main.OK
                    ? "exit 0"
                    : !r.all().contains(refused[1])
                            ? "the output does not say \"" + refused[1] + "\""
                            : r.all().contains("\tat ") || r.all().contains("Exception")
                                    ? "a stack trace reached the user"
                                    : !before.equals(catalog(url)) ? "the catalog changed" : null;
            if (problem != null) {
                failures.add("once with " + refused[0] + " (seed " + SEED + "): " + problem + "\n" + r);
            }
        }
        String after = catalog(url);

        // seeded broken files against a live database: refused before connecting, nothing changes
        PolicyMutations gen = new PolicyMutations(SEED, dir.resolve("archive").toString());
        List<PolicyMutations.Case> all = new ArrayList<>(gen.cases(20));
        Collections.shuffle(all, random);
        for (PolicyMutations.Case c : all.subList(0, 30)) {
            if (c.mayBeValid()) {
                continue;
            }
            String yaml = c.yaml().replace("jdbc:postgresql://localhost:5432/app", url);
            Path f = Files.writeString(dir.resolve("broken-" + c.number() + ".yaml"), yaml);
            Cli.Result r = cli.run("plan", "-c", f.toString());
            String problem = PolicyFuzzTest.check(c, r, PolicyMutations.keyNames());
            if (problem == null && !after.equals(catalog(url))) {
                problem = "the catalog changed";
            }
            if (problem != null) {
                failures.add("plan: " + c + "\n    -> " + problem + "\n" + r);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " case(s) failed (seed " + SEED + "):\n" + String.join("\n", failures));
        }
        assertEquals(1, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.plain"));
    }
}

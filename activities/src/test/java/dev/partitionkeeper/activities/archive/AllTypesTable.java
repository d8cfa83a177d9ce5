package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code archive.events_p2024_01}, holding every type the archive supports with NULLs and extreme values, as the
 * round-trip tests of both archive formats export, verify and restore it. The formats hold different extremes, so
 * the rows leave {@code ${name}} places that {@link #PLACES} fills for each {@link Format}.
 */
public final class AllTypesTable {

    public static final TableName SOURCE = new TableName("archive", "events_p2024_01");

    /**
     * Parquet: the keys (tstz) run from -infinity to infinity, and numeric NaN in numeric(10,2) and a timestamp past
     * year 294246 force their columns to text. Iceberg: every key in January (the table's spec is month(tstz)); the
     * infinities of date and timestamps go to their columns' companions (IcebergPgTextTest has NaN in
     * numeric(p,s) and year 294276 as well).
     */
    public enum Format {
        PARQUET,
        ICEBERG
    }

    /** Place, Parquet's value, Iceberg's: the numeric(10,2) column's name, the last timestamp column's, row values. */
    private static final String[][] PLACES = {
        {"numeric", "n_nan", "n_dec"},
        {"timestamp", "ts_far", "ts_old"},
        {"key1", "'2024-01-01'", "'2024-01-01 00:00:00+00'"},
        {"key2", "'-infinity'", "'2024-01-01 00:00:00+00'"},
        {"key3", "'infinity'", "'2024-01-31 23:59:59.999999+00'"},
        {"timestamp3", "'294276-12-31 23:59:59.999999'", "'infinity'"},
        {"numeric4", "'NaN'", "0"},
        {"date4", "'1970-01-01'", "'infinity'"},
        {"ts4", "'1970-01-01 00:00:00'", "'-infinity'"},
        {"key4", "'1970-01-01 00:00:00+00'", "'2024-01-10 00:00:00-03:30'"},
        {"timestamp4", "'2000-01-01'", "'-infinity'"},
        {"key5", "'1969-07-20 20:17:40.123456-04'", "'2024-01-15 20:17:40.123456-04'"},
    };

    /** Parquet's rows 6 and 7: the smallest and largest floats, and keys in other months. */
    private static final List<String> PARQUET_ROWS = List.of("""
        INSERT INTO archive.events_p2024_01 VALUES (6, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, '-Infinity', NULL,
          1.17549435e-38, 4.9e-324, NULL,
          NULL, NULL, NULL, NULL,
          '0001-01-01', '0001-01-01 00:00:00', NULL, '2024-03-10 02:30:00 America/New_York', NULL,
          NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""", """
        INSERT INTO archive.events_p2024_01 VALUES (7, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL,
          3.4028235e38, 1.7976931348623157e308, NULL,
          NULL, NULL, NULL, NULL,
          '2024-02-29', '2024-02-29 12:00:00', NULL, '2024-06-01 12:00:00+05:30', NULL,
          NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""");

    private static final Pattern PLACE = Pattern.compile("\\$\\{(\\w+)}");

    private AllTypesTable() {}

    /** Creates the table (with schema {@code archive}, type {@code mood} and domain {@code posint}) in {@code url}. */
    public static void create(String url, Format format) {
        PgTestSupport.exec(url, statements(format).toArray(String[]::new));
    }

    static List<String> statements(Format format) {
        List<String> sql = new ArrayList<>();
        sql.addAll(List.of(
                "SET TimeZone = 'America/St_Johns'",
                "CREATE SCHEMA archive",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                """
        CREATE TABLE archive.events_p2024_01 (
          id integer NOT NULL,
          i2 smallint, i4 integer, i8 bigint,
          n_money numeric(12,2), n_big numeric(38,10), n_huge numeric(60,5), n_int numeric(5,0),
          n_free numeric, ${numeric} numeric(10,2),
          f4 real, f8 double precision,
          b boolean,
          t text COLLATE "C", vc varchar(10), ch char(5), nm name,
          d date, ts timestamp, ts3 timestamp(3), tstz timestamptz NOT NULL DEFAULT now(), ${timestamp} timestamp,
          u uuid, j json, jb jsonb, by bytea,
          ia integer[], ta text[], iv interval, ip inet, mo mood, dom posint, tr tstzrange, pt point,
          gen bigint GENERATED ALWAYS AS (i8 / 2) STORED,
          "Mixed Case ""col""\" text DEFAULT 'x'
        )""",
                // 1: NULL wherever allowed
                "INSERT INTO archive.events_p2024_01 (id, tstz, \"Mixed Case \"\"col\"\"\") VALUES (1, ${key1}, NULL)",
                // 2: the smallest values
                """
        INSERT INTO archive.events_p2024_01 VALUES (2, -32768, -2147483648, -9223372036854775808,
          -9999999999.99, -9999999999999999999999999999.9999999999, -1234567890123456789012345678901234567890123456789012345.12345,
          -99999, -1e-20, -0.01,
          '-Infinity', '-Infinity', false,
          '', '', '', '',
          '4713-01-01 BC', '4713-01-01 00:00:00 BC', '1900-01-01 00:00:00.001', ${key2}, '0044-03-15 12:00:00 BC',
          '00000000-0000-0000-0000-000000000000', '[]', '{}', '\\x',
          '{}', '{}', '-178000000 years', '0.0.0.0', 'sad', 1, 'empty', '(0,0)')""",
                // 3: the largest values
                """
        INSERT INTO archive.events_p2024_01 VALUES (3, 32767, 2147483647, 9223372036854775807,
          9999999999.99, 9999999999999999999999999999.9999999999, 1234567890123456789012345678901234567890123456789012345.12345,
          99999, 123456789012345678901234567890.123456789012345678901234567890, 99999999.99,
          'Infinity', 'Infinity', true,
          repeat('long text ', 1000), 'tenchars!!', 'abcde', repeat('n', 63),
          '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999', ${key3}, ${timestamp3},
          'ffffffff-ffff-ffff-ffff-ffffffffffff', '{"a": 1,  "b": [1, 2, {"c": null}]}', '{"z": 1, "a": [true, false]}', '\\xdeadbeef00ff',
          '{1,NULL,3}', '{"a,b","c\\"d",NULL,""}', '1 year 2 mons 3 days 04:05:06.789', '2001:db8::1/64', 'happy', 2147483647,
          '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)', '(1.5,-2.25)')""",
                // 4: special and near-epoch values, several time zones
                """
        INSERT INTO archive.events_p2024_01 VALUES (4, 0, 0, 0,
          0, 0.0000000001, 0.00001, 0, 'NaN', ${numeric4},
          'NaN', 'NaN', true,
          E'tab\\there\\nnewline\\\\backslash\\rcr', 'ünï', 'ä', 'name',
          ${date4}, ${ts4}, '1969-12-31 23:59:59.999', ${key4}, ${timestamp4},
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"string"', '"string"', '\\x00',
          '{{1,2},{3,4}}', '{"\\\\"}', '0', '127.0.0.1', 'ok', 42, '(,)', '(0,0)')""",
                """
        INSERT INTO archive.events_p2024_01 VALUES (5, 1, -1, 1,
          0.01, -0.0000000001, 1, 1, 'Infinity', 1.5,
          -0.0, -0.0, false,
          '日本語 🎉 emoji', 'ñ', ' a', 'x',
          '1969-12-31', '1969-12-31 23:59:59.999999', '1969-07-20 20:17:40', ${key5}, '1900-01-01',
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'null', 'null', '\\x0102',
          NULL, '{NULL}', '-1 days', '10.0.0.0/8', 'sad', 7, '[2024-01-01,2024-01-02)', '(0,0)')"""));
        if (format == Format.PARQUET) {
            sql.addAll(PARQUET_ROWS);
        }
        sql.addAll(
                List.of(
                        // a few hundred ordinary rows, in more than one time zone, so the export writes several files
                        """
        INSERT INTO archive.events_p2024_01 (id, i2, i4, i8, n_money, n_big, n_int, n_free, ${numeric}, f4, f8, b, t, vc,
          ch, d, ts, tstz, u, j, jb, by, ia, iv, mo)
        SELECT g, (g % 100)::smallint, g * 7, g::bigint * 1000003, g * 1.25, g / 7.0, g % 1000, g / 3.0, g * 0.5,
          g / 3.0, g / 7.0, g % 2 = 0, 'row ' || g, left(md5(g::text), 10), chr(65 + g % 26),
          date '2024-01-01' + g % 31, timestamp '2024-01-01' + g * interval '1 minute',
          timestamptz '2024-01-01 00:00:00+00' + g * interval '77 seconds',
          md5(g::text)::uuid, json_build_object('g', g), jsonb_build_object('g', g, 'h', 'x'), decode(md5(g::text), 'hex'),
          ARRAY[g, g + 1], g * interval '1 second', (ARRAY['sad','ok','happy'])[1 + g % 3]::mood
        FROM generate_series(100, 600) g""",
                        "SET TimeZone = 'Asia/Kolkata'",
                        "INSERT INTO archive.events_p2024_01 (id, tstz, ts) VALUES (8, '2024-01-15 08:00:00', '2024-01-15 08:00:00')"));
        Map<String, String> values = new HashMap<>();
        for (String[] place : PLACES) {
            values.put(place[0], place[1 + format.ordinal()]);
        }
        return sql.stream().map(s -> fill(s, values)).toList();
    }

    private static String fill(String statement, Map<String, String> values) {
        Matcher m = PLACE.matcher(statement);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no value for ${" + m.group(1) + "} in PLACES");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }
}

package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the swap that hands index names over: the twin's indexes take the original names (so
 * {@code transactions_pkey} stays {@code transactions_pkey}, and with the index its primary key or unique
 * constraint), the original's get an {@code _old} suffix. The swap back undoes it from the triples recorded in the
 * conversion's row.
 */
final class IndexRenames {
    private IndexRenames() {}

    /**
     * Renames the indexes of both tables; they pair up by kind (unique, primary) and definition, and an index without
     * a partner keeps its name.
     *
     * @return triples: original name, the original index's new name, the twin index's former name
     */
    static List<String> takeOver(Connection tx, String schema, long sourceOid, long twinOid) throws SQLException {
        String sql = "SELECT c.relname, i.indisunique::text || i.indisprimary::text"
                + " || coalesce(substring(pg_get_indexdef(i.indexrelid) from ' USING .*$'), '')"
                + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ? ORDER BY c.relname";
        List<String[]> source = ConvertCatalog.rows(tx, sql, sourceOid);
        List<String[]> twin = new ArrayList<>(ConvertCatalog.rows(tx, sql, twinOid));
        List<String> out = new ArrayList<>();
        for (String[] s : source) {
            String[] match = null;
            for (String[] w : twin) {
                if (w[1].equals(s[1])) {
                    match = w;
                    break;
                }
            }
            if (match == null) {
                continue;
            }
            twin.remove(match);
            String freed = freeName(tx, schema, MaintenancePlanner.partitionName(new TableName(schema, s[0]), "old"));
            rename(tx, schema, s[0], freed);
            rename(tx, schema, match[0], s[0]);
            out.add(s[0]);
            out.add(freed);
            out.add(match[0]);
        }
        return out;
    }

    /** Puts both names of every triple {@link #takeOver} returned back; null or empty for a swap without any. */
    static void undo(Connection tx, String schema, List<String> done) throws SQLException {
        List<String> triples = done == null ? List.of() : done;
        for (int i = 0; i + 2 < triples.size(); i += 3) {
            // [original, the original's index now, the twin's index before]
            rename(tx, schema, triples.get(i), triples.get(i + 2));
            rename(tx, schema, triples.get(i + 1), triples.get(i));
        }
    }

    /** {@code wanted}, or {@code wanted_2}, {@code wanted_3}… when a relation has the name already. */
    private static String freeName(Connection tx, String schema, String wanted) throws SQLException {
        String name = wanted;
        for (int i = 2; ConvertCatalog.oidOf(tx, new TableName(schema, name)) != 0; i++) {
            name = MaintenancePlanner.partitionName(new TableName(schema, wanted), Integer.toString(i));
        }
        return name;
    }

    private static void rename(Connection tx, String schema, String from, String to) throws SQLException {
        if (!from.equals(to)) {
            Sql.exec(
                    tx,
                    "ALTER INDEX " + new TableName(schema, from).quoted() + " RENAME TO " + TableName.quoteIdent(to));
        }
    }
}

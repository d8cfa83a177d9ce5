package dev.partitionkeeper.activities.fleet;

import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePattern;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Matches a survey's pattern entries ({@link TablePattern}: {@code tenant_*.events}) against one database's
 * range-partitioned parents, in one catalog query per pattern. A table that two entries match (a pattern and a
 * listed table, or two patterns) takes neither policy: it is reported with an error naming both entries.
 */
public final class TablePatterns {
    private static final String PARENTS = "SELECT n.nspname, c.relname FROM pg_partitioned_table p"
            + " JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE p.partstrat = 'r' AND NOT c.relispartition AND n.nspname LIKE ? AND c.relname LIKE ?"
            + " ORDER BY 1, 2";

    private TablePatterns() {}

    /** One table found: its policy, or the reason it has none. */
    public record Match(TablePolicy policy, String error) {}

    public static boolean any(List<TablePolicy> policies) {
        return policies.stream().anyMatch(p -> TablePattern.isPattern(p.table()));
    }

    /** Every table the policies name in the database, in the policies' order (a pattern's tables by name). */
    public static List<Match> expand(DataSource ds, List<TablePolicy> policies) throws SQLException {
        Map<TableName, List<TablePolicy>> found = new LinkedHashMap<>();
        try (Connection c = ds.getConnection();
                PreparedStatement s = c.prepareStatement(PARENTS)) {
            for (TablePolicy p : policies) {
                if (!TablePattern.isPattern(p.table())) {
                    found.computeIfAbsent(p.table(), t -> new ArrayList<>()).add(p);
                    continue;
                }
                s.setString(1, TablePattern.like(p.table().schema()));
                s.setString(2, TablePattern.like(p.table().table()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        TableName t = new TableName(rs.getString(1), rs.getString(2));
                        found.computeIfAbsent(t, x -> new ArrayList<>()).add(p);
                    }
                }
            }
        }
        List<Match> out = new ArrayList<>();
        for (var e : found.entrySet()) {
            List<TablePolicy> by = e.getValue();
            TablePolicy first = withTable(by.get(0), e.getKey());
            if (TablePattern.isPattern(e.getKey())) {
                // its policy would be taken for a pattern again: refused, as a listed table with a * is
                out.add(new Match(
                        first,
                        e.getKey() + " holds a * in its name, which partition-keeper reads as a pattern's wildcard;"
                                + " rename the table to manage it"));
            } else if (by.size() == 1) {
                out.add(new Match(first, null));
            } else {
                out.add(new Match(
                        first,
                        e.getKey() + " is matched by the tables: entries "
                                + TablePattern.text(by.get(0).table())
                                + " and " + TablePattern.text(by.get(1).table())
                                + "; a table takes one policy: narrow the pattern or drop the entry"));
            }
        }
        return out;
    }

    private static TablePolicy withTable(TablePolicy p, TableName t) {
        return new TablePolicy(
                t,
                p.interval(),
                p.premake(),
                p.retention(),
                p.timezone(),
                p.defaultPartition(),
                p.retentionAction(),
                p.dropGraceDays(),
                p.partitionName(),
                p.keyEncoding(),
                p.retentionColumn(),
                p.database());
    }
}

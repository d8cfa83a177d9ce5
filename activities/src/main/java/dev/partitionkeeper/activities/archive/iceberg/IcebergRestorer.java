package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.restore.RestoreTransaction;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.iceberg.Table;

/**
 * Loads one archived partition back from Iceberg (found by name or by its bounds) into a new table, reading
 * the snapshot's files through Iceberg and COPYing the rows in; commits only when the restored table's row
 * count and content checksum equal the snapshot's. Optionally attaches it to the parent again.
 */
public final class IcebergRestorer {

    private final DataSource dataSource;
    private final Supplier<IcebergTables> catalog;

    /** {@code catalog} is asked on first use: the catalog opens lazily (see {@link IcebergArchiveFormat}). */
    IcebergRestorer(DataSource dataSource, Supplier<IcebergTables> catalog) {
        this.dataSource = dataSource;
        this.catalog = catalog;
    }

    /** The prefix of an Iceberg archive's location for {@code restore}. */
    public static final String SCHEME = "iceberg:";

    /**
     * {@code iceberg:<schema>.<table>/<partition>} (by name), {@code iceberg:<schema>.<table>@<from>..<to>} (by
     * the bounds as PostgreSQL printed them, e.g. {@code iceberg:public.events@2024-01-01 00:00:00+00..2024-02-01
     * 00:00:00+00}) or {@code iceberg:<schema>.<table>#<snapshot id>} (by the snapshot that archived it, as
     * {@code status} shows it).
     */
    public static boolean isIcebergLocation(String location) {
        return location != null && location.startsWith(SCHEME);
    }

    /** What an Iceberg archive location names: the parent, the partition and its recorded bounds. */
    public record Archived(TableName parent, String partition, String boundFrom, String boundTo, long rows) {}

    /**
     * @throws IllegalArgumentException when the location is malformed or names nothing archived
     */
    public Archived resolve(String location) {
        Resolved r = find(location);
        return new Archived(r.p.parent(), r.p.partition(), r.p.boundFrom(), r.p.boundTo(), r.p.rows());
    }

    private record Resolved(Table table, ArchivedPartition p) {}

    private Resolved find(String location) {
        if (!isIcebergLocation(location)) {
            throw new IllegalArgumentException("not an Iceberg archive location: \"" + location + "\"");
        }
        String rest = location.substring(SCHEME.length());
        int at = rest.indexOf('@');
        int slash = rest.indexOf('/');
        int hash = rest.indexOf('#');
        String help = "; write iceberg:<schema>.<table>/<partition>, iceberg:<schema>.<table>@<from>..<to> or"
                + " iceberg:<schema>.<table>#<snapshot id>, e.g. iceberg:public.events/events_p2024_01";
        if (hash > 0 && (at < 0 || hash < at) && (slash < 0 || hash < slash)) {
            TableName parent = TableName.parse(rest.substring(0, hash), "public");
            long id;
            try {
                id = Long.parseLong(rest.substring(hash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Iceberg archive location \"" + location + "\" has no snapshot id" + " after #" + help);
            }
            Table t = table(parent);
            ArchivedPartition p = ArchivedPartition.findBySnapshot(t, parent, id)
                    .orElseThrow(() -> new IllegalArgumentException("snapshot " + id + " of Iceberg table " + t.name()
                            + " archives no partition of " + parent + " (or its archive was deleted by"
                            + " archive_retention)"));
            return new Resolved(t, p);
        }
        if (at > 0 && (slash < 0 || at < slash)) {
            TableName parent = TableName.parse(rest.substring(0, at), "public");
            String bounds = rest.substring(at + 1);
            int dots = bounds.indexOf("..");
            if (dots < 0) {
                throw new IllegalArgumentException(
                        "Iceberg archive location \"" + location + "\" has no ..  between" + " its bounds" + help);
            }
            Table t = table(parent);
            String from = ArchivedPartition.unquote(bounds.substring(0, dots));
            String to = ArchivedPartition.unquote(bounds.substring(dots + 2));
            ArchivedPartition p = ArchivedPartition.findByBounds(t, parent, from, to)
                    .orElseThrow(() -> new IllegalArgumentException("no snapshot of Iceberg table " + t.name()
                            + " archives the partition FROM (" + from + ") TO (" + to + ") of " + parent));
            return new Resolved(t, p);
        }
        if (slash > 0) {
            TableName parent = TableName.parse(rest.substring(0, slash), "public");
            String partition = rest.substring(slash + 1);
            Table t = table(parent);
            ArchivedPartition p =
                    ArchivedPartition.find(t, parent, partition).orElseThrow(() -> notArchived(t, parent, partition));
            return new Resolved(t, p);
        }
        throw new IllegalArgumentException("Iceberg archive location \"" + location + "\" names no partition" + help);
    }

    /**
     * Restores what {@code location} names into {@code into} (null: the partition's own name beside its parent).
     * A table of that name that already holds exactly the archived rows is a finished earlier run.
     */
    public RestoreResult restore(String location, TableName into) throws IOException, SQLException {
        Resolved r = find(location);
        TableName target = into != null ? into : new TableName(r.p.parent().schema(), r.p.partition());
        try (Connection c = dataSource.getConnection()) {
            if (CatalogColumns.relationOid(c, target) >= 0) {
                RowSummary s = new RowSummary(r.p.columns(), r.p.keyColumn());
                boolean autoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    TableScan.scan(c, target, r.p.columns(), s::add);
                } finally {
                    Transactions.end(c, autoCommit);
                }
                if (s.rows() == r.p.rows() && s.checksum().equals(r.p.contentChecksum())) {
                    return new RestoreResult(true, location, target.toString(), s.rows(), s.checksum(), List.of());
                }
                throw new IllegalStateException("table " + target + " already exists and does not match the archive ("
                        + s.rows() + " rows, checksum " + s.checksum() + "; the archive has " + r.p.rows() + ", "
                        + r.p.contentChecksum() + "); restore --into another name");
            }
        }
        return restore(r.table, r.p, target, false);
    }

    private static IllegalArgumentException notArchived(Table t, TableName parent, String partition) {
        return new IllegalArgumentException("no snapshot of Iceberg table " + t.name() + " archives partition "
                + partition + " of " + parent
                + (ArchivedPartition.expired(t, partition)
                        ? ": its archive was deleted by archive_retention (table property " + ArchivedPartition.EXPIRED
                                + partition + ")"
                        : ""));
    }

    /** The partition's archive, by name. */
    public RestoreResult restore(TableName parent, String partition, TableName into, boolean attach)
            throws IOException, SQLException {
        Table t = table(parent);
        ArchivedPartition p =
                ArchivedPartition.find(t, parent, partition).orElseThrow(() -> notArchived(t, parent, partition));
        return restore(t, p, into, attach);
    }

    /** The partition's archive, by its bounds as PostgreSQL printed them when it was detached. */
    public RestoreResult restoreBounds(TableName parent, String from, String to, TableName into, boolean attach)
            throws IOException, SQLException {
        Table t = table(parent);
        ArchivedPartition p = ArchivedPartition.findByBounds(
                        t, parent, ArchivedPartition.unquote(from), ArchivedPartition.unquote(to))
                .orElseThrow(() -> new IllegalArgumentException("no snapshot of Iceberg table " + t.name()
                        + " archives the partition FROM (" + from + ") TO (" + to + ") of " + parent));
        return restore(t, p, into, attach);
    }

    private Table table(TableName parent) {
        IcebergTables tables = catalog.get();
        return tables.find(parent)
                .orElseThrow(() -> new IllegalArgumentException("there is no Iceberg table " + tables.id(parent)
                        + " for " + parent + ": nothing was archived"));
    }

    private RestoreResult restore(Table table, ArchivedPartition p, TableName into, boolean attach)
            throws IOException, SQLException {
        RestoreTransaction.Recorded recorded =
                new RestoreTransaction.Recorded("snapshot", p.columns(), p.keyColumn(), p.rows(), p.contentChecksum());
        return RestoreTransaction.run(
                dataSource,
                table.name() + " snapshot " + p.snapshotId(),
                into,
                recorded,
                sink -> IcebergReadback.read(table, p, sink).mismatches(),
                attach ? c -> attach(c, p, into) : null);
    }

    private static List<String> attach(Connection c, ArchivedPartition p, TableName into) throws SQLException {
        if (p.boundFrom() == null || p.boundTo() == null) {
            return List.of("the snapshot does not record the partition's bounds: attach it by hand");
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + p.parent().quoted() + " ATTACH PARTITION " + into.quoted()
                    + " FOR VALUES FROM (" + literal(p.boundFrom()) + ") TO (" + literal(p.boundTo()) + ")");
        }
        return List.of();
    }

    /** A bound as PostgreSQL printed it ({@code '2024-01-01 00:00:00+00'}, {@code 100}, {@code MINVALUE}). */
    static String literal(String bound) {
        String b = bound.trim();
        if (b.startsWith("'")
                || b.matches("-?[0-9]+")
                || b.equalsIgnoreCase("MINVALUE")
                || b.equalsIgnoreCase("MAXVALUE")) {
            return b;
        }
        return "'" + b.replace("'", "''") + "'";
    }
}

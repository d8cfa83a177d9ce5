package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertMode;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** The inspect step: whether and how a table can be converted, or where its conversion stands. Reads only. */
record InspectStep(StepContext ctx) {
    Inspection inspect(ConvertRequest request) {
        return ctx.call(request, "inspect", (c, t) -> {
            // reads only: a refused conversion leaves the database exactly as it was, bookkeeping schema included
            Optional<ConversionState.Row> row = ctx.find(c, t);
            if (request.modeOrDefault() != ConvertMode.CONVERT) {
                ConversionState.Row r = row.orElseThrow(() -> new PolicyException(
                        "no conversion of " + t + " is recorded in " + ctx.state.table() + "; nothing to "
                                + request.modeOrDefault().name().toLowerCase()));
                return inspection(r);
            }
            if (row.isPresent()) {
                ConversionState.Row r = row.get();
                switch (r.phase()) {
                    case Inspection.SWAPPED, Inspection.FINISHED -> {
                        return inspection(r);
                    }
                    case Inspection.ROLLED_BACK -> {
                        if (ConvertCatalog.oidOf(c, r.twinName()) != 0) {
                            throw new CatalogConflictException(
                                    r.twinName() + " is the partitioned copy left by the rollback of an"
                                            + " earlier conversion; drop it (DROP TABLE "
                                            + r.twinName().quoted() + ") to convert again");
                        }
                        row = Optional.empty();
                    }
                    default -> {
                        if (!r.keyColumn().equals(request.column())) {
                            throw new PolicyException("a conversion of " + t + " by column \"" + r.keyColumn()
                                    + "\" is under way;"
                                    + " finish it, or abandon it with partition-keeper convert --rollback " + t);
                        }
                    }
                }
            }
            SourceTable s = ConvertCatalog.check(c, t, request.column());
            if (row.isEmpty()) {
                StepContext.requireNamesFree(c, t);
            }
            Long[] range = keyRange(c, s);
            long estimate =
                    Sql.queryLong(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?", s.oid());
            return new Inspection(
                    t.toString(),
                    StepContext.twinName(t),
                    StepContext.oldName(t),
                    s.keyType(),
                    s.primaryKey(),
                    estimate,
                    range[0],
                    range[1],
                    row.map(ConversionState.Row::phase).orElse(Inspection.NONE));
        });
    }

    /** A conversion under way or done: what its row says, without reading the table. */
    private static Inspection inspection(ConversionState.Row r) {
        return new Inspection(
                r.table().toString(), r.twin(), r.oldName(), r.keyType(), r.primaryKey(), 0, null, null, r.phase());
    }

    /** min and max of the key on its axis (microseconds; see KeyAxis), null for an empty table. */
    private static Long[] keyRange(Connection c, SourceTable s) throws SQLException {
        if (s.keyType().kind() != KeyType.Kind.TIME) {
            return valueRange(c, s);
        }
        String col = TableName.quoteIdent(s.keyColumn()) + (s.keyType() == KeyType.DATE ? "::timestamp" : "");
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT isfinite(min(" + col + ")) AND isfinite(max(" + col + ")),"
                                + " min(" + col + ")::text, max(" + col + ")::text, (extract(epoch FROM min(" + col
                                + ")) * 1000000)::text,"
                                + " (extract(epoch FROM max(" + col + ")) * 1000000)::text FROM "
                                + s.name().quoted());
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getString(2) == null) {
                return new Long[] {null, null};
            }
            if (!rs.getBoolean(1)) {
                throw new PolicyException("column \"" + s.keyColumn() + "\" of " + s.name() + " holds infinity (min "
                        + rs.getString(2) + ", max " + rs.getString(3)
                        + "); a range partition has no place for it: set a finite"
                        + " value in those rows first");
            }
            return new Long[] {new BigDecimal(rs.getString(4)).longValue(), new BigDecimal(rs.getString(5)).longValue()
            };
        }
    }

    /**
     * Integer and epoch keys: min and max as stored; UUID keys: the millisecond prefix of the smallest and largest,
     * in microseconds (KeyAxis), as its btree sorts them.
     */
    private static Long[] valueRange(Connection c, SourceTable s) throws SQLException {
        String col = TableName.quoteIdent(s.keyColumn());
        String sql = s.keyType() == KeyType.UUID
                ? "SELECT " + CatalogReader.uuidMicros("min(" + col + "::text)") + ", "
                        + CatalogReader.uuidMicros("max(" + col + "::text)") + " FROM "
                        + s.name().quoted()
                : "SELECT min(" + col + ")::bigint, max(" + col + ")::bigint FROM "
                        + s.name().quoted();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long min = rs.getLong(1);
            if (rs.wasNull()) {
                return new Long[] {null, null};
            }
            return new Long[] {min, rs.getLong(2)};
        }
    }
}

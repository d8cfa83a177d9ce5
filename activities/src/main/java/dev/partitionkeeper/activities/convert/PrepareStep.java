package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.PartitionLayout;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prepare step: creates the partitioned copy (the twin) with its partitions, foreign keys, grants, comment and
 * owner, and starts capturing changes to the original, in the transaction that records the conversion.
 */
record PrepareStep(StepContext ctx) {
    private static final Logger log = LoggerFactory.getLogger(PrepareStep.class);

    String prepare(ConvertRequest request, PartitionLayout layout) {
        return ctx.call(request, "prepare", (c, t) -> {
            Optional<ConversionState.Row> row = ctx.find(c, t);
            if (row.isPresent() && !Inspection.ROLLED_BACK.equals(row.get().phase())) {
                return "the partitioned copy " + row.get().twinName() + " was already prepared";
            }
            SourceTable s = ConvertCatalog.check(c, t, request.column());
            TableName twin = new TableName(t.schema(), StepContext.twinName(t));
            StepContext.requireNamesFree(c, t);
            for (PlannedAction.CreatePartition p : layout.partitions()) {
                ConvertCatalog.requireFree(c, new TableName(t.schema(), p.partition()), "for a partition");
            }
            if (layout.defaultPartition() != null) {
                ConvertCatalog.requireFree(
                        c, new TableName(t.schema(), layout.defaultPartition()), "for the DEFAULT partition");
            }
            // every check passed: only now the bookkeeping may change
            ctx.state.ensure(c);
            if (row.isPresent()) {
                ctx.state.delete(c, t); // a rolled-back conversion whose copy the operator dropped
            }
            TableSync sync = new TableSync(s);
            LockGate.Outcome<Integer> done = ctx.gate.run(
                    c,
                    List.of(new LockGate.Target(s.oid(), t.toString(), StepContext.CONFLICTS_SHARE_ROW_EXCLUSIVE)),
                    StepContext.progress(),
                    tx -> {
                        if (ctx.locked(tx, t, s.oid()).isPresent()) {
                            return -1; // another attempt prepared it meanwhile
                        }
                        List<TableName> parts = createTwin(tx, s, twin, layout);
                        sync.capture(
                                tx,
                                ctx.logTable(s.oid(), false),
                                ctx.captureFunction(s.oid(), false),
                                ctx.state.qualified("convert_refuse_truncate"),
                                t);
                        ctx.state.insert(tx, s.newRow(twin.table(), StepContext.oldName(t), Inspection.PREPARED));
                        return parts.size();
                    });
            if (done.value() < 0) {
                return "the partitioned copy " + twin + " was already prepared";
            }
            log.info("prepared {} with {} partitions; capturing changes to {}", twin, done.value(), t);
            return "created " + twin + " with " + done.value() + " partitions; changes to " + t
                    + " are captured from now on";
        });
    }

    /** The twin and its partitions, dressed like the original: foreign keys, grants, comment, owner. */
    private static List<TableName> createTwin(Connection tx, SourceTable s, TableName twin, PartitionLayout layout)
            throws SQLException {
        TableName t = s.name();
        Sql.exec(
                tx,
                "CREATE TABLE " + twin.quoted() + " (LIKE " + t.quoted() + " INCLUDING ALL)" + " PARTITION BY RANGE ("
                        + TableName.quoteIdent(s.keyColumn()) + ")");
        for (String[] fk : ConvertCatalog.rows(
                tx,
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                        + " WHERE conrelid = ? AND contype = 'f' ORDER BY conname",
                s.oid())) {
            Sql.exec(
                    tx,
                    "ALTER TABLE " + twin.quoted() + " ADD CONSTRAINT " + TableName.quoteIdent(fk[0]) + " " + fk[1]);
        }
        List<TableName> parts = new ArrayList<>();
        for (PlannedAction.CreatePartition p : layout.partitions()) {
            TableName part = new TableName(t.schema(), p.partition());
            Sql.exec(
                    tx,
                    "CREATE TABLE " + part.quoted() + " PARTITION OF " + twin.quoted() + " FOR VALUES FROM "
                            // MINVALUE/MAXVALUE unquoted: an integer key's top partition ends at MAXVALUE
                            + KeyAxis.sqlBound(p.from(), s.keyType()) + " TO "
                            + KeyAxis.sqlBound(p.to(), s.keyType()));
            parts.add(part);
        }
        if (layout.defaultPartition() != null) {
            TableName def = new TableName(t.schema(), layout.defaultPartition());
            Sql.exec(tx, "CREATE TABLE " + def.quoted() + " PARTITION OF " + twin.quoted() + " DEFAULT");
            parts.add(def);
        }
        for (String[] g : ConvertCatalog.rows(tx, """
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
               a.privilege_type, a.is_grantable::text
          FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = ? AND a.grantee <> c.relowner""", s.oid())) {
            Sql.exec(
                    tx,
                    "GRANT " + g[1] + " ON " + twin.quoted() + " TO " + g[0]
                            + ("true".equals(g[2]) ? " WITH GRANT OPTION" : ""));
        }
        // quoted by the server (format %L), whatever standard_conforming_strings says
        for (String[] d : ConvertCatalog.rows(
                tx,
                "SELECT format('COMMENT ON TABLE %s IS %L', " + Sql.literal(twin.quoted())
                        + ", obj_description(?::oid, 'pg_class'))",
                s.oid())) {
            if (d[0] != null) {
                Sql.exec(tx, d[0]);
            }
        }
        if (!s.owner()
                .equals(ConvertCatalog.rows(tx, "SELECT current_user::text", null)
                        .get(0)[0])) {
            Sql.exec(tx, "ALTER TABLE " + twin.quoted() + " OWNER TO " + TableName.quoteIdent(s.owner()));
            for (TableName part : parts) {
                Sql.exec(tx, "ALTER TABLE " + part.quoted() + " OWNER TO " + TableName.quoteIdent(s.owner()));
            }
        }
        return parts;
    }
}

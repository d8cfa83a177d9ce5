package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.Finding;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** Renders plans, reports and layouts as terminal tables. */
public final class ReportPrinter {
    private ReportPrinter() {}

    public static void plan(PrintWriter out, MaintenancePlan plan) {
        out.println("Plan for " + plan.table() + " (key " + plan.keyColumn() + " "
                + plan.keyType().label() + ", runway " + plan.runwayPartitions() + " partition(s) ahead):");
        AsciiTable t = new AsciiTable(List.of("#", "action", "partition", "range"), "Nothing to do");
        int i = 1;
        for (PlannedAction a : plan.actions()) {
            String kind = a.getClass().getSimpleName();
            String range = "";
            if (a instanceof PlannedAction.CreatePartition c) {
                range = "[" + c.fromText() + ", " + c.toText() + ")";
            } else if (a instanceof PlannedAction.DetachPartition d) {
                range = "[" + d.fromText() + ", " + d.toText() + ")";
            } else if (a instanceof PlannedAction.ExpireArchive e) {
                range = "[" + e.fromText() + ", " + e.toText() + ")";
            }
            t.row(i++, kind, a.partition(), range);
        }
        out.print(t.render());
        findings(out, plan.findings());
    }

    public static void findings(PrintWriter out, List<Finding> findings) {
        for (Finding f : findings) {
            out.println("  ! " + f);
        }
    }

    public static void report(PrintWriter out, MaintenanceReport report) {
        for (TableReport r : report.tables()) {
            out.println();
            out.println("== " + r.table() + ": " + r.status() + (r.error() == null ? "" : " (" + r.error() + ")"));
            if (r.plan() != null) {
                plan(out, r.plan());
            }
            if (!r.actions().isEmpty()) {
                // a create counts the rows it moved out of the default partition; every other step the partition's rows
                AsciiTable t = new AsciiTable(
                        List.of("action", "outcome", "rows", "moved from default", "attempts", "detail"), "No actions");
                for (ActionResult a : r.actions()) {
                    boolean create = a.action().startsWith("create ");
                    t.row(
                            a.action(),
                            a.outcome(),
                            create ? "" : a.rowsMoved(),
                            create ? a.rowsMoved() : "",
                            a.attempts(),
                            a.detail());
                }
                out.println("Done:");
                out.print(t.render());
            }
            if (r.layout() != null) {
                out.println("Layout: " + (r.layout().ok() ? "ok" : "needs attention") + "; "
                        + r.layout().partitions()
                        + " partitions, runway " + r.layout().runwayPartitions() + " ahead (until "
                        + r.layout().runwayEnd()
                        + "), default rows " + r.layout().defaultRows());
                for (String p : r.layout().problems()) {
                    out.println("  ! " + p);
                }
            }
        }
    }

    /** The partitions of a table with exact row counts (given) or estimates. */
    public static void layout(PrintWriter out, CatalogSnapshot snap, ZoneId zone, Map<String, Long> exactRows) {
        out.println("Partitions of " + snap.table() + ":");
        AsciiTable t = new AsciiTable(List.of("partition", "from", "to", "rows"), "No partitions");
        for (PartitionInfo p : snap.partitions()) {
            Long rows = exactRows.get(p.name());
            String shown = rows != null ? rows.toString() : (p.estimatedRows() < 0 ? "?" : "~" + p.estimatedRows());
            if (p.isDefault()) {
                t.row(p.name(), "DEFAULT", "", shown);
            } else {
                t.row(
                        p.name() + (p.detachPending() ? " (detach pending)" : ""),
                        KeyAxis.display(p.from(), snap.keyType(), zone),
                        KeyAxis.display(p.to(), snap.keyType(), zone),
                        shown);
            }
        }
        out.print(t.render());
    }
}

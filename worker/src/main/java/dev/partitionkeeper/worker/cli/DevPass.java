package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.InvalidManifestException;
import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What {@code dev} prints after a pass: its report, the layout after it, and the archive with how to read it. */
final class DevPass {
    final PrintWriter out;
    final WorkerRuntime runtime;
    final TablePolicy policy;
    final Path archive;
    final Path configFile;

    DevPass(PrintWriter out, WorkerRuntime runtime, TablePolicy policy, Path archive, Path configFile) {
        this.out = out;
        this.runtime = runtime;
        this.policy = policy;
        this.archive = archive;
        this.configFile = configFile;
    }

    /** Prints pass {@code n}; true when it failed. */
    boolean printed(MaintenanceReport report, String error, int n) throws SQLException, IOException {
        if (report != null) {
            ReportPrinter.report(out, report);
        }
        if (error != null) {
            out.println("pass " + n + " failed: " + error);
        }
        layout("after pass " + n);
        archive();
        out.flush();
        return error != null || (report != null && report.failed());
    }

    void layout(String when) throws SQLException {
        try (Connection c = runtime.dataSource().getConnection()) {
            // epoch keys show their bounds as times
            CatalogSnapshot snap = MaintenancePlanner.keyed(CatalogReader.read(c, policy.table()), policy);
            Map<String, Long> rows = new HashMap<>();
            try (Statement s = c.createStatement()) {
                for (PartitionInfo p : snap.partitions()) {
                    var rs = s.executeQuery("SELECT count(*) FROM " + new TableName(p.schema(), p.name()).quoted());
                    rs.next();
                    rows.put(p.name(), rs.getLong(1));
                }
                var rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'");
                rs.next();
                long detached = rs.getLong(1);
                out.println();
                out.println("Layout " + when + " (" + detached
                        + " detached table(s) waiting in schema partition_archive):");
            }
            ReportPrinter.layout(out, snap, policy.zone(), rows);
        }
    }

    /** The archive's partitions from their manifests, how to read them without us, and how to restore one. */
    void archive() throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.walk(archive)) {
            manifests = files.filter(f -> f.getFileName().toString().equals("manifest.json"))
                    .sorted()
                    .toList();
        }
        AsciiTable t = new AsciiTable(List.of("partition", "rows", "bytes", "location"), "Nothing archived yet");
        List<Path> dirs = new ArrayList<>();
        for (Path f : manifests) {
            try {
                ArchiveManifest m = ArchiveManifest.fromJson(Files.readAllBytes(f), f.toString());
                t.row(m.partition(), m.rowCount(), m.totalBytes(), f.getParent().toAbsolutePath() + "/");
                dirs.add(f.getParent().toAbsolutePath());
            } catch (InvalidManifestException e) {
                t.row(f.getParent().getFileName(), "?", "?", e.getMessage());
            }
        }
        out.println();
        out.println("Archive " + archive.toAbsolutePath() + "/:");
        out.print(t.render());
        if (dirs.isEmpty()) {
            return;
        }
        String glob = archive.toAbsolutePath() + "/" + policy.table().schema() + "/"
                + policy.table().table() + "/*/*.parquet";
        out.println("Read it without partition-keeper (any Parquet reader), e.g. DuckDB:");
        out.println(
                "  duckdb -c \"SELECT count(*), min(created_at), max(created_at) FROM read_parquet('" + glob + "')\"");
        Path first = dirs.get(0);
        out.println("Restore one into the demo database (while dev runs):");
        out.println("  " + DevCommand.self() + " restore -c " + configFile.toAbsolutePath() + " " + first + "/ --into "
                + policy.table().schema() + "." + first.getFileName() + "_restored");
    }
}

package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.activities.archive.iceberg.IcebergRestorer;
import dev.partitionkeeper.activities.archive.manifest.ArchiveIncompleteException;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.manifest.InvalidManifestException;
import dev.partitionkeeper.activities.archive.restore.ArchiveRestorer;
import dev.partitionkeeper.activities.archive.store.ArchiveCredentialsException;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.PartitionCatalog;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.Privileges;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.RestoreRequest;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.RestoreActivities;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** Restores an archive into a table (verifying its checksum) and attaches it back on request. */
public class RestoreActivitiesImpl implements RestoreActivities {

    /** Opens the store an archive location lives in (S3 settings come from the worker's configuration). */
    @FunctionalInterface
    public interface StoreOpener {
        ArchiveStore open(String location) throws IOException;
    }

    private final DataSource dataSource;
    private final StoreOpener opener;
    private final LockGate gate;
    private final IcebergRestorer iceberg;

    public RestoreActivitiesImpl(DataSource dataSource, StoreOpener opener, LockSettings lockSettings) {
        this(dataSource, opener, lockSettings, null);
    }

    /** {@code iceberg}: restores {@code iceberg:…} locations from the Iceberg archive; null when there is none. */
    public RestoreActivitiesImpl(
            DataSource dataSource, StoreOpener opener, LockSettings lockSettings, IcebergRestorer iceberg) {
        this.dataSource = dataSource;
        this.opener = opener;
        this.gate = new LockGate(lockSettings);
        this.iceberg = iceberg;
    }

    /** Where the archived partition belongs: its parent and bounds, from the manifest or the Iceberg snapshot. */
    private record Origin(TableName table, String boundFrom, String boundTo) {}

    private Origin origin(String location) throws IOException {
        if (IcebergRestorer.isIcebergLocation(location)) {
            IcebergRestorer.Archived a = icebergRestorer(location).resolve(location);
            return new Origin(a.parent(), a.boundFrom(), a.boundTo());
        }
        try (ArchiveStore store = opener.open(location)) {
            ArchiveManifest m = ArchiveManifests.require(store, ArchiveLayout.root());
            return new Origin(m.table(), m.boundFrom(), m.boundTo());
        }
    }

    private IcebergRestorer icebergRestorer(String location) {
        if (iceberg == null) {
            throw new IllegalArgumentException("cannot restore " + location + ": this worker's archive.format is not"
                    + " iceberg (set archive.format: iceberg and its catalog)");
        }
        return iceberg;
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
        if (IcebergRestorer.isIcebergLocation(request.location())) {
            try {
                TableName into = request.into() == null || request.into().isBlank()
                        ? null
                        : TableName.parse(request.into(), "public");
                return icebergRestorer(request.location()).restore(request.location(), into);
            } catch (IllegalArgumentException e) {
                throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
            } catch (IllegalStateException e) {
                throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.CATALOG_CONFLICT);
            } catch (IOException e) {
                throw ApplicationFailure.newFailure(
                        "archive " + request.location() + ": " + e.getMessage(), Failures.ARCHIVE_STORE_UNAVAILABLE);
            } catch (SQLException e) {
                throw ApplicationFailure.newFailure(
                        "restore failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                        Failures.SQL_EXCEPTION);
            }
        }
        try (ArchiveStore store = opener.open(request.location())) {
            ArchiveLayout layout = ArchiveLayout.root();
            ArchiveRestorer restorer = new ArchiveRestorer(dataSource, store);
            ArchiveManifest m = restorer.manifest(layout);
            TableName into = target(request, m);
            try (Connection c = dataSource.getConnection()) {
                if (CatalogReader.oid(c, into) != 0) {
                    // A re-run after the restore committed: done if the table matches the archive, refused otherwise.
                    VerifyResult v = new ArchiveVerifier(dataSource, store).verify(layout, into);
                    if (v.ok()) {
                        return new RestoreResult(
                                true, v.archive(), into.toString(), v.archiveRows(), v.contentChecksum(), List.of());
                    }
                    throw ApplicationFailure.newNonRetryableFailure(
                            "table " + into + " already exists and does not match the" + " archive ("
                                    + String.join("; ", v.mismatches()) + "); restore --into another name",
                            Failures.CATALOG_CONFLICT);
                }
            }
            return restorer.restore(layout, into);
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
        } catch (ArchiveIncompleteException | InvalidManifestException | ArchiveCredentialsException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.ARCHIVE_STORE);
        } catch (IOException e) {
            throw ApplicationFailure.newFailure(
                    "archive " + request.location() + ": " + e.getMessage(), Failures.ARCHIVE_STORE_UNAVAILABLE);
        } catch (SQLException e) {
            if (Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        Privileges.refused(
                                "restore of " + request.location(),
                                e,
                                "a restore needs USAGE and CREATE on the target table's schema"
                                        + " (GRANT USAGE, CREATE ON SCHEMA <schema> TO <role>)"),
                        Failures.INSUFFICIENT_PRIVILEGE);
            }
            throw ApplicationFailure.newFailure(
                    "restore failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                    Failures.SQL_EXCEPTION);
        }
    }

    @Override
    public ActionResult attach(RestoreRequest request, String table) {
        try (Connection c = dataSource.getConnection()) {
            Origin m = origin(request.location());
            TableName into = TableName.parse(table, "public");
            CatalogReader.Parent parent = CatalogReader.parent(c, m.table());
            long oid = CatalogReader.oid(c, into);
            String summary = "attach " + into + " to " + m.table();
            if (oid == 0) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "cannot attach " + into + ": it does not exist", Failures.CATALOG_CONFLICT);
            }
            long attachedTo = CatalogReader.parentOf(c, oid);
            if (attachedTo == parent.oid()) {
                return new ActionResult(summary, ActionResult.ALREADY_DONE, 0, 0, "");
            }
            if (attachedTo != 0) {
                throw ApplicationFailure.newNonRetryableFailure(
                        into + " is a partition of another table", Failures.CATALOG_CONFLICT);
            }
            String bounds = "FOR VALUES FROM (" + bound(m.boundFrom()) + ") TO (" + bound(m.boundTo()) + ")";
            List<LockGate.Target> targets = new ArrayList<>();
            targets.add(
                    new LockGate.Target(parent.oid(), m.table().toString(), LockGate.CONFLICTS_SHARE_UPDATE_EXCLUSIVE));
            targets.add(new LockGate.Target(oid, into.toString(), LockGate.ALL_MODES));
            TableName def = PartitionCatalog.defaultPartition(c, parent);
            if (def != null) {
                targets.add(new LockGate.Target(CatalogReader.oid(c, def), def.toString(), LockGate.ALL_MODES));
            }
            try {
                var r = gate.run(c, targets, blocker -> {}, tx -> {
                    Sql.exec(
                            tx,
                            "ALTER TABLE " + m.table().quoted() + " ATTACH PARTITION " + into.quoted() + " " + bounds);
                    return null;
                });
                return new ActionResult(summary, ActionResult.DONE, 0, r.attempts(), bounds);
            } catch (SQLException e) {
                if ("42P17".equals(e.getSQLState()) || "23514".equals(e.getSQLState())) {
                    throw ApplicationFailure.newNonRetryableFailure(
                            "cannot attach " + into + " to " + m.table() + " " + bounds
                                    + ": " + e.getMessage()
                                    + ". Detach or drop the overlapping partition (or move the default"
                                    + " partition's rows) first, or keep the restored table unattached",
                            Failures.CATALOG_CONFLICT);
                }
                throw e;
            }
        } catch (PolicyException | IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
        } catch (IOException e) {
            throw ApplicationFailure.newFailure(
                    "archive " + request.location() + ": " + e.getMessage(), Failures.ARCHIVE_STORE_UNAVAILABLE);
        } catch (SQLException e) {
            if (Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        Privileges.refused(
                                "attach of a restored partition",
                                e,
                                "attaching needs membership in the role owning the parent table"
                                        + " (GRANT <owner> TO <role>)"),
                        Failures.INSUFFICIENT_PRIVILEGE);
            }
            throw ApplicationFailure.newFailure(
                    "attach failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", Failures.SQL_EXCEPTION);
        }
    }

    private static TableName target(RestoreRequest request, ArchiveManifest m) {
        if (request.into() == null || request.into().isBlank()) {
            return new TableName(m.table().schema(), m.partition());
        }
        return TableName.parse(request.into(), "public");
    }

    /** A bound as recorded (exact text, or MINVALUE/MAXVALUE) as it goes inside FROM (...). */
    static String bound(String text) {
        if (text == null) {
            throw new IllegalArgumentException("the manifest records no partition bounds; restore without --attach");
        }
        String t = text.trim();
        if (t.equalsIgnoreCase("MINVALUE") || t.equalsIgnoreCase("MAXVALUE")) {
            return t.toUpperCase(Locale.ROOT);
        }
        return Sql.literal(t);
    }
}

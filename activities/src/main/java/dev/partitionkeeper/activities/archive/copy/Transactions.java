package dev.partitionkeeper.activities.archive.copy;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ends read-only transactions without letting a failing rollback hide the error that caused it. */
public final class Transactions {

    private static final Logger log = LoggerFactory.getLogger(Transactions.class);

    private Transactions() {}

    /** Rolls back and restores the autocommit mode; a failure here is logged, not thrown. */
    public static void end(Connection c, boolean autoCommit) {
        try {
            c.rollback();
            c.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // the connection is broken; the pool discards it. Whatever brought us here is the error to report.
            log.warn("rollback failed: {}", e.getMessage());
        }
    }
}

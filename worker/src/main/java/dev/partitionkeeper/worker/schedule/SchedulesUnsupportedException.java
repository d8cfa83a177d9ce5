package dev.partitionkeeper.worker.schedule;

/** The Temporal server has no Schedules API: use {@code --mode cron}. */
public final class SchedulesUnsupportedException extends RuntimeException {
    public SchedulesUnsupportedException(String server, Throwable cause) {
        super(
                "the Temporal server at " + server
                        + " has no Schedules API (the Java SDK test server, or a server older"
                        + " than 1.20); run the pass as a cron workflow instead: schedule apply --mode cron (or worker --mode cron,"
                        + " or schedule.mode: cron in the configuration)",
                cause);
    }
}

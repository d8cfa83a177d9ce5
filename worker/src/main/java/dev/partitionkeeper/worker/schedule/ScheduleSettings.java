package dev.partitionkeeper.worker.schedule;

import static dev.partitionkeeper.worker.config.ConfigValues.duration;
import static dev.partitionkeeper.worker.config.ConfigValues.label;

import dev.partitionkeeper.worker.config.DurationText;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code schedule:} section: when the daily pass runs and how Temporal treats its runs.
 *
 * @param mode {@link Mode#SCHEDULE} (a Temporal Schedule, the default) or {@link Mode#CRON} (a cron
 *     workflow, for servers without the Schedules API)
 * @param cron a cron expression such as {@code "0 2 * * *"}; null to use {@code at} and {@code days}
 * @param at time of day of the pass (default {@value #DEFAULT_AT_TEXT})
 * @param days days of the week the pass runs; empty means every day (the default)
 * @param timezone zone {@code at}, {@code days} and {@code cron} are read in (default UTC)
 * @param jitter random delay added to each run, so many deployments do not start at once (default 0s)
 * @param catchupWindow how late a run missed while the server was down may still start (default 6h)
 * @param pauseOnFailure pause the Schedule when a pass fails, until someone unpauses it (default false)
 * @param note shown with the Schedule in the UI
 * @param every a fixed interval between passes instead of a time of day (e.g. {@code 1h}; {@code 10s} in tests
 *     and {@code dev}); null (the default) for {@code at}/{@code days} or {@code cron}. Schedule mode only.
 */
public record ScheduleSettings(
        Mode mode,
        String cron,
        LocalTime at,
        List<DayOfWeek> days,
        String timezone,
        Duration jitter,
        Duration catchupWindow,
        boolean pauseOnFailure,
        String note,
        Duration every) {

    public enum Mode {
        SCHEDULE,
        CRON;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    "mode must be schedule (a Temporal Schedule) or cron (a cron workflow, for"
                            + " servers without Schedules), got: \"" + text + "\"");
        }
    }

    static final String DEFAULT_AT_TEXT = "02:00";
    public static final LocalTime DEFAULT_AT = LocalTime.of(2, 0);
    public static final String DEFAULT_TIMEZONE = "UTC";
    public static final Duration DEFAULT_JITTER = Duration.ZERO;
    public static final Duration DEFAULT_CATCHUP_WINDOW = Duration.ofHours(6);
    /** Temporal refuses a shorter catch-up window. */
    public static final Duration MIN_CATCHUP_WINDOW = Duration.ofSeconds(10);

    public static final Duration MAX_JITTER = Duration.ofHours(12);
    public static final String DEFAULT_NOTE = "managed by partition-keeper";

    /** The keys of the {@code schedule:} section. */
    public static final Set<String> KEYS = Set.of(
            "mode", "cron", "at", "days", "every", "timezone", "jitter", "catchup_window", "pause_on_failure", "note");
    /** The shortest {@code every} (the server would accept less; a pass takes longer than that anyway). */
    public static final Duration MIN_EVERY = Duration.ofSeconds(1);

    private static final Pattern CRON_FIELD = Pattern.compile("[0-9A-Za-z*?/,\\-]+");
    private static final Set<String> CRON_MACROS =
            Set.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");

    public ScheduleSettings {
        if (mode == null) {
            throw new IllegalArgumentException("schedule.mode is required");
        }
        days = days == null ? List.of() : List.copyOf(days);
        at = at == null ? DEFAULT_AT : at;
        timezone = timezone == null ? DEFAULT_TIMEZONE : timezone;
        jitter = jitter == null ? DEFAULT_JITTER : jitter;
        catchupWindow = catchupWindow == null ? DEFAULT_CATCHUP_WINDOW : catchupWindow;
        note = note == null ? DEFAULT_NOTE : note;
        if (cron != null) {
            checkCron(cron);
        }
        try {
            ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "schedule.timezone must be an IANA zone such as UTC or Europe/Berlin, got: \"" + timezone + "\"");
        }
        if (jitter.isNegative() || jitter.compareTo(MAX_JITTER) > 0) {
            throw new IllegalArgumentException(
                    "schedule.jitter must be between 0s and 12h (e.g. \"10m\"), got: " + DurationText.format(jitter));
        }
        if (every != null) {
            if (every.compareTo(MIN_EVERY) < 0) {
                throw new IllegalArgumentException(
                        "schedule.every must be at least 1s (e.g. \"1h\"), got: " + DurationText.format(every));
            }
            if (mode == Mode.CRON) {
                throw new IllegalArgumentException(
                        "schedule.every needs mode: schedule (a cron workflow runs at most once a"
                                + " minute); with mode: cron use cron: \"* * * * *\"");
            }
            if (cron != null) {
                throw new IllegalArgumentException(
                        "cannot use schedule.every and schedule.cron together; give either every:"
                                + " \"1h\" or cron: \"0 2 * * *\"");
            }
        }
        if (catchupWindow.compareTo(MIN_CATCHUP_WINDOW) < 0) {
            throw new IllegalArgumentException("schedule.catchup_window must be at least 10s (e.g. \"6h\"), got: "
                    + DurationText.format(catchupWindow));
        }
    }

    /** Daily at 02:00 UTC, as a Temporal Schedule. */
    public static ScheduleSettings defaults() {
        return new ScheduleSettings(
                Mode.SCHEDULE,
                null,
                DEFAULT_AT,
                List.of(),
                DEFAULT_TIMEZONE,
                DEFAULT_JITTER,
                DEFAULT_CATCHUP_WINDOW,
                false,
                DEFAULT_NOTE,
                null);
    }

    public ScheduleSettings withMode(Mode m) {
        return new ScheduleSettings(m, cron, at, days, timezone, jitter, catchupWindow, pauseOnFailure, note, every);
    }

    public ScheduleSettings withCron(String c) {
        return new ScheduleSettings(mode, c, at, days, timezone, jitter, catchupWindow, pauseOnFailure, note, every);
    }

    /** A pass every {@code interval} (the Schedule's interval spec) instead of {@code at}/{@code days}. */
    public ScheduleSettings withEvery(Duration interval) {
        return new ScheduleSettings(
                mode, null, at, days, timezone, jitter, catchupWindow, pauseOnFailure, note, interval);
    }

    public ScheduleSettings withCatchupWindow(Duration window) {
        return new ScheduleSettings(mode, cron, at, days, timezone, jitter, window, pauseOnFailure, note, every);
    }

    /**
     * The cron expression this schedule means: {@code cron} as given, or {@code at}/{@code days} written as
     * one ({@code "0 2 * * *"} for the default). Without the time zone.
     */
    public String cronExpression() {
        if (cron != null) {
            return cron.trim();
        }
        String dow = days.isEmpty()
                ? "*"
                : days.stream().map(d -> Integer.toString(d.getValue() % 7)).collect(Collectors.joining(","));
        return at.getMinute() + " " + at.getHour() + " * * " + dow;
    }

    /**
     * The expression for a cron workflow. Temporal reads {@code CRON_TZ=<zone>} in front of it; without it
     * the server's cron runs in UTC.
     */
    public String cronWorkflowExpression() {
        return DEFAULT_TIMEZONE.equals(timezone) ? cronExpression() : "CRON_TZ=" + timezone + " " + cronExpression();
    }

    /**
     * The longest time between two passes: {@code every}, or the widest gap between the pass days ({@code at}/{@code
     * days}: a day when it runs daily); null for a {@code cron} expression, which is not analysed.
     */
    public Duration longestGap() {
        if (every != null) {
            return every;
        }
        if (cron != null) {
            return null;
        }
        if (days.isEmpty()) {
            return Duration.ofDays(1);
        }
        List<Integer> on =
                days.stream().map(DayOfWeek::getValue).sorted().distinct().toList();
        int widest = 7 - on.get(on.size() - 1) + on.get(0);
        for (int i = 1; i < on.size(); i++) {
            widest = Math.max(widest, on.get(i) - on.get(i - 1));
        }
        return Duration.ofDays(widest);
    }

    /** "daily at 02:00 UTC", "cron 0 2 * * 1-5 (Europe/Berlin)": for people. */
    public String describe() {
        if (every != null) {
            return "every " + DurationText.format(every);
        }
        if (cron != null) {
            return "cron " + cron.trim() + " (" + timezone + ")";
        }
        String when = days.isEmpty()
                ? "daily"
                : "on "
                        + days.stream()
                                .map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(","));
        return when + " at " + at + " " + timezone;
    }

    /** Throws {@link IllegalArgumentException} naming the problem when {@code cron} is no 5-field expression or macro. */
    public static void checkCron(String cron) {
        String c = cron.trim();
        if (CRON_MACROS.contains(c.toLowerCase(Locale.ROOT))) {
            return;
        }
        String[] fields = c.split("\\s+");
        if (c.isEmpty() || fields.length != 5) {
            throw new IllegalArgumentException("schedule.cron must have 5 fields (minute hour day-of-month month "
                    + "day-of-week) such as \"0 2 * * *\", got: \"" + cron + "\"");
        }
        for (String f : fields) {
            if (!CRON_FIELD.matcher(f).matches()) {
                throw new IllegalArgumentException(
                        "schedule.cron field \"" + f + "\" is not a cron field (digits, names,"
                                + " * / , - ?); write e.g. \"0 2 * * *\", got: \"" + cron + "\"");
            }
        }
    }

    /**
     * Reads {@code schedule.*} from the flattened configuration (file values with environment overrides
     * applied). Every bad value is added to {@code problems}, naming the environment variable that set it.
     *
     * @param flat {@code section.key -> value}
     * @param fromEnv {@code section.key -> the environment variable that set it}
     */
    public static ScheduleSettings from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        int before = problems.size();
        Mode mode = Mode.SCHEDULE;
        String m = flat.get("schedule.mode");
        if (m != null) {
            try {
                mode = Mode.parse(m);
            } catch (IllegalArgumentException e) {
                problems.add(label("schedule.mode", fromEnv) + ": " + e.getMessage());
            }
        }
        String cron = blankToNull(flat.get("schedule.cron"));
        String atText = blankToNull(flat.get("schedule.at"));
        String daysText = blankToNull(flat.get("schedule.days"));
        if (cron != null && (atText != null || daysText != null)) {
            problems.add("cannot use schedule.cron and schedule." + (atText != null ? "at" : "days") + " together; give"
                    + " either cron: \"0 2 * * *\" or at: \"02:00\" (with days: mon-fri if needed)");
        }
        LocalTime at = DEFAULT_AT;
        if (atText != null) {
            try {
                at = LocalTime.parse(atText.length() == 4 ? "0" + atText : atText);
                if (at.getSecond() != 0 || at.getNano() != 0) {
                    throw new DateTimeParseException("seconds", atText, 0);
                }
            } catch (DateTimeParseException e) {
                problems.add(label("schedule.at", fromEnv)
                        + " must be a time of day as HH:MM such as \"02:00\", got: \"" + atText + "\"");
            }
        }
        List<DayOfWeek> days = List.of();
        if (daysText != null) {
            try {
                days = parseDays(daysText);
            } catch (IllegalArgumentException e) {
                problems.add(label("schedule.days", fromEnv) + " " + e.getMessage());
            }
        }
        Duration every = duration(flat, fromEnv, "schedule.every", null, problems);
        if (every != null && (atText != null || daysText != null)) {
            problems.add("cannot use schedule.every and schedule." + (atText != null ? "at" : "days")
                    + " together; give" + " either every: \"1h\" or at: \"02:00\" (with days: mon-fri if needed)");
        }
        Duration jitter = duration(flat, fromEnv, "schedule.jitter", DEFAULT_JITTER, problems);
        Duration catchup = duration(flat, fromEnv, "schedule.catchup_window", DEFAULT_CATCHUP_WINDOW, problems);
        boolean pause = false;
        String p = flat.get("schedule.pause_on_failure");
        if (p != null) {
            switch (p.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> pause = true;
                case "false", "no", "off" -> pause = false;
                default ->
                    problems.add(
                            label("schedule.pause_on_failure", fromEnv) + " must be true or false, got: \"" + p + "\"");
            }
        }
        String timezone = flat.getOrDefault("schedule.timezone", DEFAULT_TIMEZONE);
        String note = flat.getOrDefault("schedule.note", DEFAULT_NOTE);
        if (problems.size() > before) {
            return defaults();
        }
        try {
            return new ScheduleSettings(mode, cron, at, days, timezone, jitter, catchup, pause, note, every);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return defaults();
        }
    }

    /** {@code mon-fri}, {@code sat,sun}, {@code monday}: into days, in week order. */
    static List<DayOfWeek> parseDays(String text) {
        EnumSet<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String part : text.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            if (dash > 0) {
                DayOfWeek from = day(p.substring(0, dash), text);
                DayOfWeek to = day(p.substring(dash + 1), text);
                for (DayOfWeek d = from; ; d = d.plus(1)) {
                    out.add(d);
                    if (d == to) {
                        break;
                    }
                }
            } else {
                out.add(day(p, text));
            }
        }
        return new ArrayList<>(out);
    }

    private static DayOfWeek day(String name, String whole) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            String full = d.name().toLowerCase(Locale.ROOT);
            if (n.length() >= 3 && full.startsWith(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "must list days of the week such as \"mon-fri\" or \"sat,sun\", got: \"" + whole + "\"");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}

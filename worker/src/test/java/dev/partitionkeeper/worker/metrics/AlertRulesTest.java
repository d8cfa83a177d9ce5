package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The rules in docs/alerts.md name only metrics the worker registers, and each has a runbook section in
 * docs/operations.md, so neither file can drift from the code unnoticed.
 */
class AlertRulesTest {
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern OUR_METRIC = Pattern.compile("\\bpartition_keeper_[a-z0-9_]+");
    private static final Pattern ANY_METRIC = Pattern.compile("\\b(?:partition_keeper|temporal)_[a-z0-9_]+");

    static Path docs(String file) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("docs").resolve(file);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException(
                "docs/" + file + " not found above " + Path.of("").toAbsolutePath());
    }

    static JsonNode rules() throws Exception {
        String md = Files.readString(docs("alerts.md"));
        Matcher m = YAML_BLOCK.matcher(md);
        assertTrue(m.find(), "docs/alerts.md has a ```yaml block");
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(m.group(1));
        JsonNode rules = root.path("groups").path(0).path("rules");
        assertTrue(rules.isArray() && rules.size() > 0, "groups[0].rules is a non-empty list");
        return rules;
    }

    /** Every metric name in a scrape of a registry where every meter we have has been registered. */
    static Set<String> registeredNames() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MaintenanceMetrics m = new MaintenanceMetrics(r);
        TableName t = new TableName("public", "events");
        m.register(t);
        for (String step : List.of("create", "detach", "export", "verify", "drop")) {
            m.actionDone(t, step, new ActionResult(step, ActionResult.DONE, 5, 1, "10 bytes"), 1);
        }
        m.actionFailed(t, "verify", Failures.VERIFICATION_FAILED);
        m.layoutChecked(t, new LayoutReport(true, 3, "x", 3, 0, List.of()));
        // gauges register for each table under policy, whatever the database says (here: nothing)
        DataSource down = (DataSource) Proxy.newProxyInstance(
                AlertRulesTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        throw new SQLException("database down (test)");
                    }
                    if (method.getName().equals("getLogWriter")) {
                        return new PrintWriter(System.err);
                    }
                    return null;
                });
        try (DatabaseGauges g = new DatabaseGauges(
                r,
                down,
                new TableStateReader("partition_keeper"),
                () -> List.of(TablePolicy.of(t, PartitionInterval.DAILY)),
                MetricsSettings.defaults(),
                Clock.systemUTC(),
                p -> m.register(p.table()))) {
            g.refresh();
        }
        Set<String> names = new TreeSet<>();
        for (String line : r.scrape().lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    @Test
    void everyExpressionNamesOnlyMetricsTheWorkerRegisters() throws Exception {
        Set<String> registered = registeredNames();
        List<String> problems = new ArrayList<>();
        for (JsonNode rule : rules()) {
            String name = rule.path("alert").asText();
            String expr = rule.path("expr").asText();
            if (!OUR_METRIC.matcher(expr).find()) {
                problems.add(name + ": expr names no partition_keeper_* metric: " + expr);
            }
            Matcher m = ANY_METRIC.matcher(expr);
            while (m.find()) {
                if (!registered.contains(m.group())) {
                    problems.add(
                            name + ": " + m.group() + " is not registered by the worker; registered: " + registered);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyMetricTheDocsNameIsRegistered() throws Exception {
        Set<String> registered = registeredNames();
        List<String> problems = new ArrayList<>();
        for (String doc : List.of("alerts.md", "operations.md", "configuration.md", "architecture.md")) {
            Matcher m = OUR_METRIC.matcher(Files.readString(docs(doc)));
            while (m.find()) {
                String name = m.group();
                // a summary is documented by its base name and scraped as _count, _sum and _max
                if (!registered.contains(name) && registered.stream().noneMatch(r -> r.startsWith(name + "_"))) {
                    problems.add(doc + ": " + name);
                }
            }
        }
        assertEquals(List.of(), problems, "metrics named in docs but not registered; registered: " + registered);
    }

    @Test
    void everyRuleIsCompleteAndHasARunbookSection() throws Exception {
        String runbook = Files.readString(docs("operations.md"));
        Set<String> seen = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode rule : rules()) {
            String name = rule.path("alert").asText();
            assertFalse(name.isEmpty(), "every rule has an alert name: " + rule);
            if (!seen.add(name)) {
                problems.add(name + ": duplicate alert name");
            }
            for (String field : List.of("expr", "labels", "annotations")) {
                if (rule.path(field).isMissingNode()) {
                    problems.add(name + ": no " + field);
                }
            }
            String severity = rule.path("labels").path("severity").asText();
            if (!Set.of("warning", "critical").contains(severity)) {
                problems.add(name + ": severity must be warning or critical, got: \"" + severity + "\"");
            }
            if (rule.path("annotations").path("summary").asText().isEmpty()) {
                problems.add(name + ": no annotations.summary");
            }
            String anchor = "docs/operations.md#" + name.toLowerCase();
            if (!anchor.equals(rule.path("annotations").path("runbook").asText())) {
                problems.add(name + ": annotations.runbook should be " + anchor);
            }
            if (!runbook.contains("### " + name + "\n")) {
                problems.add(name + ": docs/operations.md has no section \"### " + name + "\"");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theAlertsTheIssueAsksForAreThere() throws Exception {
        Set<String> exprs = new TreeSet<>();
        for (JsonNode rule : rules()) {
            exprs.add(rule.path("expr").asText());
        }
        String all = String.join("\n", exprs);
        for (String metric : List.of(
                "partition_keeper_runway_partitions",
                "partition_keeper_premake_partitions",
                "partition_keeper_default_partition_rows",
                "partition_keeper_verification_failures_total",
                "partition_keeper_last_successful_pass_age_seconds",
                "partition_keeper_detached_unverified_oldest_age_seconds")) {
            assertNotNull(all.contains(metric) ? metric : null, "no alert uses " + metric + ":\n" + all);
        }
        assertTrue(all.contains("26 * 3600"), "no successful pass in 26 h:\n" + all);
    }
}

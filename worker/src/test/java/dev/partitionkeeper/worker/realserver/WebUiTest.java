package dev.partitionkeeper.worker.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.schedule.MaintenanceClient;
import dev.partitionkeeper.worker.schedule.SearchAttributeSetup;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableMaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.Visibility;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A pass as an operator reads it in the Temporal Web UI: a real browser (Debian's headless Chromium) on the
 * real server's UI, after a whole pass (create, detach, export, verify, drop) against PostgreSQL with an archive.
 *
 * <p>Screenshots go to {@code worker/target/webui/}. With {@value #DOCS_PROPERTY} set, the two that
 * {@code docs/operations.md} shows are copied there as well (the command is in that section).
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
class WebUiTest {
    /** A directory (relative ones are taken from the repository's root) that gets the docs' screenshots. */
    static final String DOCS_PROPERTY = "pk.docs.screenshots";

    static final String LIST_PNG = "temporal-ui-workflows-by-table.png";
    static final String HISTORY_PNG = "temporal-ui-table-history.png";

    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.withUi();

    @RegisterExtension
    static HeadlessChromium browser = HeadlessChromium.start();

    static final String TABLE = DemoData.TABLE;
    static final Path OUT = Path.of("target", "webui");
    /** Selectors found in the DOM of UI 2.54 (the CLI 1.9.1's): rows of the workflow list and of the history. */
    static final By WORKFLOW_LINKS = By.cssSelector("td[data-testid='workflows-summary-table-body-cell'] a");

    static final By HISTORY_ROWS = By.cssSelector("tr[data-testid='event-summary-row']");
    static final By HISTORY_TAB = By.cssSelector("a[data-testid='history-tab']");
    static final By COMPACT = By.cssSelector("[data-testid='compact']");
    static final By DESCENDING = By.xpath("//button[normalize-space()='Descending']");
    static final By ASCENDING = By.xpath("//button[normalize-space()='Ascending']");

    @Test
    void aPassShowsInTheUiAsItsTablesRunWithOneActivityPerAction(@TempDir Path archive) throws Exception {
        TemporalConnection conn = temporal.connection();
        SearchAttributeSetup.Result sa = SearchAttributeSetup.ensure(conn.stubs(), "default");
        assertTrue(sa.available(), sa::detail);
        String byTable = Visibility.TABLES.getName() + " = \"" + TABLE + "\"";
        awaitQueryable(conn, byTable);

        MaintenanceReport report = pass(conn, archive);
        TableReport t = report.tables().get(0);
        assertEquals(
                List.of("create", "create", "detach", "export", "verify", "drop"),
                t.actions().stream().map(a -> a.action().split(" ")[0]).toList(),
                () -> t.actions().toString());

        ChromeDriver d = browser.driver();
        String tableWorkflow = TableMaintenanceWorkflow.workflowId(TABLE);
        // the list page does not refresh itself: first wait until visibility has indexed both runs
        awaitListed(conn, byTable, 2);
        // the list filtered by table, as typed into the UI's search box: the pass and the table's run
        d.get(temporal.server().uiUrl() + "/namespaces/default/workflows?query="
                + URLEncoder.encode(byTable, StandardCharsets.UTF_8));
        List<String> listed = until(d, "the list filtered by " + byTable + " shows the pass and its table's run", x -> {
            List<String> ids = x.findElements(WORKFLOW_LINKS).stream()
                    .map(WebElement::getText)
                    .filter(s -> s.startsWith(MaintenanceWorkflow.WORKFLOW_ID))
                    .toList();
            return ids.contains(MaintenanceWorkflow.WORKFLOW_ID) && ids.contains(tableWorkflow) ? ids : null;
        });
        assertEquals(2, listed.size(), listed::toString);
        Path list = browser.screenshot(OUT.resolve(LIST_PNG));

        // open the table's run from the list, as an operator would, then its history in the compact view
        d.findElements(WORKFLOW_LINKS).stream()
                .filter(a -> a.getText().equals(tableWorkflow))
                .findFirst()
                .orElseThrow()
                .click();
        until(
                d,
                "the table's run opens",
                x -> x.getCurrentUrl().contains(URLEncoder.encode(tableWorkflow, StandardCharsets.UTF_8))
                        ? true
                        : null);
        click(d, "the Event History tab", HISTORY_TAB);
        until(d, "the event history", x -> x.getCurrentUrl().contains("/history") ? true : null);
        click(d, "the Compact view", COMPACT);
        click(d, "the order button", DESCENDING); // oldest first, as the steps ran
        until(
                d,
                "the history in ascending order",
                x -> x.findElements(ASCENDING).isEmpty() ? null : true);

        // no plan step: the pass's survey planned the table and handed the plan to the table's run
        List<String> expected = new ArrayList<>();
        t.plan().actions().stream().map(PlannedAction::summary).forEach(expected::add);
        expected.add("verify layout " + TABLE);
        List<String> shown = until(d, "one activity per action in the compact history", x -> {
            List<String> s = activitySummaries(x);
            return s.size() == expected.size() ? s : null;
        });
        assertEquals(expected, shown);
        assertTrue(shown.stream().anyMatch(s -> s.startsWith("create transactions_p")), shown::toString);
        assertTrue(shown.stream().anyMatch(s -> s.startsWith("export transactions_p")), shown::toString);
        assertTrue(shown.stream().anyMatch(s -> s.startsWith("verify archive of transactions_p")), shown::toString);

        // tall enough for the run's header and the whole compact history in one picture
        d.manage().window().setSize(new Dimension(HeadlessChromium.WIDTH, 1450));
        ((JavascriptExecutor) d).executeScript("window.scrollTo(0, 0)");
        Path history = browser.screenshot(OUT.resolve(HISTORY_PNG));
        browser.pageSource(OUT.resolve("table-history.html"));
        d.manage().window().setSize(new Dimension(HeadlessChromium.WIDTH, HeadlessChromium.HEIGHT));

        copyToDocs(list, history);
    }

    private static MaintenanceReport pass(TemporalConnection conn, Path archive) throws Exception {
        String url = PgTestSupport.newDatabase("webui");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        WorkerConfig cfg = WorkerConfig.parse("webui-test", """
        archive:
          location: %s
        tables:
          - table: %s
            interval: monthly
            premake: 3
            retention: 12 months
            retention_action: archive_and_drop
            drop_grace: 0d
        """.formatted(archive, TABLE), Map.of())
                .withTaskQueue("webui-" + System.nanoTime());
        try (WorkerRuntime rt =
                new WorkerRuntime(conn.client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null)) {
            rt.start();
            // as `maintain --wait` starts it: with the search attributes, which are registered now
            return new MaintenanceClient(conn.client(), cfg.taskQueue(), "webui-test.yaml", true)
                    .requestAndWait(MaintenanceRequest.all("web ui test"));
        }
    }

    /** The summary of each activity row of the compact history, in the order shown. */
    private static List<String> activitySummaries(WebDriver d) {
        List<String> out = new ArrayList<>();
        for (WebElement row : d.findElements(HISTORY_ROWS)) {
            List<WebElement> summary =
                    row.findElements(By.xpath(".//p[normalize-space()='Summary']/following-sibling::span"));
            if (!row.findElements(By.xpath(".//p[normalize-space()='Activity Type']"))
                    .isEmpty()) {
                out.add(
                        summary.isEmpty()
                                ? "(no summary)"
                                : summary.get(0).getDomProperty("textContent").trim());
            }
        }
        return out;
    }

    private static void click(WebDriver d, String what, By by) {
        until(
                        d,
                        what,
                        x -> x.findElements(by).stream()
                                .filter(WebElement::isDisplayed)
                                .findFirst()
                                .orElse(null))
                .click();
    }

    /** Waits for {@code condition} to give a value; on a timeout the page's DOM and a screenshot are kept. */
    private static <T> T until(WebDriver d, String what, ExpectedCondition<T> condition) {
        try {
            return new WebDriverWait(d, HeadlessChromium.WAIT).until(condition);
        } catch (TimeoutException e) {
            Path png = browser.screenshot(OUT.resolve("timeout.png"));
            Path html = browser.pageSource(OUT.resolve("timeout.html"));
            throw new AssertionError(
                    "the UI did not show " + what + " within " + HeadlessChromium.WAIT.toSeconds() + " s (at "
                            + d.getCurrentUrl() + "); see " + png.toAbsolutePath() + " and " + html.toAbsolutePath(),
                    e);
        }
    }

    /** Registration reaches the visibility store a little later: wait until a query on the attribute is accepted. */
    private static void awaitQueryable(TemporalConnection conn, String query) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                conn.stubs()
                        .blockingStub()
                        .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                                .setNamespace("default")
                                .setQuery(query)
                                .build());
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "the server still refuses " + query + " 30 s after registering the attribute", e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static void awaitListed(TemporalConnection conn, String query, int runs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int seen;
        while ((seen = conn.stubs()
                        .blockingStub()
                        .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                                .setNamespace("default")
                                .setQuery(query)
                                .build())
                        .getExecutionsCount())
                < runs) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(query + " lists " + seen + " run(s) after 30 s, not " + runs);
            }
            Thread.sleep(200);
        }
    }

    private static void copyToDocs(Path... pngs) throws IOException {
        String to = System.getProperty(DOCS_PROPERTY);
        if (to == null || to.isBlank()) {
            return;
        }
        Path dir = Path.of(to);
        if (!dir.isAbsolute()) {
            dir = repositoryRoot().resolve(dir);
        }
        Files.createDirectories(dir);
        String runbook = Files.readString(repositoryRoot().resolve("docs/operations.md"));
        for (Path png : pngs) {
            // a renamed picture would otherwise leave the runbook showing the old one
            assertTrue(
                    runbook.contains("images/" + png.getFileName()),
                    "docs/operations.md does not show " + png.getFileName());
            Files.copy(png, dir.resolve(png.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Surefire runs in the module's directory ({@code worker/}); the docs live one level up. */
    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs")) && Files.isDirectory(p.resolve("worker"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (a directory with docs/ and worker/) above " + here);
    }
}

package dev.partitionkeeper.worker.realserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver, for a test class: register it as a static
 * field with {@code @RegisterExtension}. Both binaries are named explicitly and Selenium Manager is kept
 * offline, so nothing is ever downloaded. Without them the class is skipped with the {@code apt-get} line
 * that installs them, unless {@value #REQUIRE_ENV} is set: then it fails.
 */
public final class HeadlessChromium implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {
    /** Set (to anything) where the browser tests must run: a missing Chromium is then a failure. */
    public static final String REQUIRE_ENV = "PK_REQUIRE_CHROMIUM";

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final String INSTALL_HINT =
            "install Debian's browser and driver with" + " `apt-get install chromium chromium-driver`";
    /** Wide enough that the UI's workflow table shows its summary column without wrapping. */
    public static final int WIDTH = 1600;

    public static final int HEIGHT = 1000;
    /** How long a page may take to show what a test waits for. */
    public static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * No CDP (devtools) module is on the class path, on purpose: the tests use WebDriver only. Held so the level
     * sticks (java.util.logging keeps loggers weakly).
     */
    private static final Logger CDP_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private ChromeDriverService service;
    private ChromeDriver driver;
    private Path profile;

    private HeadlessChromium() {}

    public static HeadlessChromium start() {
        return new HeadlessChromium();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if ((Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) || System.getenv(REQUIRE_ENV) != null) {
            return ConditionEvaluationResult.enabled("Chromium and chromedriver found");
        }
        return ConditionEvaluationResult.disabled("no " + CHROMIUM + " or " + CHROMEDRIVER + ": " + INSTALL_HINT);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException(
                    REQUIRE_ENV + " is set but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: " + INSTALL_HINT);
        }
        // Selenium passes SE_* system properties to Selenium Manager; with both paths given it is not even started
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("SE_AVOID_STATS", "true");
        CDP_LOG.setLevel(Level.SEVERE);
        profile = Files.createTempDirectory("pk-chromium-");
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(Path.of(
                                "target",
                                "chromedriver-" + context.getRequiredTestClass().getSimpleName() + ".log")
                        .toAbsolutePath()
                        .toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=" + WIDTH + "," + HEIGHT);
        driver = new ChromeDriver(service, options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            deleteTree(profile);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** A PNG of the window as it is now, written to {@code file} (its directory is created). */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + file + ": " + e.getMessage(), e);
        }
    }

    /** The page's DOM as it is now, for finding selectors and for a failure's evidence. */
    public Path pageSource(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, driver.getPageSource());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the page source " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}

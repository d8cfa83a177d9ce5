package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.dev.TemporalDevServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml runs the Temporal images Temporal recommends for a self-hosted cluster (not the deprecated
 * {@code temporalio/auto-setup}), at the versions the tests run: the Temporal CLI's bundled server and UI.
 * ({@code .ci/run} validates the whole file with {@code docker-compose config}.)
 */
class ComposeFileTest {
    /** What {@link TemporalDevServer#CLI_PACKAGE} bundles: {@code temporal --version} prints them. */
    static final String SERVER = "1.32.0";

    static final String UI = "2.54.1";

    static Map<String, String> images() throws Exception {
        String compose = Files.readString(Path.of("..", "docker-compose.yml"));
        Map<String, String> out = new TreeMap<>();
        Matcher m = Pattern.compile("image: (temporalio/[a-z-]+):\\$\\{[A-Z_]+:-([0-9.]+)}")
                .matcher(compose);
        while (m.find()) {
            String before = out.put(m.group(1), m.group(2));
            assertTrue(before == null || before.equals(m.group(2)), "one version per image: " + m.group(1));
        }
        assertFalse(compose.contains("temporalio/auto-setup"), "auto-setup is deprecated (no builds since 1.30)");
        return out;
    }

    @Test
    void temporalImagesAreTheRecommendedOnesAtTheTestedVersions() throws Exception {
        assertEquals(
                Map.of("temporalio/admin-tools", SERVER, "temporalio/server", SERVER, "temporalio/ui", UI), images());
    }

    @Test
    void theTestedVersionsAreTheInstalledCliServerAndUi() throws Exception {
        Optional<Path> cli = TemporalDevServer.findCli(null, System.getenv());
        if (cli.isEmpty()) {
            return; // the pinned CLI_PACKAGE is what .ci/temporal-cli.sh installs; checked where it is installed
        }
        Process p = new ProcessBuilder(cli.get().toString(), "--version")
                .redirectErrorStream(true)
                .start();
        String version = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        assertTrue(version.contains("(Server " + SERVER + ", UI " + UI + ")"), version);
        assertTrue(TemporalDevServer.CLI_PACKAGE.endsWith(version.split(" ")[2]), version);
    }
}

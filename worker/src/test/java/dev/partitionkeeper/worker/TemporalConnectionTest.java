package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link TemporalConnection#awaitReachable} without a server (with one: realserver.WorkerStartsBeforeServerTest). */
class TemporalConnectionTest {

    @Test
    void awaitReachableGivesUpAfterItsTimeoutNamingTheServerAndTheReason() throws Exception {
        String target = "127.0.0.1:" + freePort();
        try (TemporalConnection c = TemporalConnection.to(target, "default")) {
            long t0 = System.nanoTime();
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> c.awaitReachable(Duration.ofMillis(700)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "Temporal at " + target + " namespace default did not answer within" + " PT0.7S"),
                    e::getMessage);
            assertTrue(e.getMessage().contains("UNAVAILABLE"), e::getMessage);
            assertTrue(ms >= 700 && ms < 5_000, "gave up after " + ms + " ms");
        }
    }

    @Test
    void aNegativeTimeoutIsRefused() {
        try (TemporalConnection c = TemporalConnection.to("127.0.0.1:1", "default")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> c.awaitReachable(Duration.ofSeconds(-1)));
            assertTrue(e.getMessage().equals("Invalid timeout: PT-1S"), e::getMessage);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.partitionkeeper.worker.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dev server starts although a port it picked is taken before the server binds it (another process grabbed it
 * in between, as happened in CI): it picks new ones. A port the caller fixed is not changed behind its back.
 */
@Tag("temporal-server")
class TemporalDevServerTest {
    static Path cli() {
        Optional<Path> cli = TemporalDevServer.findCli(null, System.getenv());
        if (System.getenv("PK_REQUIRE_TEMPORAL_CLI") == null) {
            assumeTrue(cli.isPresent(), "no Temporal CLI: " + TemporalDevServer.INSTALL_HINT);
        }
        return cli.orElseThrow(() -> new IllegalStateException("no Temporal CLI: " + TemporalDevServer.INSTALL_HINT));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aPickedPortTakenBeforeTheServerBindsItIsPickedAgain() throws Exception {
        Path cli = cli();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Deque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort(), freePort(), freePort(), freePort()));
            TemporalDevServer.Options o =
                    TemporalDevServer.Options.newBuilder().ui(false).build();

            try (TemporalDevServer server = TemporalDevServer.start(cli, o, ports::removeFirst)) {
                assertNotEquals("127.0.0.1:" + taken.getLocalPort(), server.target());
                server.connection()
                        .stubs()
                        .blockingStub()
                        .describeNamespace(DescribeNamespaceRequest.newBuilder()
                                .setNamespace("default")
                                .build());
                assertTrue(ports.isEmpty(), "the second start took two new ports: " + ports);
            }
        }
    }

    @Test
    void aPortTheCallerFixedIsNotChanged() throws Exception {
        Path cli = cli();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            TemporalDevServer.Options o = TemporalDevServer.Options.newBuilder()
                    .ui(false)
                    .port(taken.getLocalPort())
                    .uiPort(freePort())
                    .build();

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TemporalDevServer.start(cli, o));

            assertTrue(e.getMessage().contains("address already in use"), e.getMessage());
        }
    }

    @Test
    void aPanicWhileTheServerIsBuiltIsARaceWorthAnotherStartAndSaysWhy() {
        String printed = "time=... level=WARN msg=x\n"
                + "panic: listen tcp 127.0.0.1:41234: bind: address already in use\n\n"
                + "goroutine 1 [running]:\ngo.uber.org/fx.New(...)\n";
        TemporalDevServer.Options free = TemporalDevServer.Options.newBuilder().build();

        assertTrue(TemporalDevServer.lostARace(free, printed, 2));
        assertTrue(TemporalDevServer.lostARace(free, "panic: runtime error\ngoroutine 1 [running]:\n", 2));
        assertEquals(
                "panic: listen tcp 127.0.0.1:41234: bind: address already in use",
                TemporalDevServer.firstError(printed));
    }

    @Test
    void aTakenPortTheCallerFixedOrABadFlagIsNotTriedAgain() {
        TemporalDevServer.Options fixed =
                TemporalDevServer.Options.newBuilder().port(41234).build();
        String taken = "Error: can't set frontend port 41234: listen tcp 127.0.0.1:41234: bind: address already in use";

        assertFalse(TemporalDevServer.lostARace(fixed, taken, 1));
        assertFalse(TemporalDevServer.lostARace(fixed, "Error: unknown flag: --nope", 1));
        assertTrue(TemporalDevServer.lostARace(
                fixed, "Error: listen tcp 127.0.0.1:5555: bind: address already in use", 1));
    }
}

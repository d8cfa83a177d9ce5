package dev.partitionkeeper.worker.dev;

import dev.partitionkeeper.worker.TemporalConnection;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * The Java SDK's standalone Temporal test server, bound to a free port on 127.0.0.1, with a client
 * connected to it over gRPC. It lacks Schedules and visibility queries; everything else behaves as
 * a real server for one process.
 */
public final class EmbeddedTemporal implements AutoCloseable {
    private final TestServer.PortBoundTestServer server;
    private final TemporalConnection connection;
    private final int port;

    private EmbeddedTemporal(TestServer.PortBoundTestServer server, TemporalConnection connection, int port) {
        this.server = server;
        this.connection = connection;
        this.port = port;
    }

    public static EmbeddedTemporal start() {
        int port = freePort();
        // true = time skipping locked: the server's clock is the wall clock, as on a real cluster. Unlocked,
        // an idle test server jumps ahead (years, in one test run) and "now" would detach live partitions.
        TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
        return new EmbeddedTemporal(server, TemporalConnection.to("127.0.0.1:" + port, "default"), port);
    }

    public TemporalConnection connection() {
        return connection;
    }

    public String target() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        connection.close();
        server.close();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

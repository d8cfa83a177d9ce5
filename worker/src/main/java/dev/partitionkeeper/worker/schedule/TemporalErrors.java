package dev.partitionkeeper.worker.schedule;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/** Reads the gRPC status out of the exceptions the Temporal client wraps it in. */
final class TemporalErrors {
    private TemporalErrors() {}

    static Optional<Status.Code> code(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException s) {
                return Optional.of(s.getStatus().getCode());
            }
        }
        return Optional.empty();
    }

    static boolean is(Throwable e, Status.Code code) {
        return code(e).filter(c -> c == code).isPresent();
    }

    /** The server does not offer the call at all (the Java SDK's test server lacks Schedules and visibility queries). */
    static boolean unsupported(Throwable e) {
        return is(e, Status.Code.UNIMPLEMENTED);
    }
}

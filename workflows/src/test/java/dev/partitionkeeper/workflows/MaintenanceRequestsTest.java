package dev.partitionkeeper.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.partitionkeeper.workflows.model.TableName;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the {@code maintain} validator and the CLI refuse before anything reaches history. */
class MaintenanceRequestsTest {
    static final List<TableName> KNOWN =
            List.of(new TableName("public", "transactions"), new TableName("billing", "Billing Events"));

    /** Requests travel in history as JSON: the lenient reader must not change what a good one looks like. */
    @Test
    void aWellFormedRequestRoundTripsAsBeforeAndOldPayloadsReadWell() {
        var converter = DefaultDataConverter.STANDARD_INSTANCE;
        MaintenanceRequest r = new MaintenanceRequest(List.of("public.transactions"), true, "operator");
        var payload = converter.toPayload(r).orElseThrow();

        assertEquals(
                "{\"tables\":[\"public.transactions\"],\"dryRun\":true,\"reason\":\"operator\"}",
                payload.getData().toStringUtf8(),
                "no malformed field in a good request's JSON");
        assertEquals(r, converter.fromPayload(payload, MaintenanceRequest.class, MaintenanceRequest.class));
        var old = payload.toBuilder()
                .setData(ByteString.copyFromUtf8("{\"reason\":\"scheduled\",\"tables\":[]}"))
                .build();
        MaintenanceRequest read = converter.fromPayload(old, MaintenanceRequest.class, MaintenanceRequest.class);
        assertEquals(MaintenanceRequest.all("scheduled"), read);
        assertEquals(true, read.wellFormed());
    }

    @Test
    void wellFormedRequestsForKnownTablesPass() {
        assertEquals(List.of(), MaintenanceRequests.problems(MaintenanceRequest.all("operator"), KNOWN));
        assertEquals(
                List.of(),
                MaintenanceRequests.problems(
                        new MaintenanceRequest(List.of("transactions", "billing.\"Billing Events\""), true, ""),
                        KNOWN));
    }

    @Test
    void everyProblemIsListed() {
        MaintenanceRequest bad = new MaintenanceRequest(List.of("public.orders", " ", "a.b.c"), false, "x".repeat(501));

        assertEquals(
                List.of(
                        "reason must be at most 500 characters, got: 501",
                        "table public.orders is not in the policy; known tables: public.transactions, billing.\"Billing Events\"",
                        "table names must not be empty; write them as schema.table, e.g. public.events",
                        "table name a.b.c has 3 parts; write it as schema.table, e.g. public.events"),
                MaintenanceRequests.problems(bad, KNOWN));
    }

    @Test
    void withoutAKnownPolicyOnlyTheShapeIsChecked() {
        assertEquals(
                List.of(),
                MaintenanceRequests.problems(new MaintenanceRequest(List.of("public.orders"), false, ""), null));
        assertEquals(
                1,
                MaintenanceRequests.problems(new MaintenanceRequest(List.of("x; drop table y"), false, ""), null)
                        .size());
    }

    @Test
    void nullAndHugeRequestsAreRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MaintenanceRequests.check(null, KNOWN));
        assertEquals("the request is empty; send {tables: [...], reason: \"...\", dryRun: false}", e.getMessage());
        List<String> many = Collections.nCopies(501, "public.transactions");
        assertEquals(
                "a request names at most 500 tables (leave tables empty for all), got: 501",
                MaintenanceRequests.problems(new MaintenanceRequest(many, false, ""), KNOWN)
                        .get(0));
    }
}

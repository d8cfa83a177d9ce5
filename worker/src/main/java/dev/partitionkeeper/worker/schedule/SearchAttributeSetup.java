package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.workflows.Visibility;
import io.grpc.Status;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the custom search attributes ({@link Visibility#definitions()}) on the namespace where the
 * server allows it. Starters set the attributes only when this says they are available: a workflow
 * that upserts an unregistered attribute fails its workflow task on every attempt.
 */
public final class SearchAttributeSetup {
    private static final Logger log = LoggerFactory.getLogger(SearchAttributeSetup.class);

    private SearchAttributeSetup() {}

    /** @param available runs may carry the attributes; {@code detail} says why not otherwise */
    public record Result(boolean available, String detail) {}

    /** Adds the attributes (or finds them); never throws: a server that refuses simply gets runs without them. */
    public static Result ensure(WorkflowServiceStubs stubs, String namespace) {
        Map<String, IndexedValueType> wanted = Visibility.definitions();
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
                OperatorServiceStubsOptions.newBuilder(stubs.getOptions()).build());
        try {
            try {
                operator.blockingStub()
                        .addSearchAttributes(AddSearchAttributesRequest.newBuilder()
                                .setNamespace(namespace)
                                .putAllSearchAttributes(wanted)
                                .build());
                log.info("search attributes {} registered on namespace {}", wanted.keySet(), namespace);
                return new Result(true, "registered");
            } catch (RuntimeException e) {
                if (TemporalErrors.is(e, Status.Code.ALREADY_EXISTS)) {
                    return new Result(true, "already registered");
                }
                // not allowed to add (Temporal Cloud, restricted roles): maybe someone registered them already
                try {
                    Map<String, IndexedValueType> have = operator.blockingStub()
                            .listSearchAttributes(ListSearchAttributesRequest.newBuilder()
                                    .setNamespace(namespace)
                                    .build())
                            .getCustomAttributesMap();
                    boolean all = wanted.entrySet().stream()
                            .allMatch(w -> w.getValue().equals(have.get(w.getKey())));
                    if (all) {
                        return new Result(true, "already registered");
                    }
                } catch (RuntimeException ignored) {
                    // listing is refused too: fall through
                }
                String why =
                        "cannot register search attributes " + wanted.keySet() + " on namespace " + namespace + " ("
                                + TemporalErrors.code(e)
                                        .map(Enum::name)
                                        .orElse(e.getClass().getSimpleName()) + "); runs carry the memo"
                                + " only. Register them with: temporal operator search-attribute create --namespace "
                                + namespace
                                + " --name PartitionKeeperTables --type KeywordList --name PartitionKeeperOutcome --type Keyword"
                                + " --name PartitionKeeperTrigger --type Keyword";
                log.warn(why);
                return new Result(false, why);
            }
        } finally {
            operator.shutdown();
        }
    }
}

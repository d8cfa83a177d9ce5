package dev.partitionkeeper.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.convert.ConvertWorkflowImpl;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The determinism net: histories recorded from real runs of an earlier build (the real Temporal server and
 * PostgreSQL, {@code HistoryRecorder} in the worker module; committed under {@code histories/}) replay against
 * this build's workflow code. A change that would break a run started by the previous release (a pass, a
 * conversion or a restore in flight while workers are upgraded) fails here, not in production.
 */
class RecordedHistoriesReplayTest {
    /** Workflow type, as the history names it, to the implementation that must replay it. */
    static final Map<String, Class<?>> IMPLEMENTATIONS = Map.of(
            "PartitionMaintenance", MaintenanceWorkflowImpl.class,
            "TableMaintenance", TableMaintenanceWorkflowImpl.class,
            "DatabasePass", DatabasePassWorkflowImpl.class,
            "PartitionConvert", ConvertWorkflowImpl.class,
            "PartitionRestore", RestoreWorkflowImpl.class);

    static Stream<String> histories() throws Exception {
        URL dir = RecordedHistoriesReplayTest.class.getClassLoader().getResource("histories");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    static WorkflowExecutionHistory load(String name) throws Exception {
        try (var in = RecordedHistoriesReplayTest.class.getClassLoader().getResourceAsStream("histories/" + name)) {
            return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static String type(WorkflowExecutionHistory h) {
        return h.getEvents()
                .get(0)
                .getWorkflowExecutionStartedEventAttributes()
                .getWorkflowType()
                .getName();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void replays(String name) throws Exception {
        WorkflowExecutionHistory h = load(name);
        Class<?> impl = IMPLEMENTATIONS.get(type(h));
        assertTrue(impl != null, "no implementation registered for workflow type " + type(h) + " (" + name + ")");

        WorkflowReplayer.replayWorkflowExecution(h, impl);
    }

    @Test
    void everyWorkflowTypeHasARecordedHistory() throws Exception {
        Map<String, List<String>> byType = new TreeMap<>();
        for (String name : histories().toList()) {
            byType.computeIfAbsent(type(load(name)), t -> new ArrayList<>()).add(name);
        }
        assertEquals(IMPLEMENTATIONS.keySet(), Set.copyOf(byType.keySet()), byType::toString);
        // the cases the net must cover: a joined request and a continue-as-new, the whole table chain with a retried
        // step, a conversion through its swap and a rollback
        Set<String> events = histories()
                .flatMap(n -> {
                    try {
                        return load(n).getEvents().stream()
                                .map(e -> e.getEventType().name());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .collect(Collectors.toSet());
        assertTrue(events.contains("EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW"), events::toString);
        assertTrue(
                load("table-create-detach-export-verify-drop-retried.json").getEvents().stream()
                        .anyMatch(e -> e.hasActivityTaskStartedEventAttributes()
                                && e.getActivityTaskStartedEventAttributes().getAttempt() > 1),
                "a retried step");
    }

    @Test
    void aChangeThatSwapsTwoActivityCallsFailsTheReplay() throws Exception {
        // the table workflow as a careless change could leave it: the layout check moved before the plan
        WorkflowExecutionHistory h = load("table-create-detach-export-verify-drop-retried.json");

        Exception e = assertThrows(
                Exception.class,
                () -> WorkflowReplayer.replayWorkflowExecution(h, MaintenanceWorkflowReplayTest.VerifyFirst.class));
        String chain = Fixtures.messageChain(e);
        assertTrue(chain.contains("nondeterministic") || chain.contains("NonDeterministic"), chain);
    }
}

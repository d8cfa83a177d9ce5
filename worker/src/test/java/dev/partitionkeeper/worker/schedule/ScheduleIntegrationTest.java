package dev.partitionkeeper.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.TemporalConnection;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The Schedule against a real Temporal server (one with the Schedules API): apply, re-apply, trigger,
 * pause, delete. Runs only when {@code TEMPORAL_ADDRESS} names one; uses a Schedule ID and task queue of
 * its own, so it never touches a deployment's {@code partition-maintenance}.
 */
@EnabledIfEnvironmentVariable(named = "TEMPORAL_ADDRESS", matches = ".+")
class ScheduleIntegrationTest {
  TemporalConnection conn;
  ScheduleService schedules;
  String id;
  String queue;

  @BeforeEach
  void connect() {
    conn = TemporalConnection.fromEnvironment();
    id = "partition-maintenance-it-" + System.nanoTime();
    queue = "partition-keeper-it-" + System.nanoTime();
    schedules = new ScheduleService(ScheduleClient.newInstance(conn.stubs(), ScheduleClientOptions.newBuilder()
        .setNamespace(conn.client().getOptions().getNamespace()).build()), id, conn.toString());
  }

  @AfterEach
  void cleanUp() {
    try {
      ScheduleService.ScheduleView v = schedules.describe();
      v.running().forEach(wf -> conn.client().newUntypedWorkflowStub(wf).terminate("test cleanup"));
      schedules.delete();
    } catch (RuntimeException alreadyGone) {
      // deleted by the test
    }
    conn.close();
  }

  private ScheduleService.ApplyResult apply(ScheduleSettings s) {
    return schedules.apply(MaintenanceSchedules.build(s, queue, false, "it.yaml"), MaintenanceSchedules.options(
        "it.yaml"), MaintenanceSchedules.fingerprint(s, queue, false));
  }

  @Test
  void appliesTriggersPausesAndDeletes() throws Exception {
    ScheduleSettings daily = ScheduleSettings.defaults();

    ScheduleService.ApplyResult created = apply(daily);
    ScheduleService.ApplyResult again = apply(daily);
    ScheduleService.ApplyResult changed = apply(daily.withCron("30 3 * * *"));

    assertEquals(ScheduleService.CREATED, created.outcome());
    assertEquals(ScheduleService.UNCHANGED, again.outcome());
    assertEquals(ScheduleService.UPDATED, changed.outcome());
    assertFalse(created.nextRuns().isEmpty());
    ScheduleService.ScheduleView v = schedules.describe();
    assertEquals("cron 30 3 * * *", v.spec().replace("  ", " "));
    assertEquals("skip", v.overlap());
    assertEquals(queue, v.taskQueue());

    schedules.trigger();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (schedules.describe().actions() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(1, schedules.describe().actions(), "trigger started one pass");
    assertTrue(schedules.describe().running().get(0).startsWith("partition-maintenance-scheduled-"));

    schedules.pause("integration test");
    assertTrue(schedules.describe().paused());
    assertEquals(ScheduleService.UPDATED, apply(daily).outcome());
    assertTrue(schedules.describe().paused(), "apply keeps an operator's pause");
    schedules.unpause("integration test");
    assertFalse(schedules.describe().paused());

    schedules.describe().running().forEach(wf -> conn.client().newUntypedWorkflowStub(wf).terminate("test"));
    schedules.delete();
    assertTrue(assertThrows(IllegalStateException.class, schedules::describe).getMessage()
        .contains("there is no schedule " + id));
  }
}

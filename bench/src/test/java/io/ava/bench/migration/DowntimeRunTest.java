package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.overhead.WorkloadRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DowntimeRunTest {
  @TempDir Path dir;

  static final String MOVED = "ava: session s-1 moved from 127.0.0.1:4000 to 127.0.0.1:4100 "
      + "(ava-server@vm:4100); calls waited 42 ms";

  private static DowntimeRun run(List<String> lines) {
    DowntimeRun r = new DowntimeRun(1, 1);
    r.migrationCallId = 116;
    r.serverB = "127.0.0.1:4100";
    r.workload = new WorkloadRun("w");
    r.workload.exitCode = 0;
    r.workload.parse(lines);
    r.check(lines, AgentOutput.parse(lines));
    return r;
  }

  @Test
  void aGoodRun() {
    DowntimeRun r = run(List.of("SETUP_DONE", "start live migration at call_id 116", MOVED,
        "LOOP_DONE", "RESULT iteration_max_ms 50.5", "RESULT verified 1"));
    assertTrue(r.ok(), r.errors.toString());
    assertEquals(42L, r.downtimeMs);
    assertEquals(50.5, r.clientMaxGapMs);
  }

  @Test
  void aTriggerDuringSetupDoesNotCount() {
    DowntimeRun r = run(List.of("start live migration at call_id 116", MOVED, "SETUP_DONE",
        "LOOP_DONE", "RESULT verified 1"));
    assertFalse(r.ok());
    assertTrue(r.errors.get(0).contains("not triggered inside the workload's loop"), r.errors.toString());
  }

  @Test
  void noMoveNoVerificationOrTheWrongTargetFail() {
    DowntimeRun r = run(List.of("SETUP_DONE", "start live migration at call_id 116",
        "ava: live migration did not happen (peer down); the session stays on 127.0.0.1:4000",
        "LOOP_DONE", "RESULT verified 1"));
    assertFalse(r.ok());
    assertEquals(List.of("ava: live migration did not happen (peer down)"), r.errors);

    r = run(List.of("SETUP_DONE", "start live migration at call_id 116", MOVED, "LOOP_DONE"));
    assertFalse(r.ok());
    assertTrue(r.errors.get(0).contains("verified"), r.errors.toString());

    r = run(List.of("SETUP_DONE", "start live migration at call_id 117",
        MOVED.replace("4100", "4200"), "LOOP_DONE", "RESULT verified 1"));
    assertEquals(2, r.errors.size(), r.errors.toString());
    assertTrue(r.errors.get(0).contains("call 117, not 116"), r.errors.toString());
    assertTrue(r.errors.get(1).contains("not to server B"), r.errors.toString());
  }

  @Test
  void readsTheBreakdownAndChecksTheBytesMoved() throws Exception {
    Path log = dir.resolve("m.log");
    Files.writeString(log, "[a] migration takes 734\n" + MigrationLogFileTest.OK_JSON + "\n");
    DowntimeRun r = run(List.of("SETUP_DONE", "start live migration at call_id 116", MOVED,
        "LOOP_DONE", "RESULT verified 1"));
    r.readMigrationLog(log, 0);
    assertTrue(r.ok(), r.errors.toString());
    assertEquals(734L, r.logMillis);
    assertEquals(373.627, r.breakdown.get("transfer_ms"));

    DowntimeRun big = new DowntimeRun(16, 1); // 16 MiB of state, 1 MiB moved
    big.readMigrationLog(log, 0);
    assertTrue(big.errors.get(0).contains("less than"), big.errors.toString());

    // the second migration of the same server: only the entries after the first count
    Files.writeString(log, "[a] migration takes 9\n" + MigrationLogFileTest.OK_JSON
        .replace("\"total_ms\":734", "\"total_ms\":9") + "\n", java.nio.file.StandardOpenOption.APPEND);
    DowntimeRun second = new DowntimeRun(1, 2);
    second.readMigrationLog(log, 1);
    assertTrue(second.errors.isEmpty(), second.errors.toString());
    assertEquals(9L, second.logMillis);
    assertEquals(9.0, second.breakdown.get("total_ms"));
  }

  @Test
  void theTargets() {
    assertTrue(DowntimeBench.meetsTarget(300, 100)); // 2 x 100 + 100
    assertFalse(DowntimeBench.meetsTarget(300.5, 100));
    assertEquals(102.5, DowntimeBench.targetMs(1.25));
    assertTrue(RecordingBench.meetsTarget(0.97));
    assertTrue(RecordingBench.meetsTarget(1.05));
    assertFalse(RecordingBench.meetsTarget(0.969));
  }
}

package io.ava.bench.migration;

import io.ava.bench.overhead.WorkloadRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One migration run of part 1: what the workload, the agent and the source's migration log said,
 * and every reason the run does not count.
 */
final class DowntimeRun {
  final int mib;
  final int repeat;
  final List<String> errors = new ArrayList<>();
  final Map<String, String> logs = new LinkedHashMap<>();
  Map<String, Object> breakdown = new LinkedHashMap<>();
  WorkloadRun workload;
  String serverA;
  String serverB;
  long migrationCallId;
  Long downtimeMs;
  Double clientMaxGapMs;
  Long logMillis;
  String movedTo;

  DowntimeRun(int mib, int repeat) {
    this.mib = mib;
    this.repeat = repeat;
  }

  boolean ok() {
    return errors.isEmpty() && downtimeMs != null;
  }

  /**
   * Checks the workload's output: it verified its results, the agent triggered the migration at
   * the call asked for and between SETUP_DONE and LOOP_DONE (so that the whole state existed and
   * the loop checked calls on the target), and the session moved to B.
   */
  void check(List<String> lines, AgentOutput agent) {
    if (workload != null) errors.addAll(workload.errors);
    errors.addAll(agent.failures);
    int setupDone = lines.indexOf("SETUP_DONE");
    int loopDone = lines.indexOf("LOOP_DONE");
    if (migrationCallId < 0) {
      // started by `ava-server migrate` (no call id): it must have happened inside the loop
      if (agent.moved() && (setupDone < 0 || loopDone < 0 || agent.movedLine < setupDone
          || agent.movedLine > loopDone)) {
        errors.add("the migration did not happen inside the workload's loop (moved at output line "
            + agent.movedLine + ", SETUP_DONE at " + setupDone + ", LOOP_DONE at " + loopDone
            + "): make --iterations larger");
      }
    } else if (agent.triggerCallId == null) {
      errors.add("the agent did not print 'start live migration at call_id " + migrationCallId
          + "'");
    } else if (agent.triggerCallId != migrationCallId) {
      errors.add("the agent triggered at call " + agent.triggerCallId + ", not "
          + migrationCallId);
    } else if (setupDone < 0 || loopDone < 0
        || agent.triggerLine < setupDone || agent.triggerLine > loopDone) {
      errors.add("the migration was not triggered inside the workload's loop (trigger at output "
          + "line " + agent.triggerLine + ", SETUP_DONE at " + setupDone + ", LOOP_DONE at "
          + loopDone + "): the calibrated setup call count does not fit this run");
    }
    if (agent.moved()) {
      downtimeMs = agent.callsWaitedMs;
      movedTo = agent.movedTo;
      if (serverB != null && !samePort(agent.movedTo, serverB)) {
        errors.add("the session moved to " + agent.movedTo + ", not to server B at " + serverB);
      }
    } else if (agent.failures.isEmpty()) {
      errors.add("the agent printed no 'moved from ... calls waited <ms> ms' line: "
          + "the session did not move");
    }
    if (workload != null) {
      clientMaxGapMs = workload.get("iteration_max_ms");
      if (workload.ok() && !Double.valueOf(1).equals(workload.get("verified"))) {
        errors.add("the workload did not report its results verified");
      }
    }
  }

  private static boolean samePort(String a, String b) {
    return a != null && a.substring(a.lastIndexOf(':') + 1).equals(b.substring(b.lastIndexOf(':') + 1));
  }

  /**
   * Reads this run's migration from the source's migration log, the entries after the first
   * {@code before} (it is written as the migration ends: wait a little).
   */
  void readMigrationLog(Path file, int before) throws IOException, InterruptedException {
    List<MigrationLogFile.Entry> entries = List.of();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      entries = MigrationLogFile.read(file);
      if (entries.size() > before && entries.get(entries.size() - 1).problem() == null) break;
      Thread.sleep(100);
    }
    entries = entries.subList(Math.min(before, entries.size()), entries.size());
    if (entries.isEmpty()) {
      if (downtimeMs != null) errors.add("server A's migration log " + file + " has no entry for it");
      return;
    }
    if (entries.size() > 1) errors.add("server A logged " + entries.size() + " migrations, not 1");
    MigrationLogFile.Entry e = entries.get(entries.size() - 1);
    breakdown = e.breakdown();
    logMillis = e.millis();
    if (!e.ok()) errors.add("server A logged the migration as failed: " + e.failure());
    if (e.problem() != null) errors.add("server A's migration log: " + e.problem());
    Double bytes = e.number("bytes");
    long want = (long) mib << 20;
    if (e.ok() && (bytes == null || bytes < want)) {
      errors.add("the migration moved " + bytes + " bytes, less than the " + want
          + " of the workload's state");
    }
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("repeat", repeat);
    m.put("ok", ok());
    m.put("downtime_ms", downtimeMs);
    m.put("client_max_gap_ms", clientMaxGapMs);
    m.put("migration_call_id", migrationCallId);
    m.put("server_a", serverA);
    m.put("server_b", serverB);
    m.put("moved_to", movedTo);
    m.put("log_millis", logMillis);
    m.put("breakdown", breakdown);
    m.put("workload_results", workload == null ? Map.of() : workload.results);
    m.put("workload_wall_s", workload == null ? null : workload.wallSeconds);
    m.put("errors", errors);
    m.put("logs", logs);
    return m;
  }
}

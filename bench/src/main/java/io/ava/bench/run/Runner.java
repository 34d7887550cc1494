package io.ava.bench.run;

import io.ava.bench.migration.AgentOutput;
import io.ava.bench.migration.MigrationLogFile;
import io.ava.bench.util.Json;
import io.ava.bench.util.Table;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the experiment: per workload a native reference run (its stdout is what every run must
 * print), for migrate a calibration run under the agent that counts the program's calls
 * ({@code AVA_MIGRATION_CALL_ID=none}, {@code Final call count = N}), for remote {@code warmup}
 * uncounted runs (the server's JIT compiler warms up on them), then {@code runs} rounds of
 * one run per mode (native, remote, migrate, in this order, so that a slow spell of the machine
 * hits every mode alike). Each row is appended to {@code runs.csv} as soon as its run ends.
 */
final class Runner {

  /** A workload's native reference run, or why there is none. */
  record Reference(boolean ok, String stdout, String error, Map<String, Object> json) {}

  private final RunSettings settings;
  private final List<Mode> modes;
  private final List<String> workloads;
  private final int runs;
  private final int warmup;
  private final Path outDir;
  private final Progress progress;
  private final Map<String, Object> info;
  private final List<RunRecord> rows = new ArrayList<>();
  private Servers servers;

  Runner(RunSettings settings, List<Mode> modes, List<String> workloads, int runs, int warmup,
      Path outDir, Progress progress, Map<String, Object> info) {
    this.settings = settings;
    this.modes = modes;
    this.workloads = workloads;
    this.runs = runs;
    this.warmup = warmup;
    this.outDir = outDir;
    this.progress = progress;
    this.info = info;
  }

  /** Steps the progress output counts: references, calibrations, warm-up runs and runs. */
  static int steps(List<Mode> modes, int workloads, int runs, int warmup) {
    return workloads * (1 + (modes.contains(Mode.MIGRATE) ? 1 : 0)
        + (modes.contains(Mode.REMOTE) ? warmup : 0) + runs * modes.size());
  }

  List<RunRecord> rows() {
    return rows;
  }

  /** Runs everything; the rows are in {@link #rows()} and runs.csv, the rest in {@code info}. */
  void run() throws IOException, InterruptedException {
    Path csv = outDir.resolve(ResultsFiles.RUNS_CSV);
    Files.writeString(csv, Csv.line(RunRecord.header()) + "\n", StandardCharsets.UTF_8);
    Map<String, Object> references = new LinkedHashMap<>();
    Map<String, Object> calibrations = new LinkedHashMap<>();
    info.put("references", references);
    info.put("calibrations", calibrations);
    boolean remote = modes.contains(Mode.REMOTE);
    boolean migrate = modes.contains(Mode.MIGRATE);
    servers = new Servers(settings, outDir.resolve("logs").resolve("servers"), remote, migrate);
    String serverFailure = null;
    try {
      if (remote || migrate) {
        progress.begin("starting " + (remote && migrate ? "3 servers (remote, A, B)"
            : remote ? "the remote server" : "servers A and B"));
        try {
          servers.start();
          Map<String, Object> s = new LinkedHashMap<>();
          if (servers.remote != null) s.put("remote", servers.clientAddress(servers.remote));
          if (servers.a != null) {
            s.put("a", servers.clientAddress(servers.a));
            s.put("b", Servers.address(servers.b));
            s.put("migration_log", outDir.relativize(servers.migrationLog).toString());
          }
          info.put("servers", s);
        } catch (IOException e) {
          serverFailure = "the servers did not start: " + e.getMessage();
          progress.message("ERROR: " + serverFailure);
        }
      }
      try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8,
          StandardOpenOption.APPEND)) {
        for (String w : workloads) {
          Reference ref = reference(w);
          references.put(w, ref.json());
          Long callCount = null;
          String calibrationError = null;
          if (migrate) {
            Map<String, Object> cal = calibrate(w, ref, serverFailure);
            calibrations.put(w, cal);
            callCount = cal.get("call_count") instanceof Long l ? l : null;
            calibrationError = (String) cal.get("error");
          }
          if (remote) {
            for (int k = 1; k <= warmup; k++) {
              warmUp(w, k, ref, serverFailure);
            }
          }
          for (int r = 1; r <= runs; r++) {
            for (Mode m : modes) {
              RunRecord rec = runOne(m, w, r, ref, callCount, calibrationError, serverFailure);
              rows.add(rec);
              out.write(Csv.line(rec.cells()));
              out.write('\n');
              out.flush();
            }
          }
        }
      }
    } finally {
      info.put("server_events", servers.events());
      servers.close();
    }
  }

  private Path logDir(String workload) {
    return outDir.resolve("logs").resolve(fileName(workload));
  }

  /** A workload name as a file name ({@code b+tree} stays). */
  static String fileName(String s) {
    return s.replaceAll("[^A-Za-z0-9._+-]", "_");
  }

  private Reference reference(String w) throws InterruptedException {
    String what = w + " reference (native)";
    progress.begin(what);
    Path dir = logDir(w);
    WorkloadFork.Result res = WorkloadFork.run(settings, w, null, Map.of(),
        dir.resolve("reference.stdout.txt"), dir.resolve("reference.stderr.log"), null);
    String error = null;
    if (res.problem() != null) {
      error = res.problem();
    } else if (res.exitCode() != 0) {
      error = exitError(res);
    } else if (!res.stdout().lines().anyMatch(l -> l.equals(w + ": ok"))) {
      error = "its stdout has no '" + w + ": ok' line";
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ok", error == null);
    json.put("wall_ms", res.wallMs());
    json.put("opencl_ms", res.openClMs());
    json.put("exit_code", res.exitCode());
    json.put("checksum", res.stdout().lines().filter(l -> l.startsWith(w + ": checksum "))
        .map(l -> l.substring((w + ": checksum ").length())).findFirst().orElse(null));
    json.put("stdout", res.stdout());
    json.put("error", error);
    json.put("log", outDir.relativize(dir.resolve("reference.stderr.log")).toString());
    progress.end(what, error == null, error == null
        ? String.format(Locale.ROOT, "ok, %s ms", Table.num(res.wallMs(), 0)) : "FAILED: " + error);
    return new Reference(error == null, res.stdout(), error, json);
  }

  /** Counts the program's calls under the agent against server A; the json has call_count. */
  private Map<String, Object> calibrate(String w, Reference ref, String serverFailure)
      throws InterruptedException {
    String what = w + " calibration (call count)";
    progress.begin(what);
    Map<String, Object> json = new LinkedHashMap<>();
    String error = null;
    Path dir = logDir(w);
    if (serverFailure != null) {
      error = "not run: " + serverFailure;
    } else {
      String ev = servers.restartIfNeeded(Mode.MIGRATE);
      if (ev != null) progress.message(ev);
      if (servers.a == null) {
        error = "not run: servers A and B are not running";
      } else {
        WorkloadFork.Result res = WorkloadFork.run(settings, w, servers.clientAddress(servers.a),
            Map.of("AVA_MIGRATION_CALL_ID", "none"), dir.resolve("calibration.stdout.txt"),
            dir.resolve("calibration.stderr.log"), () -> servers.trouble(Mode.MIGRATE));
        AgentOutput agent = AgentOutput.parse(res.stderr());
        json.put("wall_ms", res.wallMs());
        json.put("log", outDir.relativize(dir.resolve("calibration.stderr.log")).toString());
        if (res.problem() != null) {
          error = res.problem() + serverTails(Mode.MIGRATE);
        } else if (res.exitCode() != 0) {
          error = exitError(res);
        } else if (agent.finalCallCount == null || agent.finalCallCount < 1) {
          error = "the agent printed no 'Final call count = N' (N > 0)";
        } else {
          json.put("call_count", agent.finalCallCount);
          if (ref.ok() && !ref.stdout().equals(res.stdout())) {
            json.put("note", "its stdout differs from the native run's: "
                + firstDifference(ref.stdout(), res.stdout()));
          }
        }
      }
    }
    json.put("ok", error == null);
    json.put("error", error);
    progress.end(what, error == null, error == null ? json.get("call_count") + " calls"
        : "FAILED: " + error);
    return json;
  }

  /**
   * One remote run that no figure counts: the first sessions of a fresh server run on code its
   * JIT compiler has not compiled yet (hundreds of ms of compilation on the cores the kernels
   * use). A failure is reported and the measured runs go on; they report their own.
   */
  private void warmUp(String w, int k, Reference ref, String serverFailure)
      throws InterruptedException {
    String what = w + " remote warm-up " + k + "/" + warmup + " (not counted)";
    progress.begin(what);
    if (!ref.ok() || serverFailure != null) {
      progress.end(what, false, "skipped: " + (ref.ok() ? serverFailure : "no native reference"));
      return;
    }
    String ev = servers.restartIfNeeded(Mode.REMOTE);
    if (ev != null) progress.message(ev);
    if (servers.remote == null) {
      progress.end(what, false, "skipped: the remote server is not running");
      return;
    }
    Path dir = logDir(w);
    WorkloadFork.Result res = WorkloadFork.run(settings, w, servers.clientAddress(servers.remote),
        Map.of(), dir.resolve("warmup-" + k + ".stdout.txt"), dir.resolve("warmup-" + k + ".stderr.log"),
        () -> servers.trouble(Mode.REMOTE));
    boolean ok = res.problem() == null && res.exitCode() == 0 && res.stdout().equals(ref.stdout());
    progress.end(what, ok, ok ? String.format(Locale.ROOT, "ok, %s ms", Table.num(res.wallMs(), 0))
        : "FAILED: " + (res.problem() != null ? res.problem() : res.exitCode() != 0 ? exitError(res)
            : "its stdout differs from the native run's"));
  }

  private RunRecord runOne(Mode mode, String w, int r, Reference ref, Long callCount,
      String calibrationError, String serverFailure) throws InterruptedException {
    String what = w + " " + mode.label() + " " + r + "/" + runs;
    progress.begin(what);
    RunRecord rec = new RunRecord(mode, w, r);
    Path dir = logDir(w);
    Path stderrLog = dir.resolve(mode.label() + "-" + r + ".stderr.log");
    Path stdout = dir.resolve(mode.label() + "-" + r + ".stdout.txt");
    rec.log = outDir.relativize(stderrLog).toString();
    if (!ref.ok()) {
      rec.errors.add("not run: the native reference run failed (" + ref.error() + ")");
    } else if (mode != Mode.NATIVE && serverFailure != null) {
      rec.errors.add("not run: " + serverFailure);
    } else if (mode == Mode.MIGRATE && callCount == null) {
      rec.errors.add("not run: the calibration run failed (" + calibrationError + ")");
    }
    if (!rec.errors.isEmpty()) {
      rec.log = null;
      progress.end(what, false, "FAILED: " + rec.error());
      return rec;
    }
    String address = null;
    Map<String, String> env = Map.of();
    int migrationsBefore = 0;
    if (mode != Mode.NATIVE) {
      String ev = servers.restartIfNeeded(mode);
      if (ev != null) progress.message(ev);
      var server = mode == Mode.REMOTE ? servers.remote : servers.a;
      if (server == null) {
        rec.errors.add("not run: its server is not running");
        progress.end(what, false, "FAILED: " + rec.error());
        return rec;
      }
      address = servers.clientAddress(server);
    }
    if (mode == Mode.MIGRATE) {
      env = Map.of("AVA_MIGRATION_CALL_ID", "r" + callCount);
      rec.callCount = callCount;
      try {
        migrationsBefore = MigrationLogFile.read(servers.migrationLog).size();
      } catch (IOException e) {
        rec.errors.add("cannot read server A's migration log: " + e.getMessage());
      }
    }
    WorkloadFork.Result res = WorkloadFork.run(settings, w, address, env, stdout, stderrLog,
        mode == Mode.NATIVE ? null : () -> servers.trouble(mode));
    rec.wallMs = res.wallMs();
    rec.workloadMs = res.workloadMs();
    rec.openClMs = res.openClMs();
    rec.exitCode = res.exitCode();
    if (res.problem() != null) {
      rec.errors.add(res.problem() + serverTails(mode));
    } else if (res.exitCode() != 0) {
      rec.errors.add(exitError(res));
    } else if (!res.stdout().equals(ref.stdout())) {
      rec.errors.add("wrong result: its stdout differs from the native run's: "
          + firstDifference(ref.stdout(), res.stdout()));
    }
    if (mode == Mode.MIGRATE) checkMigration(rec, res, migrationsBefore);
    rec.ok = rec.errors.isEmpty();
    progress.end(what, rec.ok, rec.ok ? okText(rec) : "FAILED: " + rec.error());
    return rec;
  }

  private static String okText(RunRecord rec) {
    String s = "ok, " + Table.num(rec.wallMs, 0) + " ms";
    if (rec.mode == Mode.MIGRATE) {
      s += ", migrated at call " + rec.callIndex + "/" + rec.callCount + ", downtime "
          + Table.num(rec.downtimeMs, 0) + " ms, migration " + Table.num(rec.migrationTotalMs, 0)
          + " ms";
    }
    return s;
  }

  /**
   * What the agent and server A said about the migration: the trigger call, the stall, the move to
   * B, and A's log entry for it (written as the migration ends, so it is waited for a little).
   */
  private void checkMigration(RunRecord rec, WorkloadFork.Result res, int before)
      throws InterruptedException {
    AgentOutput agent = AgentOutput.parse(res.stderr());
    rec.callIndex = agent.triggerCallId;
    if (agent.finalCallCount != null && !agent.finalCallCount.equals(rec.callCount)) {
      rec.notes.add("the agent counted " + agent.finalCallCount + " calls, the calibration run "
          + rec.callCount);
    }
    rec.errors.addAll(agent.failures);
    if (agent.triggerCallId == null) {
      rec.errors.add("the agent started no migration (no 'start live migration at call_id N' "
          + "with AVA_MIGRATION_CALL_ID=r" + rec.callCount + ")");
    }
    if (agent.moved()) {
      rec.downtimeMs = agent.callsWaitedMs.doubleValue();
      rec.movedTo = agent.movedTo;
      String b = servers.b == null ? null : String.valueOf(servers.b.port());
      if (b != null && !agent.movedTo.endsWith(":" + b)) {
        rec.errors.add("the session moved to " + agent.movedTo + ", not to server B (port " + b
            + ")");
      }
    } else if (agent.failures.isEmpty() && agent.triggerCallId != null) {
      rec.errors.add("the session did not move: the agent printed no 'moved from ... calls "
          + "waited <ms> ms' line");
    }
    if (agent.triggerCallId == null && !agent.moved()) return;
    List<MigrationLogFile.Entry> entries = List.of();
    long deadline = System.nanoTime() + (agent.moved() ? 10_000_000_000L : 2_000_000_000L);
    try {
      while (true) {
        entries = MigrationLogFile.read(servers.migrationLog);
        if (entries.size() > before && entries.get(entries.size() - 1).problem() == null) break;
        if (System.nanoTime() > deadline) break;
        Thread.sleep(100);
      }
    } catch (IOException e) {
      rec.errors.add("cannot read server A's migration log: " + e.getMessage());
      return;
    }
    entries = entries.subList(Math.min(before, entries.size()), entries.size());
    if (entries.isEmpty()) {
      rec.errors.add("server A's migration log has no entry for this migration");
      return;
    }
    if (entries.size() > 1) {
      rec.errors.add("server A logged " + entries.size() + " migrations, not 1");
    }
    MigrationLogFile.Entry e = entries.get(entries.size() - 1);
    if (!e.ok()) rec.errors.add("server A logged the migration as failed: " + e.failure());
    if (e.problem() != null) rec.errors.add("server A's migration log: " + e.problem());
    rec.migrationTotalMs = e.number("total_ms") != null ? e.number("total_ms")
        : e.millis() == null ? null : e.millis().doubleValue();
    rec.serverDowntimeMs = e.number("downtime_ms");
    for (String f : RunRecord.BREAKDOWN) {
      Double v = e.number(f);
      if (v != null) rec.breakdown.put(f, v);
    }
    rec.stateBytes = e.number("bytes");
    rec.records = e.number("records");
  }

  /** For a client that hung: the last lines of its servers' logs (a stack trace, say). */
  private String serverTails(Mode mode) {
    StringBuilder sb = new StringBuilder();
    var list = mode == Mode.REMOTE ? java.util.Arrays.asList(servers.remote)
        : java.util.Arrays.asList(servers.a, servers.b);
    String[] names = mode == Mode.REMOTE ? new String[] {"the remote server"}
        : new String[] {"server A", "server B"};
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) continue;
      String tail = list.get(i).child().tail(4).strip();
      sb.append("; last output of ").append(names[i]).append(": ")
          .append(tail.isEmpty() ? "(none)" : tail);
    }
    return sb.toString();
  }

  /** Why a workload exited non-zero: its WRONG/FAILED line, else the end of its stderr. */
  static String exitError(WorkloadFork.Result res) {
    String verdict = res.stdout().lines()
        .filter(l -> l.contains(": WRONG RESULT") || l.contains(": FAILED"))
        .findFirst().orElse(null);
    String why = res.exitCode() == 1 ? "wrong result" : "error";
    return why + ": exit status " + res.exitCode()
        + (verdict != null ? " (" + verdict + ")" : "")
        + "; last stderr: " + res.stderrTail(6);
  }

  /** Where two outputs first differ, line by line, with both lines. */
  static String firstDifference(String expected, String actual) {
    List<String> e = expected.lines().toList();
    List<String> a = actual.lines().toList();
    for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
      String x = i < e.size() ? e.get(i) : "<no line>";
      String y = i < a.size() ? a.get(i) : "<no line>";
      if (!x.equals(y)) {
        return "line " + (i + 1) + ": native '" + x + "', this run '" + y + "'";
      }
    }
    return "line endings or trailing text differ";
  }

  /** Writes run-info.json. */
  static void writeInfo(Path outDir, Map<String, Object> info) throws IOException {
    Files.writeString(outDir.resolve(ResultsFiles.INFO_JSON), Json.write(info),
        StandardCharsets.UTF_8);
  }

  static String now() {
    return Instant.now().toString();
  }
}

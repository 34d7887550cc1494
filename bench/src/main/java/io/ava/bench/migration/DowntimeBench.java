package io.ava.bench.migration;

import io.ava.bench.overhead.RawSocketCopy;
import io.ava.bench.util.Stats;
import io.ava.bench.util.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Part 1, downtime versus state size. One pair of servers for the whole part, as in a deployment
 * of long-running servers: A ({@code --migrate-to} B, {@code --migration-log}) and B ({@code
 * --migrate-listen}). Per size: the raw-socket time for the same bytes (fresh memory on the
 * receiving side), then per repeat a {@link StateWorkload} under the agent against A with
 * AVA_MIGRATION_CALL_ID a few iterations into its loop; it ends on B, which frees its session
 * when it exits. The downtime is the agent's {@code calls waited <ms> ms}; the breakdown comes
 * from A's migration log.
 *
 * <p>Before the measured runs: a calibration run of the workload (setup only,
 * AVA_MIGRATION_CALL_ID=none) reports the number of setup calls, and each real run checks that
 * the agent's trigger line came between the workload's SETUP_DONE and LOOP_DONE; then one 1 MiB
 * migration, reported apart as the servers' first (cold) migration and left out of the medians.
 */
final class DowntimeBench {

  /** The target: downtime at most twice the raw copy plus 100 ms. */
  static boolean meetsTarget(double downtimeMs, double rawMs) {
    return downtimeMs <= targetMs(rawMs);
  }

  static double targetMs(double rawMs) {
    return 2 * rawMs + 100;
  }

  private final BenchEnv env;
  private final List<Integer> sizesMib;
  private final int repeats;
  private final int iterations;
  private final int migrateAfter;
  private final List<String> errors;
  private final Path dir;
  private final List<String> verdicts = new ArrayList<>();
  private ServerPair pair;
  private int restarts;
  private String firstLine;

  /** migrations started by `ava-server migrate` once the workload's loop runs, not by call id */
  private final boolean adminTrigger;

  DowntimeBench(BenchEnv env, List<Integer> sizesMib, int repeats, int iterations,
      int migrateAfter, List<String> errors, boolean adminTrigger) {
    this.adminTrigger = adminTrigger;
    this.env = env;
    this.sizesMib = sizesMib;
    this.repeats = repeats;
    this.iterations = iterations;
    this.migrateAfter = migrateAfter;
    this.errors = errors;
    this.dir = env.logDir().resolve("downtime");
  }

  List<String> verdicts() {
    return verdicts;
  }

  Map<String, Object> run() throws InterruptedException, IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("iterations", iterations);
    json.put("migrate_after_iterations", migrateAfter);
    json.put("trigger", adminTrigger ? "admin (ava-server migrate while the loop runs; pre-copy)"
        : "AVA_MIGRATION_CALL_ID (the program pauses at the call)");
    List<Map<String, Object>> sizes = new ArrayList<>();
    json.put("sizes", sizes);
    log("starting servers A and B ...");
    try {
      pair = ServerPair.start(env, dir, "");
    } catch (IOException e) {
      errors.add("downtime: cannot start the servers: " + e.getMessage());
      return json;
    }
    try {
      json.put("server_a", pair.addressA());
      json.put("server_b", pair.addressB());
      Long setupCalls = adminTrigger ? Long.valueOf(-1) : calibrate();
      json.put("setup_calls", setupCalls);
      if (setupCalls == null) return json;
      long callId = adminTrigger ? -1 : setupCalls + 3L * migrateAfter; // 3 calls per loop iteration
      json.put("migration_call_id", callId);
      log("first migration of the servers (1 MiB, cold; not in the medians) ...");
      DowntimeRun first = runOnce(1, 0, callId);
      json.put("first_migration", first.toJson());
      if (first.ok()) {
        firstLine = String.format(Locale.ROOT, "First (cold) migration of the servers, 1 MiB: "
            + "downtime %d ms, total_ms %s, connect_ms %s (left out of the medians).",
            first.downtimeMs, fmt(first.breakdown.get("total_ms")),
            fmt(first.breakdown.get("connect_ms")));
        log(firstLine);
      } else {
        for (String e : first.errors) errors.add("first migration (1 MiB): " + e);
        log("first migration FAILED: " + String.join("; ", first.errors));
      }
      measure(sizes, callId);
    } finally {
      pair.close();
    }
    return json;
  }

  private void measure(List<Map<String, Object>> sizes, long callId)
      throws InterruptedException, IOException {
    Table main = new Table("state", "raw socket ms", "downtime ms", "client max gap ms",
        "downtime/raw", "target ms", "status", "runs ok", "iteration ms on A / B");
    Table parts = new Table(headers());
    for (int mib : sizesMib) {
      long bytes = (long) mib << 20;
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("mib", mib);
      s.put("bytes", bytes);
      sizes.add(s);
      log(mib + " MiB: raw socket copy ...");
      Double rawMs = null;
      try {
        RawSocketCopy.Result raw = rawCopy(bytes);
        rawMs = raw.medianMillis();
        s.put("raw_ms", rawMs);
        s.put("raw_mb_s", raw.medianMbS());
        s.put("raw_rounds", raw.rounds());
        log(String.format(Locale.ROOT, "%d MiB: raw socket %.1f ms (%.0f MB/s)", mib, rawMs,
            raw.medianMbS()));
      } catch (Exception e) {
        errors.add(mib + " MiB: raw socket copy failed: " + e);
        log(mib + " MiB: raw socket copy failed: " + e);
      }
      List<Map<String, Object>> runs = new ArrayList<>();
      for (int r = 1; r <= repeats; r++) {
        restartIfNeeded();
        log(mib + " MiB: migration run " + r + "/" + repeats + " ...");
        DowntimeRun run = runOnce(mib, r, callId);
        runs.add(run.toJson());
        if (run.ok()) {
          log(String.format(Locale.ROOT, "%d MiB run %d: downtime %d ms (total_ms %s)", mib, r,
              run.downtimeMs, fmt(run.breakdown.get("total_ms"))));
        } else {
          for (String e : run.errors) errors.add(mib + " MiB run " + r + ": " + e);
          log(mib + " MiB run " + r + " FAILED: " + String.join("; ", run.errors));
        }
      }
      s.put("runs", runs);
      List<Map<String, Object>> okRuns =
          runs.stream().filter(j -> Boolean.TRUE.equals(j.get("ok"))).toList();
      Double downtime = Stats.median(values(okRuns, "downtime_ms"));
      Double gap = Stats.median(values(okRuns, "client_max_gap_ms"));
      s.put("downtime_ms", downtime);
      s.put("client_max_gap_ms", gap);
      Double before = Stats.median(results(okRuns, "iteration_median_before_ms"));
      Double after = Stats.median(results(okRuns, "iteration_median_after_ms"));
      s.put("iteration_median_before_ms", before);
      s.put("iteration_median_after_ms", after);
      Map<String, Object> med = new LinkedHashMap<>();
      for (String f : fields()) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Object> j : okRuns) v.add(number(((Map<?, ?>) j.get("breakdown")).get(f)));
        med.put(f, Stats.median(v));
      }
      s.put("breakdown_median", med);
      Double target = rawMs == null ? null : targetMs(rawMs);
      String status = downtime == null || rawMs == null ? "N/A"
          : meetsTarget(downtime, rawMs) ? "PASS" : "MISS";
      s.put("target_ms", target);
      s.put("status", status);
      main.row(mib + " MiB", Table.num(rawMs, 1), Table.num(downtime, 0), Table.num(gap, 0),
          downtime == null || rawMs == null ? "-" : Table.num(downtime / rawMs, 2),
          Table.num(target, 1), status, okRuns.size() + "/" + repeats,
          Table.num(before, 2) + " / " + Table.num(after, 2));
      List<Object> row = new ArrayList<>();
      row.add(mib + " MiB");
      for (String f : MigrationLogFile.TIME_FIELDS) row.add(Table.num(number(med.get(f)), 1));
      row.add(Table.num(number(med.get("records")), 0));
      row.add(Table.num(number(med.get("objects")), 0));
      parts.row(row.toArray());
      verdicts.add(String.format(Locale.ROOT,
          "downtime <= 2 x raw + 100 ms at %5d MiB: %s (downtime %s ms, raw %s ms, target %s ms)",
          mib, status, Table.num(downtime, 0), Table.num(rawMs, 1), Table.num(target, 1)));
    }
    System.out.println();
    System.out.println("Downtime versus state size (median of " + repeats + " run"
        + (repeats == 1 ? "" : "s") + "; downtime = the agent's 'calls waited')");
    System.out.print(main.render());
    System.out.println("client max gap: the longest loop iteration as the workload timed it "
        + "(the stall, and the first calls on B).");
    System.out.println("iteration ms: median time of one loop iteration's calls (launch + 4-byte "
        + "read) before and after the migration.");
    if (firstLine != null) System.out.println(firstLine);
    System.out.println();
    System.out.println("Migration breakdown from the source's --migration-log (median, ms)");
    System.out.print(parts.render());
  }

  /** A server that died or ran out of memory is replaced, pair and all (said in the log). */
  private void restartIfNeeded() throws InterruptedException {
    String trouble = pair.trouble();
    if (trouble == null) return;
    restarts++;
    log("restarting servers A and B: " + trouble);
    pair.close();
    try {
      pair = ServerPair.start(env, dir, "-restart" + restarts);
    } catch (IOException e) {
      errors.add("downtime: cannot restart the servers: " + e.getMessage());
    }
  }

  private static String[] headers() {
    List<String> h = new ArrayList<>();
    h.add("state");
    for (String f : MigrationLogFile.TIME_FIELDS) h.add(f.replace("_ms", ""));
    h.add("records");
    h.add("objects");
    return h.toArray(new String[0]);
  }

  private static List<String> fields() {
    List<String> f = new ArrayList<>(MigrationLogFile.TIME_FIELDS);
    f.addAll(MigrationLogFile.COUNT_FIELDS);
    return f;
  }

  /** The number of calls the workload's setup makes, as the agent counts them; null on failure. */
  private Long calibrate() throws InterruptedException {
    log("calibration: counting the workload's setup calls (AVA_MIGRATION_CALL_ID=none) ...");
    BenchEnv.Forked f = env.runWorkload("calibration", StateWorkload.class.getName(),
        List.of("--calibrate"), Map.of("AVA_MIGRATION_CALL_ID", "none"), pair.addressA(),
        dir.resolve("calibration.log"), null, pair::trouble);
    AgentOutput agent = AgentOutput.parse(f.lines());
    if (!f.run().ok() || !f.lines().contains("SETUP_DONE") || agent.finalCallCount == null) {
      errors.add("calibration failed: " + (agent.finalCallCount == null
          ? "no 'Final call count = N' from the agent; " : "") + String.join("; ", f.run().errors));
      return null;
    }
    log("calibration: the setup makes " + agent.finalCallCount + " calls");
    return agent.finalCallCount;
  }

  private RawSocketCopy.Result rawCopy(long bytes) throws Exception {
    long directMiB = 2 * (bytes >> 20) + 64;
    List<String> cmd = List.of(env.java(), "-Xmx64m", "-XX:MaxDirectMemorySize=" + directMiB + "m",
        "-cp", env.classPath(), RawSocketCopy.class.getName(), "--fresh");
    return RawSocketCopy.measure(cmd, dir.resolve("raw-socket-" + (bytes >> 20) + "MiB.log"),
        bytes, 1, Math.max(3, repeats), 300);
  }

  /** One migration run; repeat 0 is the servers' first migration. */
  private DowntimeRun runOnce(int mib, int repeat, long callId) throws InterruptedException {
    DowntimeRun run = new DowntimeRun(mib, repeat);
    String tag = repeat == 0 ? "first" : mib + "MiB-" + repeat;
    Path workloadLog = dir.resolve("workload-" + tag + ".log");
    run.logs.put("workload", workloadLog.toString());
    run.logs.put("server_a", pair.a.child().log().toString());
    run.logs.put("server_b", pair.b.child().log().toString());
    run.logs.put("migration_log", pair.migrationLog.toString());
    run.migrationCallId = callId;
    run.serverA = pair.addressA();
    run.serverB = pair.addressB();
    try {
      int before = MigrationLogFile.read(pair.migrationLog).size();
      java.util.function.Consumer<String> listener = null;
      if (adminTrigger) {
        // the operator's command, once the loop runs: the program goes on during the pre-copy
        listener = line -> {
          if (line.equals("SETUP_DONE")) {
            Thread t = new Thread(() -> adminMigrate(run), "bench-migrate");
            t.setDaemon(true);
            t.start();
          }
        };
      }
      BenchEnv.Forked f = env.runWorkload("workload-" + tag, StateWorkload.class.getName(),
          List.of("--mib", String.valueOf(mib), "--iterations", String.valueOf(iterations),
              "--migrate-after", String.valueOf(migrateAfter),
              "--seed", String.valueOf(0x5eed + 7919 * repeat + mib)),
          adminTrigger ? Map.of() : Map.of("AVA_MIGRATION_CALL_ID", String.valueOf(callId)),
          run.serverA, workloadLog, listener, pair::trouble);
      run.workload = f.run();
      run.check(f.lines(), AgentOutput.parse(f.lines()));
      run.readMigrationLog(pair.migrationLog, before);
    } catch (IOException e) {
      run.errors.add(e.getMessage());
    }
    return run;
  }

  /** `ava-server migrate --server A --all`, as an operator would run it. */
  private void adminMigrate(DowntimeRun run) {
    try {
      Process p = new ProcessBuilder(env.java(), "-jar", env.serverJar().toString(), "migrate",
          "--server", run.serverA, "--all").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        synchronized (run.errors) {
          run.errors.add("ava-server migrate failed: " + out.strip());
        }
      }
    } catch (IOException | InterruptedException e) {
      synchronized (run.errors) {
        run.errors.add("ava-server migrate: " + e);
      }
    }
  }

  private static List<Double> values(List<Map<String, Object>> runs, String key) {
    List<Double> v = new ArrayList<>();
    for (Map<String, Object> r : runs) v.add(number(r.get(key)));
    return v;
  }

  private static List<Double> results(List<Map<String, Object>> runs, String key) {
    List<Double> v = new ArrayList<>();
    for (Map<String, Object> r : runs) v.add(number(((Map<?, ?>) r.get("workload_results")).get(key)));
    return v;
  }

  static Double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  private static String fmt(Object o) {
    Double d = number(o);
    return d == null ? "-" : Table.num(d, 1);
  }

  private static void log(String msg) {
    System.out.println("[migration] downtime: " + msg);
    System.out.flush();
  }
}

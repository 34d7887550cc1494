package io.ava.bench.run;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured run: a row of {@code runs.csv}. Times in milliseconds. A run is {@code ok} only
 * when the workload exited 0, its stdout equalled the native reference run's, and (migrate) the
 * session moved to server B and server A logged the migration; {@code error} says why not.
 */
public final class RunRecord {

  /** The migration breakdown columns, from server A's --migration-log (milliseconds). */
  public static final List<String> BREAKDOWN = List.of("quiesce_ms", "snapshot_ms", "connect_ms",
      "contents_ms", "commit_ms", "transfer_ms", "replay_ms", "restore_ms", "redirect_ms",
      "resume_ms", "precopy_ms");

  public Mode mode;
  public String workload;
  public int run;
  public boolean ok;
  /** the forked JVM, start to exit (JVM start, agent start and connection included) */
  public Double wallMs;
  /** what the workload printed on stderr: its whole run in the JVM ... */
  public Double workloadMs;
  /** ... and of it the OpenCL part (context creation to the last release) */
  public Double openClMs;
  public Integer exitCode;
  /** migrate: the call the agent triggered the migration at, and the calls the program makes */
  public Long callIndex;
  public Long callCount;
  /** migrate: the program's stall, the agent's "calls waited" */
  public Double downtimeMs;
  /** migrate: server A's total_ms of the migration, and its own downtime_ms */
  public Double migrationTotalMs;
  public Double serverDowntimeMs;
  public final Map<String, Double> breakdown = new LinkedHashMap<>();
  public Double stateBytes;
  public Double records;
  public String movedTo;
  public final List<String> errors = new ArrayList<>();
  /** what is worth knowing but does not make the run fail */
  public final List<String> notes = new ArrayList<>();
  /** the run's stderr log, relative to the results folder */
  public String log;

  public RunRecord() {}

  public RunRecord(Mode mode, String workload, int run) {
    this.mode = mode;
    this.workload = workload;
    this.run = run;
  }

  /** The errors in one line (the CSV's error cell). */
  public String error() {
    return String.join("; ", errors).replaceAll("\\s*[\\r\\n]+\\s*", " | ").trim();
  }

  public static List<String> header() {
    List<String> h = new ArrayList<>(List.of("mode", "workload", "run", "ok", "wall_ms",
        "workload_ms", "opencl_ms", "exit_code", "call_index", "call_count", "downtime_ms",
        "migration_total_ms", "server_downtime_ms"));
    h.addAll(BREAKDOWN);
    h.addAll(List.of("state_bytes", "records", "moved_to", "error", "note", "log"));
    return h;
  }

  public List<Object> cells() {
    List<Object> c = new ArrayList<>(List.of(mode.label(), workload, run, ok));
    c.add(num(wallMs));
    c.add(num(workloadMs));
    c.add(num(openClMs));
    c.add(exitCode);
    c.add(callIndex);
    c.add(callCount);
    c.add(num(downtimeMs));
    c.add(num(migrationTotalMs));
    c.add(num(serverDowntimeMs));
    for (String f : BREAKDOWN) c.add(num(breakdown.get(f)));
    c.add(num(stateBytes));
    c.add(num(records));
    c.add(movedTo);
    c.add(ok ? "" : error());
    c.add(String.join("; ", notes));
    c.add(log);
    return c;
  }

  /** Reads a row written by {@link #cells()}, by column name (unknown columns are ignored). */
  public static RunRecord fromCells(List<String> header, List<String> cells) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < header.size(); i++) {
      m.put(header.get(i), i < cells.size() ? cells.get(i) : "");
    }
    RunRecord r = new RunRecord();
    r.mode = Mode.parse(req(m, "mode"));
    r.workload = req(m, "workload");
    r.run = Integer.parseInt(req(m, "run"));
    r.ok = Boolean.parseBoolean(req(m, "ok"));
    r.wallMs = dbl(m.get("wall_ms"));
    r.workloadMs = dbl(m.get("workload_ms"));
    r.openClMs = dbl(m.get("opencl_ms"));
    Double exit = dbl(m.get("exit_code"));
    r.exitCode = exit == null ? null : exit.intValue();
    Double ci = dbl(m.get("call_index"));
    r.callIndex = ci == null ? null : ci.longValue();
    Double cc = dbl(m.get("call_count"));
    r.callCount = cc == null ? null : cc.longValue();
    r.downtimeMs = dbl(m.get("downtime_ms"));
    r.migrationTotalMs = dbl(m.get("migration_total_ms"));
    r.serverDowntimeMs = dbl(m.get("server_downtime_ms"));
    for (String f : BREAKDOWN) {
      Double v = dbl(m.get(f));
      if (v != null) r.breakdown.put(f, v);
    }
    r.stateBytes = dbl(m.get("state_bytes"));
    r.records = dbl(m.get("records"));
    r.movedTo = blankToNull(m.get("moved_to"));
    String err = blankToNull(m.get("error"));
    if (err != null) r.errors.add(err);
    String note = blankToNull(m.get("note"));
    if (note != null) r.notes.add(note);
    r.log = blankToNull(m.get("log"));
    return r;
  }

  private static String req(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null || v.isBlank()) throw new IllegalArgumentException("runs.csv: no " + key);
    return v.trim();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static Double dbl(String s) {
    if (s == null || s.isBlank()) return null;
    return Double.parseDouble(s.trim());
  }

  /** Up to 3 decimals, no exponent, no trailing zeros; empty for null. */
  static String num(Double v) {
    if (v == null || v.isNaN() || v.isInfinite()) return null;
    BigDecimal d = BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }
}

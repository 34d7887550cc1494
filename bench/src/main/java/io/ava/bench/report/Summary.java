package io.ava.bench.report;

import io.ava.bench.run.Mode;
import io.ava.bench.run.RunRecord;
import io.ava.bench.util.Stats;
import io.ava.bench.util.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The figures of an experiment, from its runs (runs.csv): per workload and mode the median and
 * mean time of the runs that worked, the slowdown against native (median over median), its
 * geometric mean over the workloads, the migrations' call index, downtime and total time, and
 * every failure. Failed runs are counted and listed, never averaged in.
 */
public final class Summary {

  /** Which time a slowdown is computed from. */
  public enum Metric {
    /** the forked JVM start to exit: JVM start, agent start and connection included */
    WALL("wall", "whole run"),
    /** the workload's OpenCL part (context creation to the last release), from its stderr */
    OPENCL("opencl", "OpenCL part");

    public final String key;
    public final String label;

    Metric(String key, String label) {
      this.key = key;
      this.label = label;
    }
  }

  /** Statistics of the samples that exist (nulls left out); all null when there are none. */
  public record Stat(int n, Double median, Double mean, Double min, Double max) {
    static Stat of(List<Double> values) {
      List<Double> v = values.stream().filter(Objects::nonNull).filter(d -> !d.isNaN()).toList();
      if (v.isEmpty()) return new Stat(0, null, null, null, null);
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double d : v) {
        sum += d;
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      return new Stat(v.size(), Stats.median(v), sum / v.size(), min, max);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("n", n);
      m.put("median", median);
      m.put("mean", mean);
      m.put("min", min);
      m.put("max", max);
      return m;
    }
  }

  /** The runs of one workload in one mode. */
  public static final class Cell {
    public final Mode mode;
    public final List<RunRecord> runs = new ArrayList<>();
    public int ok;
    public Stat wall;
    public Stat openCl;
    public Stat workload;
    // migrate only (successful runs)
    public Stat downtime;
    public Stat migrationTotal;
    public Stat callIndex;
    /** call index / call count, 0..1: where in the program the migration happened */
    public Stat callPosition;
    public Long callCount;
    public final Map<String, Double> breakdownMedian = new LinkedHashMap<>();

    Cell(Mode mode) {
      this.mode = mode;
    }

    public Stat time(Metric m) {
      return m == Metric.WALL ? wall : openCl;
    }

    public int failed() {
      return runs.size() - ok;
    }
  }

  /** A geometric mean of slowdowns, over the workloads that have one. */
  public record Geomean(Double value, List<String> workloads, List<String> leftOut) {}

  private final List<String> workloads = new ArrayList<>();
  private final List<Mode> modes = new ArrayList<>();
  private final Map<String, Map<Mode, Cell>> cells = new LinkedHashMap<>();
  private final List<RunRecord> all;
  private final Map<String, Object> info;

  private Summary(List<RunRecord> records, Map<String, Object> info) {
    this.all = List.copyOf(records);
    this.info = info == null ? Map.of() : info;
    // the order of run-info.json's lists, else of first appearance
    for (Object w : list(this.info.get("workloads"))) workloads.add(String.valueOf(w));
    for (Object m : list(this.info.get("modes"))) modes.add(Mode.parse(String.valueOf(m)));
    for (RunRecord r : records) {
      if (!workloads.contains(r.workload)) workloads.add(r.workload);
      if (!modes.contains(r.mode)) modes.add(r.mode);
    }
    modes.sort(null);
    for (String w : workloads) cells.put(w, new EnumMap<>(Mode.class));
    for (RunRecord r : records) {
      cells.get(r.workload).computeIfAbsent(r.mode, Cell::new).runs.add(r);
    }
    for (Map<Mode, Cell> byMode : cells.values()) {
      for (Cell c : byMode.values()) fill(c);
    }
  }

  public static Summary of(List<RunRecord> records, Map<String, Object> info) {
    return new Summary(records, info);
  }

  private static List<?> list(Object o) {
    return o instanceof List<?> l ? l : List.of();
  }

  private static void fill(Cell c) {
    List<RunRecord> good = c.runs.stream().filter(r -> r.ok).toList();
    c.ok = good.size();
    c.wall = Stat.of(good.stream().map(r -> r.wallMs).toList());
    c.openCl = Stat.of(good.stream().map(r -> r.openClMs).toList());
    c.workload = Stat.of(good.stream().map(r -> r.workloadMs).toList());
    if (c.mode != Mode.MIGRATE) return;
    c.downtime = Stat.of(good.stream().map(r -> r.downtimeMs).toList());
    c.migrationTotal = Stat.of(good.stream().map(r -> r.migrationTotalMs).toList());
    c.callIndex = Stat.of(good.stream()
        .map(r -> r.callIndex == null ? null : r.callIndex.doubleValue()).toList());
    c.callPosition = Stat.of(good.stream().map(Summary::position).toList());
    c.callCount = c.runs.stream().map(r -> r.callCount).filter(Objects::nonNull).findFirst()
        .orElse(null);
    for (String f : RunRecord.BREAKDOWN) {
      Double m = Stats.median(good.stream().map(r -> r.breakdown.get(f)).toList());
      if (m != null) c.breakdownMedian.put(f, m);
    }
  }

  /** Where the migration happened: call index / call count (0..1), or null. */
  public static Double position(RunRecord r) {
    if (r.callIndex == null || r.callCount == null || r.callCount <= 0) return null;
    return r.callIndex / (double) r.callCount;
  }

  public List<String> workloads() {
    return workloads;
  }

  public List<Mode> modes() {
    return modes;
  }

  public Map<String, Object> info() {
    return info;
  }

  /** The runs of {@code workload} in {@code mode}, or null when there were none. */
  public Cell cell(String workload, Mode mode) {
    Map<Mode, Cell> m = cells.get(workload);
    return m == null ? null : m.get(mode);
  }

  public List<RunRecord> records() {
    return all;
  }

  /** median time of {@code mode} over median time of native, over the runs that worked */
  public Double slowdown(String workload, Mode mode, Metric metric) {
    return ratio(cell(workload, mode), cell(workload, Mode.NATIVE), metric);
  }

  static Double ratio(Cell c, Cell nat, Metric metric) {
    if (c == null || nat == null) return null;
    Double a = c.time(metric).median();
    Double b = nat.time(metric).median();
    if (a == null || b == null || b <= 0) return null;
    return a / b;
  }

  /** The geometric mean of {@link #slowdown} over the workloads that have one. */
  public Geomean geomean(Mode mode, Metric metric) {
    List<Double> v = new ArrayList<>();
    List<String> in = new ArrayList<>();
    List<String> out = new ArrayList<>();
    for (String w : workloads) {
      Double s = slowdown(w, mode, metric);
      if (s != null && s > 0) {
        v.add(s);
        in.add(w);
      } else {
        out.add(w);
      }
    }
    return new Geomean(geomean(v), in, out);
  }

  /** exp(mean(ln x)); null for no values. */
  public static Double geomean(List<Double> values) {
    if (values.isEmpty()) return null;
    double sum = 0;
    for (double x : values) {
      if (!(x > 0)) throw new IllegalArgumentException("geometric mean of a non-positive value");
      sum += Math.log(x);
    }
    return Math.exp(sum / values.size());
  }

  public List<RunRecord> failures() {
    return all.stream().filter(r -> !r.ok).toList();
  }

  /** The migrate runs, in order. */
  public List<RunRecord> migrations() {
    return all.stream().filter(r -> r.mode == Mode.MIGRATE).toList();
  }

  /** Migrate runs whose session moved (downtime known), worked or not. */
  public long moved() {
    return migrations().stream().filter(r -> r.downtimeMs != null).count();
  }

  public long migrationsOk() {
    return migrations().stream().filter(r -> r.ok).count();
  }

  /** Reference and calibration runs that failed, from run-info.json: "workload what: error". */
  public List<String> setupFailures() {
    List<String> out = new ArrayList<>();
    for (String key : List.of("references", "calibrations")) {
      if (!(info.get(key) instanceof Map<?, ?> m)) continue;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() instanceof Map<?, ?> r && Boolean.FALSE.equals(r.get("ok"))) {
          out.add(e.getKey() + " " + (key.equals("references") ? "native reference run"
              : "calibration run") + ": " + r.get("error"));
        }
      }
    }
    return out;
  }

  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("benchmark", "run");
    j.put("generated", Instant.now().toString());
    for (String k : List.of("size", "seed", "runs", "started", "complete")) {
      if (info.containsKey(k)) j.put(k, info.get(k));
    }
    j.put("modes", modes.stream().map(Mode::label).toList());
    j.put("time_note", "ms; wall = the forked JVM, start to exit; opencl = the workload's OpenCL "
        + "part as it printed it; statistics over the runs that worked; slowdown = median / "
        + "native median");
    Map<String, Object> ws = new LinkedHashMap<>();
    for (String w : workloads) {
      Map<String, Object> wj = new LinkedHashMap<>();
      for (Mode m : modes) {
        Cell c = cell(w, m);
        if (c == null) continue;
        Map<String, Object> cj = new LinkedHashMap<>();
        cj.put("runs", c.runs.size());
        cj.put("ok", c.ok);
        cj.put("failed", c.failed());
        cj.put("wall_ms", c.wall.toJson());
        cj.put("opencl_ms", c.openCl.toJson());
        cj.put("workload_ms", c.workload.toJson());
        if (m != Mode.NATIVE) {
          Map<String, Object> sl = new LinkedHashMap<>();
          for (Metric x : Metric.values()) sl.put(x.key, slowdown(w, m, x));
          cj.put("slowdown", sl);
        }
        if (m == Mode.MIGRATE) {
          Map<String, Object> mj = new LinkedHashMap<>();
          mj.put("succeeded", c.ok);
          mj.put("attempted", c.runs.size());
          mj.put("call_count", c.callCount);
          mj.put("call_index", c.callIndex.toJson());
          mj.put("call_position", c.callPosition.toJson());
          mj.put("downtime_ms", c.downtime.toJson());
          mj.put("migration_total_ms", c.migrationTotal.toJson());
          mj.put("breakdown_median_ms", c.breakdownMedian);
          cj.put("migration", mj);
        }
        wj.put(m.label(), cj);
      }
      ws.put(w, wj);
    }
    j.put("workloads", ws);
    Map<String, Object> geo = new LinkedHashMap<>();
    for (Mode m : modes) {
      if (m == Mode.NATIVE || !modes.contains(Mode.NATIVE)) continue;
      Map<String, Object> gm = new LinkedHashMap<>();
      for (Metric x : Metric.values()) {
        Geomean g = geomean(m, x);
        Map<String, Object> gj = new LinkedHashMap<>();
        gj.put("value", g.value());
        gj.put("workloads", g.workloads().size());
        gj.put("left_out", g.leftOut());
        gm.put(x.key, gj);
      }
      geo.put(m.label(), gm);
    }
    j.put("geomean_slowdown", geo);
    if (modes.contains(Mode.MIGRATE)) {
      List<RunRecord> ok = migrations().stream().filter(r -> r.ok).toList();
      Map<String, Object> mj = new LinkedHashMap<>();
      mj.put("attempted", migrations().size());
      mj.put("moved", moved());
      mj.put("succeeded", migrationsOk());
      mj.put("downtime_ms", Stat.of(ok.stream().map(r -> r.downtimeMs).toList()).toJson());
      mj.put("migration_total_ms",
          Stat.of(ok.stream().map(r -> r.migrationTotalMs).toList()).toJson());
      j.put("migration", mj);
    }
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("total", all.size());
    counts.put("ok", all.size() - failures().size());
    counts.put("failed", failures().size());
    j.put("run_counts", counts);
    List<Object> fails = new ArrayList<>();
    for (RunRecord r : failures()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("mode", r.mode.label());
      f.put("workload", r.workload);
      f.put("run", r.run);
      f.put("error", r.error());
      f.put("log", r.log);
      fails.add(f);
    }
    j.put("failures", fails);
    j.put("setup_failures", setupFailures());
    return j;
  }

  /** The console table: one row per workload, then the geometric means. */
  public String table() {
    boolean nat = modes.contains(Mode.NATIVE);
    boolean rem = modes.contains(Mode.REMOTE);
    boolean mig = modes.contains(Mode.MIGRATE);
    List<String> h = new ArrayList<>(List.of("workload"));
    if (nat) h.add("native ms");
    if (rem) h.addAll(List.of("remote ms", "remote/native", "remote/native OpenCL"));
    if (mig) {
      h.addAll(List.of("migrate ms", "migrate/native", "migrated ok", "call (median)",
          "downtime ms", "migration ms"));
    }
    h.add("failed");
    Table t = new Table(h.toArray(new String[0]));
    for (String w : workloads) {
      List<Object> row = new ArrayList<>(List.of(w));
      int failed = 0;
      for (Mode m : modes) {
        Cell c = cell(w, m);
        if (c != null) failed += c.failed();
      }
      if (nat) row.add(ms(cell(w, Mode.NATIVE), Metric.WALL));
      if (rem) {
        row.add(ms(cell(w, Mode.REMOTE), Metric.WALL));
        row.add(x(slowdown(w, Mode.REMOTE, Metric.WALL)));
        row.add(x(slowdown(w, Mode.REMOTE, Metric.OPENCL)));
      }
      if (mig) {
        Cell c = cell(w, Mode.MIGRATE);
        row.add(ms(c, Metric.WALL));
        row.add(x(slowdown(w, Mode.MIGRATE, Metric.WALL)));
        row.add(c == null ? "-" : c.ok + "/" + c.runs.size());
        row.add(c == null || c.callIndex.median() == null ? "-"
            : Table.num(c.callIndex.median(), 0) + "/" + c.callCount);
        row.add(c == null ? "-" : Table.num(c.downtime.median(), 0));
        row.add(c == null ? "-" : Table.num(c.migrationTotal.median(), 0));
      }
      row.add(failed);
      t.row(row.toArray());
    }
    if (nat && (rem || mig)) {
      List<Object> row = new ArrayList<>(List.of("geomean"));
      row.add("");
      if (rem) {
        row.add("");
        row.add(x(geomean(Mode.REMOTE, Metric.WALL).value()));
        row.add(x(geomean(Mode.REMOTE, Metric.OPENCL).value()));
      }
      if (mig) {
        row.add("");
        row.add(x(geomean(Mode.MIGRATE, Metric.WALL).value()));
        row.add(migrationsOk() + "/" + migrations().size());
        List<RunRecord> ok = migrations().stream().filter(r -> r.ok).toList();
        row.add("");
        row.add("med " + Table.num(Stats.median(ok.stream().map(r -> r.downtimeMs).toList()), 0));
        row.add("med " + Table.num(
            Stats.median(ok.stream().map(r -> r.migrationTotalMs).toList()), 0));
      }
      row.add(failures().size());
      t.row(row.toArray());
    }
    return t.render();
  }

  private static String ms(Cell c, Metric m) {
    return c == null ? "-" : Table.num(c.time(m).median(), 0);
  }

  static String x(Double v) {
    return v == null ? "-" : Table.num(v, 2) + "x";
  }
}

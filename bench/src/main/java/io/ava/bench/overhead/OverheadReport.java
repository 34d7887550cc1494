package io.ava.bench.overhead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns native, remote and raw-socket figures into the side-by-side table, targets and JSON. */
public final class OverheadReport {

  // Reference figures from the issue: PoCL-R 6.0 on this machine.
  static final double REF_POCLR_RTT_US = 163;
  static final double REF_POCLR_NATIVE_RTT_US = 47;
  static final double REF_POCLR_WRITE_MB_S = 880;
  static final double REF_POCLR_LAUNCHES_S = 4_300;
  static final double REF_POCLR_NATIVE_LAUNCHES_S = 352_000;

  // Targets (informational).
  static final double TARGET_RTT_US = 163; // (a) median < this
  static final double GOAL_RTT_OVER_NATIVE_US = 50; // (a) goal: native + 50
  static final double TARGET_ASYNC_S = 200_000; // (b)
  static final double GOAL_ASYNC_S = 1_000_000; // (b) goal
  static final double TARGET_BULK_OF_RAW = 0.5; // (c)
  static final double TARGET_LAUNCH_OF_NATIVE = 0.2; // (d)

  /** One target check. status: PASS, MISS or N/A (no figure). */
  public record Target(
      String id, String what, Double value, String unit, String target, String status,
      String goal, Boolean goalMet) {

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("what", what);
      m.put("value", value);
      m.put("unit", unit);
      m.put("target", target);
      m.put("status", status);
      m.put("goal", goal);
      m.put("goal_met", goalMet);
      return m;
    }
  }

  private final WorkloadRun nat;
  private final WorkloadRun rem; // null: not run (--native-only)
  private final RawSocketCopy.Result raw; // null: not run
  private final List<Target> targets = new ArrayList<>();

  public OverheadReport(WorkloadRun nat, WorkloadRun rem, RawSocketCopy.Result raw) {
    this.nat = nat;
    this.rem = rem == null || rem.invalid ? null : rem;
    this.raw = raw;
    computeTargets();
  }

  public List<Target> targets() {
    return targets;
  }

  private Double n(String key) {
    return nat == null ? null : nat.get(key);
  }

  private Double r(String key) {
    return rem == null ? null : rem.get(key);
  }

  private static Double ratio(Double a, Double b) {
    return a == null || b == null || b == 0 ? null : a / b;
  }

  private void computeTargets() {
    Double rtt = r("rtt_median_us");
    Double natRtt = n("rtt_median_us");
    Double goalRtt = natRtt == null ? null : natRtt + GOAL_RTT_OVER_NATIVE_US;
    targets.add(new Target("a", "round trip median (blocking 4-byte read)", rtt, "us",
        "< " + fmt(TARGET_RTT_US) + " us", status(rtt, v -> v < TARGET_RTT_US),
        goalRtt == null ? "< native + 50 us" : "< native + 50 = " + fmt1(goalRtt) + " us",
        rtt == null || goalRtt == null ? null : rtt < goalRtt));

    Double async = r("async_calls_per_s");
    targets.add(new Target("b", "async clSetKernelArg throughput", async, "calls/s",
        ">= " + fmt(TARGET_ASYNC_S) + " calls/s", status(async, v -> v >= TARGET_ASYNC_S),
        ">= " + fmt(GOAL_ASYNC_S) + " calls/s", async == null ? null : async >= GOAL_ASYNC_S));

    Double rawMb = raw == null ? null : raw.medianMbS();
    Double w = ratio(r("bulk_write_mb_s"), rawMb);
    targets.add(new Target("c-write", "64 MiB blocking write, remote / raw socket", w, "ratio",
        ">= " + pct(TARGET_BULK_OF_RAW) + " of raw socket", status(w, v -> v >= TARGET_BULK_OF_RAW),
        null, null));
    Double rd = ratio(r("bulk_read_mb_s"), rawMb);
    targets.add(new Target("c-read", "64 MiB blocking read, remote / raw socket", rd, "ratio",
        ">= " + pct(TARGET_BULK_OF_RAW) + " of raw socket", status(rd, v -> v >= TARGET_BULK_OF_RAW),
        null, null));

    Double l = ratio(r("launches_per_s"), n("launches_per_s"));
    targets.add(new Target("d", "kernel launches/s, remote / native", l, "ratio",
        ">= " + pct(TARGET_LAUNCH_OF_NATIVE) + " of native",
        status(l, v -> v >= TARGET_LAUNCH_OF_NATIVE), null, null));
  }

  private static String status(Double v, java.util.function.DoublePredicate pass) {
    if (v == null) return "N/A";
    return pass.test(v) ? "PASS" : "MISS";
  }

  private Target target(String id) {
    return targets.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
  }

  /** The side-by-side table, with references, targets and PASS/MISS. */
  public String table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"figure", "native", "remote", "ratio", "PoCL-R 6.0", "target",
        "status"});
    Target a = target("a");
    rows.add(new String[] {"(a) round trip median, us", fmt1(n("rtt_median_us")),
        fmt1(r("rtt_median_us")), x(ratio(r("rtt_median_us"), n("rtt_median_us"))),
        fmt(REF_POCLR_RTT_US) + " (native " + fmt(REF_POCLR_NATIVE_RTT_US) + ")",
        a.target() + "; goal " + a.goal(), statusCell(a)});
    rows.add(new String[] {"(a) round trip p99, us", fmt1(n("rtt_p99_us")), fmt1(r("rtt_p99_us")),
        x(ratio(r("rtt_p99_us"), n("rtt_p99_us"))), "", "", ""});
    Target b = target("b");
    rows.add(new String[] {"(b) async clSetKernelArg, calls/s", fmt(n("async_calls_per_s")),
        fmt(r("async_calls_per_s")), x(ratio(r("async_calls_per_s"), n("async_calls_per_s"))), "",
        b.target() + "; goal " + b.goal().substring(3), statusCell(b)});
    Double rawMb = raw == null ? null : raw.medianMbS();
    Target cw = target("c-write");
    rows.add(new String[] {"(c) 64 MiB blocking write, MB/s", fmt(n("bulk_write_mb_s")),
        fmt(r("bulk_write_mb_s")), xr(ratio(r("bulk_write_mb_s"), rawMb)),
        fmt(REF_POCLR_WRITE_MB_S), cw.target(), statusCell(cw)});
    Target cr = target("c-read");
    rows.add(new String[] {"(c) 64 MiB blocking read, MB/s", fmt(n("bulk_read_mb_s")),
        fmt(r("bulk_read_mb_s")), xr(ratio(r("bulk_read_mb_s"), rawMb)), "",
        cr.target(), statusCell(cr)});
    rows.add(new String[] {"(c) raw socket copy, MB/s", fmt(rawMb), "", "", "",
        "loopback, 2 JVMs, 1 MiB writes", ""});
    Target d = target("d");
    rows.add(new String[] {"(d) kernel launches/s", fmt(n("launches_per_s")),
        fmt(r("launches_per_s")), x(ratio(r("launches_per_s"), n("launches_per_s"))),
        fmt(REF_POCLR_LAUNCHES_S) + " (native " + fmt(REF_POCLR_NATIVE_LAUNCHES_S) + ")",
        d.target(), statusCell(d)});

    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] row : rows) {
      for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], row[i].length());
    }
    StringBuilder sb = new StringBuilder();
    for (int ri = 0; ri < rows.size(); ri++) {
      String[] row = rows.get(ri);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        boolean right = i >= 1 && i <= 3;
        String cell = row[i];
        String padding = " ".repeat(width[i] - cell.length());
        line.append(right ? padding + cell : cell + padding);
        if (i < cols - 1) line.append("  ");
      }
      sb.append(line.toString().stripTrailing()).append('\n');
      if (ri == 0) {
        int total = 0;
        for (int w : width) total += w + 2;
        sb.append("-".repeat(total - 2)).append('\n');
      }
    }
    sb.append("ratio = remote / native, except (c): remote / raw socket. MB = 10^6 bytes.\n");
    sb.append("Targets are informational; they do not change the exit status.\n");
    return sb.toString();
  }

  private static String statusCell(Target t) {
    if (t.goalMet() == null) return t.status();
    return t.status() + (t.goalMet() ? " (goal met)" : " (goal not met)");
  }

  public Map<String, Object> targetsJson() {
    List<Object> l = new ArrayList<>();
    for (Target t : targets) l.add(t.toJson());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("list", l);
    return m;
  }

  public static Map<String, Object> referenceJson() {
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("source", "PoCL-R 6.0 on this machine (issue)");
    ref.put("rtt_median_us", REF_POCLR_RTT_US);
    ref.put("native_rtt_median_us", REF_POCLR_NATIVE_RTT_US);
    ref.put("bulk_write_mb_s", REF_POCLR_WRITE_MB_S);
    ref.put("launches_per_s", REF_POCLR_LAUNCHES_S);
    ref.put("native_launches_per_s", REF_POCLR_NATIVE_LAUNCHES_S);
    return ref;
  }

  static String fmt(Double v) {
    if (v == null) return "-";
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String fmt(double v) {
    return fmt(Double.valueOf(v));
  }

  static String fmt1(Double v) {
    if (v == null) return "-";
    return String.format(Locale.ROOT, "%,.1f", v);
  }

  static String x(Double v) {
    if (v == null) return "-";
    return String.format(Locale.ROOT, v < 0.1 ? "%.3f" : "%.2f", v);
  }

  static String xr(Double v) {
    return v == null ? "-" : x(v) + " raw";
  }

  static String pct(double v) {
    return String.format(Locale.ROOT, "%.0f%%", v * 100);
  }
}

package io.ava.bench.migration;

import io.ava.bench.overhead.OverheadWorkload;
import io.ava.bench.overhead.WorkloadRun;
import io.ava.bench.util.ServerProcess;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Part 2, what the record log costs: the call-intensive phases of the overhead workload (b: async
 * clSetKernelArg flood, d: clSetKernelArg + kernel launch) against two servers started side by
 * side, one recording (the default) and one with {@code --no-record}, alternating in one run.
 * The order flips every round (on-off, off-on, ...) so that neither side always runs first on a
 * machine that drifts; medians per side, and on/off per figure.
 */
final class RecordingBench {

  /** Recording on may cost at most this much throughput. */
  static final double MAX_SLOWDOWN = 0.03;

  /** The figures compared: higher is better for each. */
  static final List<String> FIGURES = List.of("async_calls_per_s", "launches_per_s");

  /** Enough calls per phase that a figure is not one scheduler hiccup on a shared machine. */
  static final List<String> DEFAULT_WORKLOAD_ARGS = List.of("--phases", "b,d",
      "--async-calls", "1000000", "--async-warmup", "200000",
      "--launches", "200000", "--launch-warmup", "50000", "--phase-budget-s", "20");

  static boolean meetsTarget(double onOverOff) {
    return onOverOff >= 1 - MAX_SLOWDOWN;
  }

  private final BenchEnv env;
  private final int rounds;
  private final List<String> extraArgs;
  private final List<String> errors;
  private final Path dir;
  private final List<String> verdicts = new ArrayList<>();

  RecordingBench(BenchEnv env, int rounds, List<String> extraArgs, List<String> errors) {
    this.env = env;
    this.rounds = rounds;
    this.extraArgs = extraArgs;
    this.errors = errors;
    this.dir = env.logDir().resolve("recording");
  }

  List<String> verdicts() {
    return verdicts;
  }

  Map<String, Object> run() throws InterruptedException, IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    List<String> args = new ArrayList<>(DEFAULT_WORKLOAD_ARGS);
    args.addAll(extraArgs);
    json.put("workload_args", args);
    json.put("rounds", rounds);
    List<Map<String, Object>> runs = new ArrayList<>();
    json.put("runs", runs);
    Map<Boolean, List<WorkloadRun>> bySide = new LinkedHashMap<>();
    bySide.put(true, new ArrayList<>());
    bySide.put(false, new ArrayList<>());
    ServerProcess on = null;
    ServerProcess off = null;
    try {
      CompletableFuture<ServerProcess> offStart = CompletableFuture.supplyAsync(() -> {
        try {
          return env.startServer(List.of("--no-record"), dir.resolve("server-record-off.log"));
        } catch (IOException | InterruptedException e) {
          throw new CompletionException(e);
        }
      });
      try {
        on = env.startServer(List.of(), dir.resolve("server-record-on.log"));
      } finally {
        try {
          off = offStart.join();
        } catch (CompletionException e) {
          throw new IOException("the --no-record server: " + e.getCause().getMessage(),
              e.getCause());
        }
      }
      log("record on at " + on.host() + ":" + on.port() + ", off at " + off.host() + ":"
          + off.port());
      for (int r = 0; r < rounds; r++) {
        if (BenchEnv.serverTrouble(Map.of("the recording server", on,
            "the --no-record server", off)) != null) {
          break; // the failed run said why
        }
        boolean[] order = r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true};
        for (boolean record : order) {
          ServerProcess s = record ? on : off;
          String name = "record-" + (record ? "on" : "off") + "-" + (r + 1);
          Map<String, ServerProcess> servers = Map.of("the recording server", on,
              "the --no-record server", off);
          BenchEnv.Forked f = env.runWorkload(name, OverheadWorkload.class.getName(), args,
              Map.of(), s.host() + ":" + s.port(), dir.resolve(name + ".log"), null,
              () -> BenchEnv.serverTrouble(servers));
          WorkloadRun w = f.run();
          if ("true".equals(w.info.get("opencl_loaded_in_jvm"))) {
            w.errors.add("an OpenCL library is loaded in the workload's JVM: the agent did not "
                + "intercept JOCL");
          }
          Map<String, Object> j = new LinkedHashMap<>();
          j.put("round", r + 1);
          j.put("record", record);
          j.put("ok", w.ok());
          for (String fig : FIGURES) j.put(fig, w.get(fig));
          j.put("errors", w.errors);
          j.put("log", w.log.toString());
          runs.add(j);
          if (w.ok()) {
            bySide.get(record).add(w);
            log(String.format(Locale.ROOT, "round %d record %s: %s async calls/s, %s launches/s",
                r + 1, record ? "on " : "off", Table.num(w.get(FIGURES.get(0)), 0),
                Table.num(w.get(FIGURES.get(1)), 0)));
          } else {
            errors.add(name + " failed: " + String.join("; ", w.errors));
            log(name + " FAILED: " + String.join("; ", w.errors));
          }
        }
      }
      if (!on.isAlive()) errors.add("the recording server died: " + on.child().tail(20));
      if (!off.isAlive()) errors.add("the --no-record server died: " + off.child().tail(20));
    } catch (IOException e) {
      errors.add("recording: " + e.getMessage());
    } finally {
      if (on != null) on.close();
      if (off != null) off.close();
    }

    Table t = new Table("figure", "record on", "record off", "on/off", "target", "status",
        "runs on/off", "per-round on/off: median (min..max)");
    Map<String, Object> figures = new LinkedHashMap<>();
    List<String> noisy = new ArrayList<>();
    for (String fig : FIGURES) {
      List<Double> onV = bySide.get(true).stream().map(w -> w.get(fig)).toList();
      List<Double> offV = bySide.get(false).stream().map(w -> w.get(fig)).toList();
      Double onM = Stats.median(onV);
      Double offM = Stats.median(offV);
      Double ratio = onM == null || offM == null || offM == 0 ? null : onM / offM;
      List<Double> paired = pairedRatios(runs, fig);
      String status = ratio == null ? "N/A" : meetsTarget(ratio) ? "PASS" : "MISS";
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("on_median", onM);
      m.put("off_median", offM);
      m.put("on_over_off", ratio);
      m.put("on", onV);
      m.put("off", offV);
      m.put("status", status);
      m.put("per_round_on_over_off", paired);
      m.put("per_round_median", Stats.median(paired));
      boolean resolvable = resolvable(paired);
      m.put("resolvable", resolvable);
      if (!resolvable) noisy.add(fig);
      figures.put(fig, m);
      String target = String.format(Locale.ROOT, ">= %.2f", 1 - MAX_SLOWDOWN);
      t.row(fig.replace("_per_s", "/s").replace('_', ' '), Table.num(onM, 0), Table.num(offM, 0),
          Table.num(ratio, 3), target, status, onV.size() + "/" + offV.size(),
          paired.isEmpty() ? "-" : Table.num(Stats.median(paired), 3) + " ("
              + Table.num(java.util.Collections.min(paired), 3) + ".."
              + Table.num(java.util.Collections.max(paired), 3) + ")");
      verdicts.add(String.format(Locale.ROOT,
          "recording on at most %.0f%% slower (%s): %s (on/off %s)", MAX_SLOWDOWN * 100,
          fig, status, Table.num(ratio, 3))
          + (resolvable(paired) ? "" : "; the rounds disagree by more than the margin"));
    }
    json.put("figures", figures);
    System.out.println();
    System.out.println("Recording overhead (median of " + rounds + " round" + (rounds == 1 ? "" : "s")
        + " per side, alternating; overhead workload phases b and d)");
    System.out.print(t.render());
    System.out.println("on/off: ratio of the medians (the target); per round: the two runs of a "
        + "round side by side, which a drifting machine disturbs less.");
    if (!noisy.isEmpty()) {
      System.out.println("The per-round ratios of " + String.join(", ", noisy) + " spread wider "
          + "than the " + Math.round(MAX_SLOWDOWN * 100) + "% margin itself: this run cannot "
          + "tell a " + Math.round(MAX_SLOWDOWN * 100) + "% difference from noise (more "
          + "--record-rounds, or a quieter machine).");
    }
    return json;
  }

  /**
   * Whether the rounds agree well enough to judge a {@link #MAX_SLOWDOWN} difference: the middle
   * half of the per-round ratios (all of them below four rounds) spans less than the margin.
   */
  static boolean resolvable(List<Double> paired) {
    if (paired.isEmpty()) return false;
    List<Double> s = paired.stream().sorted().toList();
    int n = s.size();
    int lo = n >= 4 ? n / 4 : 0;
    int hi = n >= 4 ? n - 1 - n / 4 : n - 1;
    return s.get(hi) - s.get(lo) <= MAX_SLOWDOWN;
  }

  /** on/off of the two runs of each round where both worked. */
  static List<Double> pairedRatios(List<Map<String, Object>> runs, String figure) {
    Map<Object, Double> on = new LinkedHashMap<>();
    Map<Object, Double> off = new LinkedHashMap<>();
    for (Map<String, Object> r : runs) {
      if (!Boolean.TRUE.equals(r.get("ok")) || !(r.get(figure) instanceof Double v)) continue;
      (Boolean.TRUE.equals(r.get("record")) ? on : off).put(r.get("round"), v);
    }
    List<Double> out = new ArrayList<>();
    for (Map.Entry<Object, Double> e : on.entrySet()) {
      Double o = off.get(e.getKey());
      if (o != null && o > 0) out.add(e.getValue() / o);
    }
    return out;
  }

  private static void log(String msg) {
    System.out.println("[migration] recording: " + msg);
    System.out.flush();
  }
}

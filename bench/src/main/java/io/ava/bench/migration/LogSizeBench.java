package io.ava.bench.migration;

import io.ava.bench.util.ServerProcess;
import io.ava.bench.util.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;

/**
 * Part 3, does the record log grow with the loop: a {@link LaunchLoopWorkload} of N launches
 * against one recording server; at 0, 1k, 10k, 100k, 1M launches (those up to N, and N) the
 * workload pauses with its queue finished, and the bench samples {@code ava-server status} for the
 * session's records and record_bytes before letting it go on.
 */
final class LogSizeBench {

  static final long[] CHECKPOINTS = {0, 1_000, 10_000, 100_000, 1_000_000};

  /** The log may grow by this fraction (or {@link #SLACK_BYTES}) from 1k launches to the end. */
  static final double SLACK = 0.01;

  static final long SLACK_BYTES = 1024;

  /** One status sample. */
  record Sample(long launches, Long records, Long recordBytes, Long calls, Long objects,
      String state) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("launches", launches);
      m.put("records", records);
      m.put("record_bytes", recordBytes);
      m.put("calls", calls);
      m.put("objects", objects);
      m.put("state", state);
      return m;
    }
  }

  static TreeSet<Long> checkpoints(long launches) {
    TreeSet<Long> c = new TreeSet<>();
    for (long p : CHECKPOINTS) if (p <= launches) c.add(p);
    c.add(launches);
    return c;
  }

  /**
   * The verdict: PASS when records and record_bytes after the whole loop ({@code launches}) are no
   * larger than at the first sample after at least one launch, give or take {@link #SLACK}
   * (records) and {@link #SLACK} or {@link #SLACK_BYTES} (bytes); N/A without such a first sample
   * or without the sample at the end of the loop.
   */
  static String verdict(List<Sample> samples, long launches) {
    List<Sample> looped = samples.stream()
        .filter(s -> s.launches() > 0 && s.records() != null && s.recordBytes() != null).toList();
    if (looped.size() < 2 || looped.get(looped.size() - 1).launches() != launches) return "N/A";
    Sample first = looped.get(0);
    Sample last = looped.get(looped.size() - 1);
    boolean records = last.records() <= first.records() * (1 + SLACK);
    boolean bytes = last.recordBytes()
        <= first.recordBytes() + Math.max(SLACK_BYTES, (long) (first.recordBytes() * SLACK));
    return records && bytes ? "PASS" : "MISS";
  }

  private final BenchEnv env;
  private final long launches;
  private final long syncEvery;
  private final List<String> errors;
  private final Path dir;
  private final List<String> verdicts = new ArrayList<>();

  LogSizeBench(BenchEnv env, long launches, long syncEvery, List<String> errors) {
    this.env = env;
    this.launches = launches;
    this.syncEvery = syncEvery;
    this.errors = errors;
    this.dir = env.logDir().resolve("logsize");
  }

  List<String> verdicts() {
    return verdicts;
  }

  Map<String, Object> run() throws InterruptedException, IOException {
    Files.createDirectories(dir);
    Path goDir = dir.resolve("go");
    Files.createDirectories(goDir);
    try (Stream<Path> old = Files.list(goDir)) {
      for (Path p : old.toList()) Files.deleteIfExists(p);
    }
    TreeSet<Long> points = checkpoints(launches);
    List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("launches", launches);
    json.put("sync_every", syncEvery);
    Double rate = null;
    try (ServerProcess server = env.startServer(List.of(), dir.resolve("server.log"))) {
      String address = server.host() + ":" + server.port();
      // the pump thread only hands CHECKPOINT lines over: status is a JVM start, too slow for it
      BlockingQueue<Long> reached = new LinkedBlockingQueue<>();
      Thread sampler = new Thread(() -> sample(reached, address, goDir, samples),
          "ava-bench-logsize-sampler");
      sampler.setDaemon(true);
      sampler.start();
      log("launch loop of " + launches + " launches, status at " + points + " ...");
      BenchEnv.Forked f = env.runWorkload("logsize-workload",
          LaunchLoopWorkload.class.getName(),
          List.of("--launches", String.valueOf(launches), "--checkpoints", join(points),
              "--go-dir", goDir.toString(), "--sync-every", String.valueOf(syncEvery)),
          Map.of(), address, dir.resolve("workload.log"), line -> {
            if (line.startsWith("CHECKPOINT ")) reached.add(Long.parseLong(line.substring(11).trim()));
          }, () -> BenchEnv.serverTrouble(Map.of("the server", server)));
      reached.add(-1L);
      sampler.join(120_000);
      if (!f.run().ok()) errors.add("log size workload failed: " + String.join("; ", f.run().errors));
      if (!server.isAlive()) errors.add("the server died: " + server.child().tail(20));
      rate = f.run().get("launches_per_s");
      json.put("workload_results", f.run().results);
      json.put("workload_errors", f.run().errors);
    } catch (IOException e) {
      errors.add("log size: " + e.getMessage());
    }
    List<Sample> got;
    synchronized (samples) {
      got = new ArrayList<>(samples);
    }
    if (got.size() < points.size()) {
      errors.add("log size: " + got.size() + " of " + points.size() + " status samples taken");
    }
    String verdict = verdict(got, launches);
    json.put("samples", got.stream().map(Sample::toJson).toList());
    json.put("status", verdict);

    Table t = new Table("launches", "records", "record_bytes", "calls", "objects", "state");
    for (Sample s : got) {
      t.row(Table.num((double) s.launches(), 0), num(s.records()), num(s.recordBytes()),
          num(s.calls()), num(s.objects()), s.state());
    }
    System.out.println();
    System.out.println("Record log size during a launch loop (clSetKernelArg buffer + scalar, "
        + "launch" + (syncEvery > 0 ? "; clFinish every " + syncEvery : "; no clFinish")
        + "; ava-server status)" + (rate == null ? ""
            : String.format(Locale.ROOT, "; %s launches/s", Table.num(rate, 0))));
    System.out.print(t.render());
    Sample first = got.stream().filter(s -> s.launches() > 0).findFirst().orElse(null);
    Sample last = got.isEmpty() ? null : got.get(got.size() - 1);
    verdicts.add(String.format(Locale.ROOT,
        "record log does not grow with the loop (%s -> %s launches): %s (record_bytes %s -> %s, "
            + "records %s -> %s)" + (last != null && last.launches() == launches ? ""
                : "; no sample after all " + launches + " launches"),
        first == null ? "-" : Table.num((double) first.launches(), 0),
        last == null ? "-" : Table.num((double) last.launches(), 0), verdict,
        first == null ? "-" : num(first.recordBytes()), last == null ? "-" : num(last.recordBytes()),
        first == null ? "-" : num(first.records()), last == null ? "-" : num(last.records())));
    return json;
  }

  private void sample(BlockingQueue<Long> reached, String address, Path goDir,
      List<Sample> samples) {
    try {
      while (true) {
        long n = reached.take();
        if (n < 0) return;
        try {
          List<ServerStatus.Session> sessions = ServerStatus.query(env.java(), env.serverJar(),
              address, dir.resolve("status-" + n + ".log"));
          if (sessions.size() != 1) {
            errors.add("log size: status at " + n + " launches shows " + sessions.size()
                + " sessions, expected 1");
          }
          if (!sessions.isEmpty()) {
            ServerStatus.Session s = sessions.get(0);
            samples.add(new Sample(n, s.number("records"), s.number("record_bytes"),
                s.number("calls"), s.number("objects"), s.fields().get("state")));
            log(String.format(Locale.ROOT, "%,d launches: records=%s record_bytes=%s", n,
                s.fields().get("records"), s.fields().get("record_bytes")));
          }
        } catch (IOException e) {
          errors.add("log size: status at " + n + " launches failed: " + e.getMessage());
        } finally {
          Files.createFile(goDir.resolve("go-" + n));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      errors.add("log size: cannot signal the workload: " + e.getMessage());
    }
  }

  private static String num(Long v) {
    return v == null ? "-" : Table.num((double) v, 0);
  }

  private static String join(TreeSet<Long> points) {
    StringBuilder sb = new StringBuilder();
    for (long p : points) sb.append(sb.length() == 0 ? "" : ",").append(p);
    return sb.toString();
  }

  private static void log(String msg) {
    System.out.println("[migration] logsize: " + msg);
    System.out.flush();
  }
}

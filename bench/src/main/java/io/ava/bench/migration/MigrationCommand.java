package io.ava.bench.migration;

import io.ava.bench.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ava-bench migration}: live migration figures in one run. See {@link DowntimeBench},
 * {@link RecordingBench} and {@link LogSizeBench} for the three parts.
 */
@Command(
    name = "migration",
    mixinStandardHelpOptions = true,
    description = {
      "Live migration of ava sessions between two ava-servers on this machine.",
      "downtime:  sessions holding --sizes MiB of device-filled buffers migrate",
      "  (AVA_MIGRATION_CALL_ID) while the program calls; downtime is the",
      "  agent's 'calls waited', next to a raw loopback socket moving the same",
      "  bytes into fresh memory. Target: downtime <= 2 x raw + 100 ms. Also the",
      "  breakdown from the source server's --migration-log.",
      "recording: overhead phases b and d against a recording server and a",
      "  --no-record one, alternating. Target: recording on at most 3%% slower.",
      "logsize:   a loop of --launches kernel launches (clSetKernelArg of a",
      "  buffer and a scalar); the session's records and record_bytes",
      "  (ava-server status) at 0, 1k, 10k, 100k and 1M launches. Target: the",
      "  log does not grow with the loop.",
      "Every workload checks its results, after the migration too; a run that",
      "does not is a failure. Exit status: 0 when every run worked (targets",
      "are informational), 1 when a run failed, 2 on bad arguments."
    })
public final class MigrationCommand implements Callable<Integer> {

  static final List<String> PARTS = List.of("downtime", "recording", "logsize");

  @Option(names = "--server-jar", paramLabel = "JAR",
      description = "ava-server jar (default: ${DEFAULT-VALUE})")
  Path serverJar = Path.of("server/target/ava-server.jar");

  @Option(names = "--agent-jar", paramLabel = "JAR",
      description = "ava-agent jar (default: ${DEFAULT-VALUE})")
  Path agentJar = Path.of("agent/target/ava-agent.jar");

  @Option(names = "--out", paramLabel = "FILE",
      description = "JSON results file (default: ${DEFAULT-VALUE}); logs go in "
          + "<name>-logs/ beside it")
  Path out = Path.of("results/migration.json");

  @Option(names = "--parts", paramLabel = "LIST", split = ",",
      description = "which parts to run, of downtime, recording, logsize (default: all)")
  List<String> parts = new ArrayList<>(PARTS);

  @Option(names = "--sizes", paramLabel = "MIB", split = ",",
      description = "downtime: session state sizes in MiB (default: 1,16,256,1024)")
  List<Integer> sizes = new ArrayList<>(List.of(1, 16, 256, 1024));

  @Option(names = "--repeats", paramLabel = "N",
      description = "downtime: migration runs per size; medians are reported "
          + "(default: ${DEFAULT-VALUE})")
  int repeats = 3;

  @Option(names = "--iterations", paramLabel = "N",
      description = "downtime: loop iterations of the workload (launch, 4-byte read, ~2 ms "
          + "pause) (default: ${DEFAULT-VALUE})")
  int iterations = 150;

  @Option(names = "--migrate-after", paramLabel = "N",
      description = "downtime: loop iterations before the migration call (default: "
          + "${DEFAULT-VALUE})")
  int migrateAfter = 25;

  @Option(names = "--trigger", paramLabel = "admin|call",
      description = "downtime: how the migration starts: `ava-server migrate` while the workload "
          + "runs (admin: the source pre-copies the record log while the program goes on), or "
          + "AVA_MIGRATION_CALL_ID (call: the program pauses at that call, so the peer's replay "
          + "is part of the stall) (default: ${DEFAULT-VALUE})")
  String trigger = "admin";

  @Option(names = "--record-rounds", paramLabel = "N",
      description = "recording: on/off pairs of workload runs (default: ${DEFAULT-VALUE})")
  int recordRounds = 5;

  @Option(names = "--record-workload-args", paramLabel = "ARGS",
      description = "recording: extra OverheadWorkload arguments after the defaults, in one "
          + "string, e.g. \"--async-calls 300000 --launches 50000\" (defaults: "
          + "--phases b,d --async-calls 1000000 --async-warmup 200000 --launches 200000 "
          + "--launch-warmup 50000 --phase-budget-s 20)")
  String recordWorkloadArgs = "";

  @Option(names = "--launches", paramLabel = "N",
      description = "logsize: kernel launches in the loop (default: ${DEFAULT-VALUE})")
  long launches = 1_000_000;

  @Option(names = "--logsize-sync-every", paramLabel = "N",
      description = "logsize: clFinish every N launches (default: ${DEFAULT-VALUE}, never: "
          + "between samples the loop enqueues as fast as it can, and the server must hold "
          + "it back)")
  long logsizeSyncEvery = 0;

  @Option(names = "--java", paramLabel = "PATH",
      description = "java executable for the forked JVMs (default: this JVM's)")
  String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Option(names = "--server-heap", paramLabel = "SIZE",
      description = "-Xmx of the ava-server JVMs: buffers live in OpenCL memory, not the heap "
          + "(default: ${DEFAULT-VALUE}). Their -XX:MaxDirectMemorySize is twice the largest "
          + "size plus 512 MiB, at least 2 GiB.")
  String serverHeap = "512m";

  @Option(names = "--workload-heap", paramLabel = "SIZE",
      description = "-Xmx of the workload JVMs (default: ${DEFAULT-VALUE})")
  String workloadHeap = "256m";

  @Option(names = "--server-jvm-arg", paramLabel = "ARG",
      description = "extra JVM argument for the ava-server JVMs, after the defaults (repeatable)")
  List<String> serverJvmArgs = new ArrayList<>();

  @Option(names = "--jvm-arg", paramLabel = "ARG",
      description = "extra JVM argument for the workload JVMs, after the defaults (repeatable)")
  List<String> jvmArgs = new ArrayList<>();

  @Option(names = "--server-start-timeout", paramLabel = "S",
      description = "seconds to wait for 'ava-server listening on' (default: ${DEFAULT-VALUE})")
  double serverStartTimeoutS = 60;

  @Option(names = "--child-timeout", paramLabel = "S",
      description = "seconds one workload JVM may run before it is killed "
          + "(default: ${DEFAULT-VALUE})")
  double childTimeoutS = 300;

  @Option(names = "--platform", description = "OpenCL platform index (default: 0)")
  int platform = 0;

  @Option(names = "--device", description = "OpenCL device index (default: 0)")
  int device = 0;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    String bad = checkArgs();
    if (bad != null) {
      System.err.println("migration: " + bad);
      return 2;
    }
    Path outAbs = out.toAbsolutePath();
    String base = outAbs.getFileName().toString().replaceFirst("\\.json$", "");
    Path logDir = outAbs.resolveSibling(base + "-logs");
    Files.createDirectories(logDir);
    for (Path jar : List.of(serverJar, agentJar)) {
      if (!Files.isRegularFile(jar)) {
        System.err.println("migration: " + jar.toAbsolutePath() + " not found (build it, or pass "
            + (jar == serverJar ? "--server-jar" : "--agent-jar") + ")");
        return 2;
      }
    }
    int largest = parts.contains("downtime") ? Collections.max(sizes) : 0;
    List<String> serverJvm = new ArrayList<>(List.of("-Xmx" + serverHeap,
        "-XX:MaxDirectMemorySize=" + Math.max(2048, 2L * largest + 512) + "m"));
    serverJvm.addAll(serverJvmArgs);
    List<String> workloadJvm = new ArrayList<>(List.of("-Xmx" + workloadHeap));
    workloadJvm.addAll(jvmArgs);
    BenchEnv env = new BenchEnv(javaExe, System.getProperty("java.class.path"), serverJar,
        agentJar, logDir, serverJvm, workloadJvm, serverStartTimeoutS, childTimeoutS, platform,
        device);
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    List<String> verdicts = new ArrayList<>();
    log("logs in " + logDir);

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "migration");
    json.put("timestamp", Instant.now().toString());
    json.put("parts", parts);
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("cpus", Runtime.getRuntime().availableProcessors());
    host.put("java", System.getProperty("java.version"));
    host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    json.put("host", host);
    json.put("server_jvm_args", serverJvm);
    json.put("workload_jvm_args", workloadJvm);

    Map<String, Object> partWall = new LinkedHashMap<>();
    long t = System.nanoTime();
    if (parts.contains("downtime")) {
      if (!trigger.equals("admin") && !trigger.equals("call")) {
        System.err.println("ava-bench migration: --trigger takes admin or call, not " + trigger);
        return 2;
      }
      DowntimeBench d = new DowntimeBench(env, sizes, repeats,
          trigger.equals("admin") ? Math.max(iterations, 2000) : iterations, migrateAfter, errors,
          trigger.equals("admin"));
      json.put("downtime", d.run());
      verdicts.addAll(d.verdicts());
      t = partDone("downtime", t, partWall);
    }
    if (parts.contains("recording")) {
      RecordingBench r = new RecordingBench(env, recordRounds,
          recordWorkloadArgs.isBlank() ? List.of() : List.of(recordWorkloadArgs.trim().split("\\s+")),
          errors);
      json.put("recording", r.run());
      verdicts.addAll(r.verdicts());
      t = partDone("recording", t, partWall);
    }
    if (parts.contains("logsize")) {
      LogSizeBench l = new LogSizeBench(env, launches, logsizeSyncEvery, errors);
      json.put("logsize", l.run());
      verdicts.addAll(l.verdicts());
      partDone("logsize", t, partWall);
    }

    System.out.println();
    System.out.println("Targets (informational; they do not change the exit status):");
    for (String v : verdicts) System.out.println("  " + v);
    List<String> errorsCopy;
    synchronized (errors) {
      errorsCopy = new ArrayList<>(errors);
    }
    json.put("verdicts", verdicts);
    json.put("errors", errorsCopy);
    json.put("part_wall_s", partWall);
    json.put("wall_s", (System.nanoTime() - started) / 1e9);
    if (outAbs.getParent() != null) Files.createDirectories(outAbs.getParent());
    Files.writeString(outAbs, Json.write(json), StandardCharsets.UTF_8);
    System.out.println("results written to " + out);
    for (String e : errorsCopy) System.out.println("ERROR: " + e);
    log(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - started) / 1e9));
    return errorsCopy.isEmpty() ? 0 : 1;
  }

  /** Null when the options make sense, else why not. */
  String checkArgs() {
    for (String p : parts) {
      if (!PARTS.contains(p)) return "unknown part '" + p + "' (use " + String.join(", ", PARTS) + ")";
    }
    if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s == null || s <= 0)) {
      return "--sizes must be positive MiB counts";
    }
    if (repeats < 1 || recordRounds < 1) return "--repeats and --record-rounds must be >= 1";
    if (migrateAfter < 1 || iterations <= migrateAfter) {
      return "--migrate-after must be >= 1 and below --iterations";
    }
    if (launches < 2) return "--launches must be >= 2";
    if (logsizeSyncEvery < 0) return "--logsize-sync-every must be >= 0";
    return null;
  }

  private static long partDone(String part, long since, Map<String, Object> wall) {
    long now = System.nanoTime();
    wall.put(part, (now - since) / 1e9);
    log(String.format(Locale.ROOT, "%s part done in %.0f s", part, (now - since) / 1e9));
    return now;
  }

  private static void log(String msg) {
    System.out.println("[migration] " + msg);
    System.out.flush();
  }
}

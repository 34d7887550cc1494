package io.ava.bench.overhead;

import io.ava.bench.util.ChildProcess;
import io.ava.bench.util.Json;
import io.ava.bench.util.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ava-bench overhead}: call overhead of ava against native JOCL on the same device, in one
 * run. See {@link OverheadWorkload} for what is measured.
 */
@Command(
    name = "overhead",
    mixinStandardHelpOptions = true,
    description = {
      "Call overhead of ava: native JOCL vs remoted (agent + ava-server), side by side.",
      "Measures on the same OpenCL device, natively and through the agent, and prints",
      "both with ratios, reference figures (PoCL-R 6.0) and targets:",
      "  (a) blocking 4-byte clEnqueueReadBuffer round trip (median, p99)",
      "  (b) async clSetKernelArg throughput, then clFinish",
      "  (c) 64 MiB blocking write and read, next to a raw loopback socket copy",
      "  (d) launches/s: clSetKernelArg + clEnqueueNDRangeKernel (tiny kernel), then clFinish",
      "Exit status: 0 when every run worked (targets are informational), 1 when a run failed."
    })
public final class OverheadCommand implements Callable<Integer> {

  @Option(names = "--server-jar", paramLabel = "JAR",
      description = "ava-server jar (default: ${DEFAULT-VALUE})")
  Path serverJar = Path.of("server/target/ava-server.jar");

  @Option(names = "--agent-jar", paramLabel = "JAR",
      description = "ava-agent jar (default: ${DEFAULT-VALUE})")
  Path agentJar = Path.of("agent/target/ava-agent.jar");

  @Option(names = "--quick", description = "small counts (about 20 s in all), for CI smoke runs")
  boolean quick;

  @Option(names = "--native-only", description = "measure natively only (no agent, no server)")
  boolean nativeOnly;

  @Option(names = "--out", paramLabel = "FILE",
      description = "JSON results file (default: ${DEFAULT-VALUE}); logs go beside it")
  Path out = Path.of("results/overhead.json");

  @Option(names = "--phases", paramLabel = "LIST", split = ",",
      description = "which figures to measure, of a,b,c,d (default: all)")
  List<String> phases = new ArrayList<>(List.of("a", "b", "c", "d"));

  @Option(names = "--java", paramLabel = "PATH",
      description = "java executable for the forked JVMs (default: this JVM's)")
  String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Option(names = "--jvm-arg", paramLabel = "ARG",
      description = "extra JVM argument for the workload JVMs (repeatable)")
  List<String> jvmArgs = new ArrayList<>();

  @Option(names = "--server-jvm-arg", paramLabel = "ARG",
      description = "extra JVM argument for the ava-server JVM (repeatable)")
  List<String> serverJvmArgs = new ArrayList<>();

  @Option(names = "--server-arg", paramLabel = "ARG",
      description = "extra ava-server argument, after --port 0 --bind 127.0.0.1 (repeatable)")
  List<String> serverArgs = new ArrayList<>();

  @Option(names = "--agent-options", paramLabel = "OPTS",
      description = "appended to the agent's argument: -javaagent:JAR=server=HOST:PORT,OPTS")
  String agentOptions;

  @Option(names = "--workload-arg", paramLabel = "ARG",
      description = "extra OverheadWorkload argument (repeatable, one token each), e.g. "
          + "--workload-arg --rtt-iters --workload-arg 5000")
  List<String> workloadArgs = new ArrayList<>();

  @Option(names = "--transport", paramLabel = "direct|grpc",
      description = "how the agent reaches the server it starts: direct (--direct-port, plain TCP, "
          + "no gRPC in the client; the default) or grpc")
  String transport = "direct";

  @Option(names = "--server-address", paramLabel = "HOST:PORT",
      description = "use this running ava-server instead of starting one from --server-jar: "
          + "HOST:PORT of its gRPC port, or direct://HOST:PORT of its --direct-port (--transport "
          + "only chooses for a server this command starts)")
  String serverAddress;

  @Option(names = "--server-start-timeout", paramLabel = "S",
      description = "seconds to wait for 'ava-server listening on' (default: ${DEFAULT-VALUE})")
  double serverStartTimeoutS = 60;

  @Option(names = "--child-timeout", paramLabel = "S",
      description = "seconds one workload JVM may run before it is killed "
          + "(default: 150, or 60 with --quick)")
  Double childTimeoutS;

  @Option(names = "--platform", description = "OpenCL platform index (default: 0)")
  int platform = 0;

  @Option(names = "--device", description = "OpenCL device index (default: 0)")
  int device = 0;

  private Path logDir;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    for (String p : phases) {
      if (!p.matches("[abcd]")) {
        System.err.println("overhead: unknown phase '" + p + "' (use a, b, c, d)");
        return 2;
      }
    }
    if (!List.of("direct", "grpc").contains(transport)) {
      System.err.println("overhead: --transport " + transport + ": expected direct or grpc");
      return 2;
    }
    Path outAbs = out.toAbsolutePath();
    logDir = outAbs.resolveSibling(stripJson(outAbs.getFileName().toString()) + "-logs");
    Files.createDirectories(logDir);
    double childTimeout = childTimeoutS != null ? childTimeoutS : (quick ? 60 : 150);
    String classPath = System.getProperty("java.class.path");
    List<String> errors = new ArrayList<>();

    log("java " + javaExe + "; classpath " + classPath);
    log("logs in " + logDir);

    // 1. native
    log("native workload ...");
    WorkloadRun nat = runWorkload("native", classPath, null, logDir.resolve("native.log"),
        childTimeout);
    summarize(nat);
    if (!nat.ok()) errors.add("native run failed: " + String.join("; ", nat.errors));

    // 2. raw socket reference for (c)
    RawSocketCopy.Result raw = null;
    if (phases.contains("c")) {
      log("raw socket copy ...");
      try {
        List<String> cmd = new ArrayList<>(List.of(javaExe, "-cp", classPath,
            RawSocketCopy.class.getName()));
        raw = RawSocketCopy.measure(cmd, logDir.resolve("raw-socket.log"), 64L << 20,
            2, quick ? 3 : 7, 60);
        log(String.format(Locale.ROOT, "raw socket: %.0f MB/s median, %.0f best",
            raw.medianMbS(), raw.bestMbS()));
      } catch (Exception e) {
        errors.add("raw socket copy failed: " + e);
        log("raw socket copy failed: " + e);
      }
    }

    // 3. remote
    WorkloadRun rem = null;
    Map<String, Object> serverJson = new LinkedHashMap<>();
    if (!nativeOnly) {
      rem = new WorkloadRun("remote");
      rem.log = logDir.resolve("remote.log");
      Path serverLog = logDir.resolve("server.log");
      try {
        if (!Files.isRegularFile(agentJar)) {
          throw new IOException("ava-agent jar not found: " + agentJar.toAbsolutePath()
              + " (build it, or pass --agent-jar)");
        }
        if (serverAddress != null) {
          serverJson.put("address", serverAddress);
          serverJson.put("external", true);
          log("using the running ava-server at " + serverAddress);
          rem = runRemote(classPath, serverAddress, childTimeout);
        } else {
          serverJson.put("jar", serverJar.toAbsolutePath().toString());
          serverJson.put("log", serverLog.toString());
          log("starting ava-server " + serverJar + " ...");
          boolean direct = transport.equals("direct");
          List<String> args = new ArrayList<>(serverArgs);
          if (direct) {
            args.addAll(List.of("--direct-port", "0"));
          }
          serverJson.put("transport", direct ? "direct" : "grpc");
          try (ServerProcess server = ServerProcess.start(javaExe, serverJvmArgs, serverJar,
              args, serverLog, serverStartTimeoutS)) {
            String address = server.clientAddress(direct);
            serverJson.put("address", address);
            log("ava-server listening on " + address);
            rem = runRemote(classPath, address, childTimeout);
            if (!server.isAlive()) {
              rem.errors.add("ava-server died during the run (exit status "
                  + server.child().process().exitValue() + "); last output:"
                  + System.lineSeparator() + server.child().tail(25));
            }
          }
        }
        if ("true".equals(rem.info.get("opencl_loaded_in_jvm"))) {
          rem.invalid = true;
          rem.errors.add("an OpenCL/JOCL native library is loaded in the agent's JVM: the agent "
              + "did not intercept JOCL, so these are not remote figures");
        }
        summarize(rem);
        if (!rem.ok()) errors.add("remote run failed: " + String.join("; ", rem.errors));
      } catch (IOException e) {
        rem.errors.add(e.getMessage());
        errors.add("remote run failed: " + e.getMessage());
        log("remote run failed: " + e.getMessage());
      }
    }

    // 4. report
    OverheadReport report = new OverheadReport(nat, rem, raw);
    System.out.println();
    System.out.println("ava call overhead" + (quick ? " (--quick)" : "") + " on "
        + nat.info.getOrDefault("device", "?") + " (" + nat.info.getOrDefault("platform", "?")
        + "), " + nat.info.getOrDefault("cpus", "?") + " CPUs");
    System.out.print(report.table());
    if (rem != null && !rem.ok()) {
      System.out.println("remote: FAILED" + (rem.invalid ? " (figures discarded)" : "")
          + "; see the errors below and the logs in " + logDir);
    } else if (rem == null) {
      System.out.println("remote: not run (--native-only)");
    }

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "overhead");
    json.put("timestamp", Instant.now().toString());
    json.put("quick", quick);
    json.put("native_only", nativeOnly);
    json.put("phases", phases);
    json.put("device", nat.info.get("device"));
    json.put("platform", nat.info.get("platform"));
    json.put("device_version", nat.info.get("device_version"));
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("cpus", Runtime.getRuntime().availableProcessors());
    host.put("java", System.getProperty("java.version"));
    host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    json.put("host", host);
    json.put("native", nat.toJson());
    json.put("remote", rem == null ? null : rem.toJson());
    json.put("server", nativeOnly ? null : serverJson);
    if (raw != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("bytes", raw.bytes());
      r.put("rounds", raw.rounds());
      r.put("write_size", RawSocketCopy.CHUNK);
      r.put("mb_s", raw.medianMbS());
      r.put("best_mb_s", raw.bestMbS());
      json.put("raw_socket", r);
    } else {
      json.put("raw_socket", null);
    }
    json.put("reference", OverheadReport.referenceJson());
    List<Object> t = new ArrayList<>();
    for (OverheadReport.Target target : report.targets()) t.add(target.toJson());
    json.put("targets", t);
    json.put("errors", errors);
    json.put("wall_s", (System.nanoTime() - started) / 1e9);
    if (outAbs.getParent() != null) Files.createDirectories(outAbs.getParent());
    Files.writeString(outAbs, Json.write(json), StandardCharsets.UTF_8);
    System.out.println("results written to " + out);
    for (String e : errors) System.out.println("ERROR: " + e);
    log(String.format(Locale.ROOT, "done in %.1f s",
        (System.nanoTime() - started) / 1e9));
    return errors.isEmpty() ? 0 : 1;
  }

  private WorkloadRun runRemote(String classPath, String address, double timeoutS)
      throws InterruptedException {
    String agentArg = "-javaagent:" + agentJar.toAbsolutePath() + "=server=" + address
        + (agentOptions == null || agentOptions.isEmpty() ? "" : "," + agentOptions);
    log("remote workload ...");
    return runWorkload("remote", classPath, agentArg, logDir.resolve("remote.log"), timeoutS);
  }

  private WorkloadRun runWorkload(
      String mode, String classPath, String agentArg, Path log, double timeoutS)
      throws InterruptedException {
    WorkloadRun run = new WorkloadRun(mode);
    run.log = log;
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExe);
    cmd.addAll(jvmArgs);
    if (agentArg != null) cmd.add(agentArg);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(OverheadWorkload.class.getName());
    cmd.add("--phases");
    cmd.add(String.join(",", phases));
    cmd.add("--platform");
    cmd.add(String.valueOf(platform));
    cmd.add("--device");
    cmd.add(String.valueOf(device));
    if (quick) cmd.add("--quick");
    cmd.addAll(workloadArgs);
    run.command = cmd;
    long t0 = System.nanoTime();
    try (ChildProcess child = ChildProcess.start(mode + "-workload", cmd, log, null)) {
      try {
        run.exitCode = child.waitFor((long) (timeoutS * 1000), TimeUnit.MILLISECONDS);
      } catch (ChildProcess.ChildTimeoutException e) {
        run.errors.add(e.getMessage());
      }
      run.parse(child.lines());
      if (run.exitCode != null && run.exitCode != 0 && run.errors.isEmpty()) {
        run.errors.add(mode + " workload exited with status " + run.exitCode);
      }
      if (!run.ok()) {
        run.errors.add("last output of the " + mode + " workload:" + System.lineSeparator()
            + child.tail(25));
      }
    } catch (IOException e) {
      run.errors.add(e.getMessage());
    }
    run.wallSeconds = (System.nanoTime() - t0) / 1e9;
    return run;
  }

  private static void summarize(WorkloadRun run) {
    if (run.ok()) {
      log(String.format(Locale.ROOT, "%s workload done in %.1f s", run.mode,
          run.wallSeconds));
      for (Map.Entry<String, String> e : run.info.entrySet()) {
        if (e.getKey().endsWith("_truncated")) log(run.mode + ": " + e.getValue());
      }
    } else {
      log(run.mode + " workload FAILED: " + String.join(System.lineSeparator(), run.errors));
    }
  }

  private static String stripJson(String name) {
    return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
  }

  private static void log(String msg) {
    System.out.println("[overhead] " + msg);
    System.out.flush();
  }
}

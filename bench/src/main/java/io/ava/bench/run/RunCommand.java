package io.ava.bench.run;

import io.ava.bench.report.ReportWriter;
import io.ava.bench.workloads.Size;
import io.ava.bench.workloads.Workloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ava-bench run}: the workloads natively, remotely and with a live migration, then the
 * report. See {@link Runner} for the order of the runs and {@link ReportWriter} for the report.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the Rodinia-style workloads (WorkloadMain) in forked JVMs, --runs times",
      "per workload and mode, and writes runs.csv, summary.json, run-info.json, PNG",
      "charts and report.html into --out. Modes:",
      "  native   plain JOCL on this machine's OpenCL;",
      "  remote   under -javaagent:ava-agent.jar, against an ava-server it starts;",
      "  migrate  against server A (--migrate-to B) with AVA_MIGRATION_CALL_ID=rN,",
      "           N the program's calls as a calibration run counted them",
      "           (AVA_MIGRATION_CALL_ID=none): the session moves to server B before",
      "           a random call.",
      "Every run must exit 0 and print exactly what the workload's native reference",
      "run printed (checksum line included); one that does not is a failure,",
      "reported and left out of every figure. The report also charts the downtime",
      "part of --migration-results and the figures of --overhead-results when the",
      "files exist.",
      "Exit status: 0 when every run worked, 1 when one failed, 2 on bad arguments.",
      ""
    })
public final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--mode", paramLabel = "LIST", split = ",",
      description = "modes, of native, remote, migrate (default: all three)")
  List<String> modeNames = new ArrayList<>(List.of("native", "remote", "migrate"));

  @Option(names = "--workloads", paramLabel = "LIST", split = ",",
      completionCandidates = WorkloadNames.class,
      description = "workloads, or all (default: all): ${COMPLETION-CANDIDATES}")
  List<String> workloadNames = new ArrayList<>(List.of("all"));

  /** The help's list of workloads, from the registry itself. */
  static final class WorkloadNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return io.ava.bench.workloads.Workloads.names().iterator();
    }
  }

  @Option(names = "--runs", paramLabel = "N",
      description = "measured runs per workload and mode (default: ${DEFAULT-VALUE})")
  int runs = 5;

  @Option(names = "--warmup", paramLabel = "N",
      description = "uncounted remote runs per workload before the measured ones (default:"
          + " ${DEFAULT-VALUE}): the remote server's JIT compiler then has warmed up, as a"
          + " long-running server's has, and is not measured as remoting cost; 0: none")
  int warmup = 1;

  @Option(names = "--size", paramLabel = "small|bench",
      description = "problem size (default: ${DEFAULT-VALUE}; small is for tests)")
  String size = "bench";

  @Option(names = "--seed", paramLabel = "N",
      description = "input seed of every run (default: ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--out", paramLabel = "DIR",
      description = "results folder (default: ${DEFAULT-VALUE}); a new run replaces the results "
          + "and logs/ of an earlier one there")
  Path out = Path.of("results/run");

  @Option(names = "--report-only",
      description = "run nothing: rebuild summary.json, the charts and report.html from --out's "
          + "runs.csv and run-info.json (and the current migration/overhead results)")
  boolean reportOnly;

  @Option(names = "--migration-results", paramLabel = "FILE",
      description = "ava-bench migration's results, for the downtime-vs-state chart (default: "
          + "${DEFAULT-VALUE}; missing: the report says so)")
  Path migrationResults = Path.of("results/migration.json");

  @Option(names = "--overhead-results", paramLabel = "FILE",
      description = "ava-bench overhead's results, for the call-overhead chart (default: "
          + "${DEFAULT-VALUE}; missing: the report says so)")
  Path overheadResults = Path.of("results/overhead.json");

  @Option(names = "--server-jar", paramLabel = "JAR",
      description = "ava-server jar (default: ${DEFAULT-VALUE})")
  Path serverJar = Path.of("server/target/ava-server.jar");

  @Option(names = "--agent-jar", paramLabel = "JAR",
      description = "ava-agent jar (default: ${DEFAULT-VALUE})")
  Path agentJar = Path.of("agent/target/ava-agent.jar");

  @Option(names = "--transport", paramLabel = "direct|grpc",
      description = "how the workloads' agents reach the servers: direct (the servers' --direct-port: "
          + "plain TCP, no gRPC in the client; the default) or grpc (the gRPC port, as with TLS)")
  String transport = "direct";

  @Option(names = "--progress", paramLabel = "auto|bar|lines",
      description = "a progress bar on a terminal, plain lines otherwise (auto, the default), "
          + "or either always")
  String progressStyle = "auto";

  @Option(names = "--java", paramLabel = "PATH",
      description = "java executable for the forked JVMs (default: this JVM's)")
  String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Option(names = "--class-path", paramLabel = "PATH",
      description = "class path of the workload JVMs, holding WorkloadMain and JOCL "
          + "(default: this JVM's, i.e. ava-bench.jar, without ava-agent/ava-server jars)")
  String classPath = workloadClassPath(System.getProperty("java.class.path"));

  @Option(names = "--server-heap", paramLabel = "SIZE",
      description = "-Xmx of the ava-server JVMs (default: ${DEFAULT-VALUE}); their "
          + "-XX:MaxDirectMemorySize is 2g")
  String serverHeap = "512m";

  @Option(names = "--server-jvm-arg", paramLabel = "ARG",
      description = "extra JVM argument for the ava-servers (repeatable); they run C1 only "
          + "(-XX:TieredStopAtLevel=1, as bin/ava-server), which -XX:TieredStopAtLevel=4 undoes")
  List<String> serverJvmArgs = new ArrayList<>();

  @Option(names = "--jvm-arg", paramLabel = "ARG",
      description = "extra JVM argument for the workload JVMs, all modes (repeatable)")
  List<String> jvmArgs = new ArrayList<>();

  @Option(names = "--child-timeout", paramLabel = "S",
      description = "seconds one workload JVM may run before it is killed and the run fails "
          + "(default: ${DEFAULT-VALUE})")
  double childTimeoutS = 300;

  @Option(names = "--server-start-timeout", paramLabel = "S",
      description = "seconds to wait for 'ava-server listening on' (default: ${DEFAULT-VALUE})")
  double serverStartTimeoutS = 60;

  @Override
  public Integer call() throws Exception {
    System.setProperty("java.awt.headless", "true");
    long t0 = System.nanoTime();
    Path dir = out.toAbsolutePath().normalize();
    if (reportOnly) return report(dir, true);

    List<Mode> modes;
    List<String> workloads;
    Size sz;
    try {
      modes = Mode.parseAll(modeNames);
      workloads = workloads(workloadNames);
      sz = Size.parse(size);
      if (modes.isEmpty()) throw new IllegalArgumentException("--mode names no mode");
      if (runs < 1) throw new IllegalArgumentException("--runs must be >= 1");
      if (warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0");
      if (!List.of("direct", "grpc").contains(transport)) {
        throw new IllegalArgumentException("--transport " + transport + ": expected direct or grpc");
      }
      if (!List.of("auto", "bar", "lines").contains(progressStyle)) {
        throw new IllegalArgumentException("--progress takes auto, bar or lines");
      }
      if (modes.contains(Mode.REMOTE) || modes.contains(Mode.MIGRATE)) {
        for (Path jar : List.of(serverJar, agentJar)) {
          if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar.toAbsolutePath() + " not found (build it, or "
                + "pass " + (jar == serverJar ? "--server-jar" : "--agent-jar") + ")");
          }
        }
      }
      prepare(dir);
    } catch (IllegalArgumentException e) {
      System.err.println("ava-bench run: " + e.getMessage());
      return 2;
    }

    List<String> serverJvm = new ArrayList<>(List.of("-Xmx" + serverHeap,
        "-XX:MaxDirectMemorySize=2g"));
    serverJvm.addAll(serverJvmArgs);
    RunSettings settings = new RunSettings(javaExe, classPath, serverJar.toAbsolutePath(),
        agentJar.toAbsolutePath(), serverJvm, List.copyOf(jvmArgs), sz, seed, childTimeoutS,
        serverStartTimeoutS, transport.equals("direct"));
    Map<String, Object> info = info(settings, modes, workloads);
    Runner.writeInfo(dir, info);
    int steps = Runner.steps(modes, workloads.size(), runs, warmup);
    Progress progress = progressStyle.equals("auto") ? Progress.forConsole(System.out, steps)
        : new Progress(System.out, progressStyle.equals("bar"), steps);
    System.out.printf(Locale.ROOT, "ava-bench run: %d workloads x %s x %d runs, size %s, into %s%n",
        workloads.size(), String.join("+", modes.stream().map(Mode::label).toList()), runs,
        sz.label(), dir);
    Runner runner = new Runner(settings, modes, workloads, runs, warmup, dir, progress, info);
    try {
      runner.run();
      info.put("complete", true);
    } finally {
      progress.finish();
      info.put("finished", Runner.now());
      info.put("wall_s", (System.nanoTime() - t0) / 1e9);
      Runner.writeInfo(dir, info);
    }
    int rc = report(dir, false);
    System.out.printf(Locale.ROOT, "ava-bench run: done in %.0f s%n",
        (System.nanoTime() - t0) / 1e9);
    return rc;
  }

  /** Writes the report and prints the summary; 1 when a run (or a setup run) failed. */
  private int report(Path dir, boolean only) {
    ReportWriter.Written w;
    try {
      w = ReportWriter.write(dir, migrationResults, overheadResults);
    } catch (IOException e) {
      System.err.println("ava-bench run: cannot write the report: " + e.getMessage());
      return only ? 2 : 1;
    }
    var s = w.summary();
    System.out.println();
    System.out.println("Median times in ms of the runs that worked; remote/native and "
        + "migrate/native: median over native median, whole run (JVM start included); "
        + "'OpenCL' the workload's OpenCL part");
    System.out.print(s.table());
    if (!s.failures().isEmpty() || !s.setupFailures().isEmpty()) {
      System.out.println();
      System.out.println("FAILED (left out of every figure):");
      for (String f : s.setupFailures()) System.out.println("  " + f);
      for (RunRecord r : s.failures()) {
        String e = r.error();
        System.out.println("  " + r.workload + " " + r.mode.label() + " " + r.run + ": "
            + (e.length() > 400 ? e.substring(0, 400) + " ..." : e));
      }
    }
    for (String n : w.notes()) System.out.println("note: " + n);
    System.out.println("report: " + dir.resolve(io.ava.bench.run.ResultsFiles.REPORT_HTML));
    return s.failures().isEmpty() && s.setupFailures().isEmpty() ? 0 : 1;
  }

  /**
   * {@code classPath} without ava-agent and ava-server jars (a test class path has them): agent
   * classes found on the application class path before the -javaagent jar break the agent.
   */
  static String workloadClassPath(String classPath) {
    List<String> kept = new ArrayList<>();
    for (String e : classPath.split(java.io.File.pathSeparator)) {
      String name = Path.of(e).getFileName() == null ? e : Path.of(e).getFileName().toString();
      if (name.startsWith("ava-agent") || name.startsWith("ava-server")) continue;
      kept.add(e);
    }
    return String.join(java.io.File.pathSeparator, kept);
  }

  static List<String> workloads(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.equalsIgnoreCase("all")) {
        for (String w : Workloads.names()) if (!out.contains(w)) out.add(w);
        continue;
      }
      String w = Workloads.byName(n.trim()).orElseThrow(() -> new IllegalArgumentException(
          "unknown workload '" + n + "' (one of " + Workloads.names() + ", or all)")).name();
      if (!out.contains(w)) out.add(w);
    }
    if (out.isEmpty()) throw new IllegalArgumentException("--workloads names no workload");
    return out;
  }

  /**
   * Makes the results folder; the results and logs of an earlier run there are removed. A folder
   * with other files and no runs.csv is refused (--out . must not wipe a logs/ folder).
   */
  static void prepare(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        boolean earlier = Files.exists(dir.resolve(ResultsFiles.RUNS_CSV))
            || Files.exists(dir.resolve(ResultsFiles.INFO_JSON));
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
          empty = s.findAny().isEmpty();
        }
        if (!earlier && !empty) {
          throw new IllegalArgumentException(dir + " is neither empty nor an earlier results "
              + "folder (no " + ResultsFiles.RUNS_CSV + "): choose another --out");
        }
        Path logs = dir.resolve("logs");
        if (earlier && Files.isDirectory(logs)) {
          try (Stream<Path> s = Files.walk(logs)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
          }
        }
      }
      Files.createDirectories(dir.resolve("logs"));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot prepare " + dir + ": " + e.getMessage());
    }
  }

  private Map<String, Object> info(RunSettings s, List<Mode> modes, List<String> workloads) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("benchmark", "run");
    m.put("started", Runner.now());
    m.put("complete", false);
    List<String> cmd = new ArrayList<>(List.of("ava-bench"));
    List<String> args = spec == null || spec.commandLine().getParseResult() == null ? List.of()
        : spec.commandLine().getParseResult().originalArgs();
    if (args.isEmpty() || !args.get(0).equals("run")) cmd.add("run");
    cmd.addAll(args);
    m.put("command", cmd);
    m.put("modes", modes.stream().map(Mode::label).toList());
    m.put("workloads", workloads);
    m.put("runs", runs);
    m.put("warmup_runs", warmup);
    m.put("size", s.size().label());
    m.put("seed", s.seed());
    m.put("transport", s.direct() ? "direct" : "grpc");
    m.put("server_jar", s.serverJar().toString());
    m.put("agent_jar", s.agentJar().toString());
    m.put("java", s.java());
    m.put("server_jvm_args", io.ava.bench.util.ServerProcess.jvmOptions(s.serverJvmArgs()));
    m.put("workload_jvm_args", s.workloadJvmArgs());
    m.put("child_timeout_s", s.childTimeoutS());
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("cpus", Runtime.getRuntime().availableProcessors());
    host.put("java", System.getProperty("java.version"));
    host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("host", host);
    return m;
  }
}

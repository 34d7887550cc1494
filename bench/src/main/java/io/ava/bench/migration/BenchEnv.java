package io.ava.bench.migration;

import io.ava.bench.overhead.WorkloadRun;
import io.ava.bench.util.ChildProcess;
import io.ava.bench.util.ServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the three parts share: the JVM and jars to run, where the logs go, the JVM settings of
 * servers and workloads, and how a workload JVM is forked under the agent.
 */
record BenchEnv(
    String java,
    String classPath,
    Path serverJar,
    Path agentJar,
    Path logDir,
    List<String> serverJvmArgs,
    List<String> workloadJvmArgs,
    double serverStartTimeoutS,
    double childTimeoutS,
    int platform,
    int device) {

  /**
   * Starts an ava-server with {@code --no-printf-capture} (one JVM per server: the workloads do not
   * printf, and the capture would re-exec a second JVM of the same size) and {@code extraArgs}.
   */
  ServerProcess startServer(List<String> extraArgs, Path log)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--no-printf-capture"));
    args.addAll(extraArgs);
    return ServerProcess.start(java, serverJvmArgs, serverJar, args, log, serverStartTimeoutS);
  }

  /**
   * Runs {@code mainClass} under the agent against {@code address}, with {@code env} added; its
   * output is parsed into a {@link WorkloadRun} (RESULT, INFO, WORKLOAD_ERROR lines), whose
   * {@code errors} also get a timeout, a non-zero exit or an OpenCL library loaded in the JVM.
   */
  Forked runWorkload(String name, String mainClass, List<String> args, Map<String, String> env,
      String address, Path log, Consumer<String> listener) throws InterruptedException {
    WorkloadRun run = new WorkloadRun(name);
    run.log = log;
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(workloadJvmArgs);
    cmd.add("-javaagent:" + agentJar.toAbsolutePath() + "=server=" + address);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    cmd.add("--platform");
    cmd.add(String.valueOf(platform));
    cmd.add("--device");
    cmd.add(String.valueOf(device));
    run.command = cmd;
    List<String> lines = List.of();
    long t0 = System.nanoTime();
    try (ChildProcess child = ChildProcess.start(name, cmd, env, log, listener)) {
      try {
        run.exitCode = child.waitFor((long) (childTimeoutS * 1000), TimeUnit.MILLISECONDS);
      } catch (ChildProcess.ChildTimeoutException e) {
        run.errors.add(e.getMessage());
      }
      lines = child.lines();
      run.parse(lines);
      if (run.exitCode != null && run.exitCode != 0 && run.errors.isEmpty()) {
        run.errors.add(name + " exited with status " + run.exitCode);
      }
      if (!run.ok()) {
        run.errors.add("last output of " + name + ":" + System.lineSeparator() + child.tail(20));
      }
    } catch (IOException e) {
      run.errors.add(e.getMessage());
    }
    run.wallSeconds = (System.nanoTime() - t0) / 1e9;
    return new Forked(run, lines);
  }

  /** A finished workload JVM: its parsed protocol lines, and all of its output. */
  record Forked(WorkloadRun run, List<String> lines) {}

  /** A free TCP port on the loopback address (free when asked: another process may take it). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

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
import java.util.function.Supplier;

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
   * {@code errors} also get a timeout or a non-zero exit. {@code abort} (may be null) is asked
   * every second while it runs: a reason from it kills the workload at once (a server that died
   * or ran out of memory leaves its client waiting until the timeout otherwise).
   */
  Forked runWorkload(String name, String mainClass, List<String> args, Map<String, String> env,
      String address, Path log, Consumer<String> listener, Supplier<String> abort)
      throws InterruptedException {
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
      long deadline = System.nanoTime() + (long) (childTimeoutS * 1e9);
      String why = null;
      while (child.isAlive() && System.nanoTime() < deadline
          && (why = abort == null ? null : abort.get()) == null) {
        child.process().waitFor(1, TimeUnit.SECONDS);
      }
      if (child.isAlive()) {
        child.stop(2_000); // SIGTERM first: the agent's exit hook still prints its call count
        run.errors.add(name + (why != null ? " was killed: " + why
            : " did not finish within " + childTimeoutS + " s and was killed"));
      } else {
        try {
          run.exitCode = child.waitFor(10, TimeUnit.SECONDS);
        } catch (ChildProcess.ChildTimeoutException e) {
          run.errors.add(e.getMessage());
        }
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

  /**
   * Why a workload against {@code servers} cannot go on, or null: one of them exited, or printed
   * an OutOfMemoryError (its threads die, the process lives on, and its clients wait forever).
   */
  static String serverTrouble(Map<String, ServerProcess> servers) {
    for (Map.Entry<String, ServerProcess> e : servers.entrySet()) {
      ServerProcess s = e.getValue();
      if (!s.isAlive()) {
        return e.getKey() + " exited; its last output:" + System.lineSeparator()
            + s.child().tail(15);
      }
      String tail = s.child().tail(80);
      if (tail.contains("OutOfMemoryError")) {
        return e.getKey() + " ran out of memory; its last output:" + System.lineSeparator()
            + s.child().tail(15);
      }
    }
    return null;
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

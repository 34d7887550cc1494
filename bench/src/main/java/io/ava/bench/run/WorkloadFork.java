package io.ava.bench.run;

import io.ava.bench.util.ChildProcess;
import io.ava.bench.workloads.WorkloadMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One forked JVM running {@code WorkloadMain <name> --size S --seed N}, natively or under the
 * agent. Its stdout goes to a file of its own, byte for byte, to be compared with the native
 * reference run's; its stderr (the workload's times, the agent's messages) to a log.
 */
final class WorkloadFork {

  /** {@code <name>: <ms> ms (OpenCL <ms> ms...}: what WorkloadMain prints on stderr. */
  static final Pattern TIMES = Pattern.compile("^(\\S+): (\\d+) ms \\(OpenCL (\\d+) ms");

  /**
   * What the fork did. {@code problem} is set when it did not exit by itself (timeout, a server in
   * trouble) or could not start; {@code exitCode} is then null.
   */
  record Result(Integer exitCode, String stdout, List<String> stderr, double wallMs,
      Double workloadMs, Double openClMs, String problem) {

    /** The last {@code n} stderr lines, for error messages. */
    String stderrTail(int n) {
      return String.join("\n", stderr.subList(Math.max(0, stderr.size() - n), stderr.size()));
    }
  }

  private WorkloadFork() {}

  /** The command line: {@code agentAddress} null runs natively. */
  static List<String> command(RunSettings s, String workload, String agentAddress) {
    List<String> cmd = new ArrayList<>();
    cmd.add(s.java());
    cmd.addAll(s.workloadJvmArgs());
    if (agentAddress != null) {
      cmd.add("-javaagent:" + s.agentJar().toAbsolutePath() + "=server=" + agentAddress);
    }
    cmd.add("-cp");
    cmd.add(s.classPath());
    cmd.add(WorkloadMain.class.getName());
    cmd.add(workload);
    cmd.add("--size");
    cmd.add(s.size().label());
    cmd.add("--seed");
    cmd.add(String.valueOf(s.seed()));
    return cmd;
  }

  /**
   * Runs the workload and waits for it (at most the child timeout). {@code abort} (may be null) is
   * asked every 200 ms: a reason from it kills the workload (a client whose server died would wait
   * until the timeout otherwise).
   */
  static Result run(RunSettings s, String workload, String agentAddress, Map<String, String> env,
      Path stdoutFile, Path stderrLog, Supplier<String> abort) throws InterruptedException {
    List<String> cmd = command(s, workload, agentAddress);
    long t0 = System.nanoTime();
    ChildProcess child;
    try {
      child = ChildProcess.startWithStdoutTo(workload, cmd, env, stdoutFile, stderrLog, null);
    } catch (IOException e) {
      return new Result(null, "", List.of(), 0, null, null, e.getMessage());
    }
    String problem = null;
    Integer exit = null;
    long t1;
    try (child) {
      long deadline = t0 + (long) (s.childTimeoutS() * 1e9);
      String why = null;
      while (child.isAlive() && System.nanoTime() < deadline
          && (why = abort == null ? null : abort.get()) == null) {
        child.process().waitFor(200, TimeUnit.MILLISECONDS);
      }
      t1 = System.nanoTime();
      if (child.isAlive()) {
        child.stop(2_000); // SIGTERM first: the agent's exit hook still prints what it knows
        problem = why != null ? "killed: " + why
            : "did not finish within " + s.childTimeoutS() + " s and was killed";
      } else {
        try {
          exit = child.waitFor(10, TimeUnit.SECONDS); // drains the rest of stderr
        } catch (ChildProcess.ChildTimeoutException e) {
          problem = e.getMessage();
        }
      }
      List<String> err = child.lines();
      String out;
      try {
        out = Files.readString(stdoutFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        out = "";
        if (problem == null) problem = "cannot read its stdout: " + e.getMessage();
      }
      Double workloadMs = null;
      Double openClMs = null;
      for (String line : err) {
        Matcher m = TIMES.matcher(line);
        if (m.find() && m.group(1).equals(workload)) {
          workloadMs = Double.valueOf(m.group(2));
          openClMs = Double.valueOf(m.group(3));
        }
      }
      return new Result(exit, out, err, (t1 - t0) / 1e6, workloadMs, openClMs, problem);
    }
  }
}

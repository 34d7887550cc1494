package io.ava.bench.util;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A forked process whose stdout and stderr (merged) are drained by a daemon thread into a log file,
 * a bounded tail for error messages, and an optional line listener. Every child is registered with
 * a shutdown hook, so that none outlives the benchmark (Ctrl-C included), and is killed with its
 * descendants on timeout or {@link #close()}.
 */
public final class ChildProcess implements AutoCloseable {

  private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> {
          for (ChildProcess c : LIVE) c.killTree();
        }, "ava-bench-child-reaper"));
  }

  private static final int TAIL_LINES = 80;

  private final String name;
  private final Process process;
  private final Thread pump;
  private final Deque<String> tail = new ArrayDeque<>();
  private final List<String> lines = new ArrayList<>();
  private final Path log;

  private ChildProcess(String name, Process process, Path log, Consumer<String> listener)
      throws IOException {
    this(name, process, log, listener, process.getInputStream());
  }

  private ChildProcess(String name, Process process, Path log, Consumer<String> listener,
      java.io.InputStream drained) throws IOException {
    this.name = name;
    this.process = process;
    this.log = log;
    LIVE.add(this);
    PrintWriter logOut =
        log == null
            ? null
            : new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
    this.pump = new Thread(() -> drain(drained, logOut, listener), "ava-bench-pump-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts {@code command}. {@code log} (may be null) receives all output; {@code listener} (may be
   * null) is called on the pump thread for each line.
   */
  public static ChildProcess start(
      String name, List<String> command, Path log, Consumer<String> listener) throws IOException {
    return start(name, command, java.util.Map.of(), log, listener);
  }

  /** As {@link #start(String, List, Path, Consumer)}, with {@code env} added to the environment. */
  public static ChildProcess start(
      String name, List<String> command, java.util.Map<String, String> env, Path log,
      Consumer<String> listener) throws IOException {
    if (log != null && log.getParent() != null) Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot start " + name + " (" + String.join(" ", command) + "): "
          + e.getMessage(), e);
    }
    return new ChildProcess(name, p, log, listener);
  }

  /**
   * As {@link #start(String, List, java.util.Map, Path, Consumer)}, but stdout goes to {@code
   * stdoutFile} alone, byte for byte (for output that is compared with another run's); the log,
   * {@link #lines()}, {@link #tail(int)} and the listener then see stderr only.
   */
  public static ChildProcess startWithStdoutTo(
      String name, List<String> command, java.util.Map<String, String> env, Path stdoutFile,
      Path log, Consumer<String> listener) throws IOException {
    if (log != null && log.getParent() != null) Files.createDirectories(log.getParent());
    if (stdoutFile.getParent() != null) Files.createDirectories(stdoutFile.getParent());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectOutput(stdoutFile.toFile());
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot start " + name + " (" + String.join(" ", command) + "): "
          + e.getMessage(), e);
    }
    return new ChildProcess(name, p, log, listener, p.getErrorStream());
  }

  private void drain(java.io.InputStream in, PrintWriter logOut, Consumer<String> listener) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (logOut != null) logOut.println(line);
        synchronized (this) {
          lines.add(line);
          if (lines.size() > 100_000) lines.remove(0); // a runaway child must not eat the heap
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) tail.removeFirst();
        }
        if (listener != null) {
          try {
            listener.accept(line);
          } catch (RuntimeException ignored) {
            // a listener bug must not stop the draining
          }
        }
      }
    } catch (IOException ignored) {
      // stream closed: the process is gone
    } finally {
      if (logOut != null) logOut.close();
    }
  }

  public String name() {
    return name;
  }

  public Process process() {
    return process;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** All output lines so far (merged stdout/stderr). */
  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** The last lines of output, for error messages. */
  public synchronized String tail(int max) {
    List<String> t = new ArrayList<>(tail);
    int from = Math.max(0, t.size() - max);
    return String.join(System.lineSeparator(), t.subList(from, t.size()));
  }

  /**
   * Waits for the process to exit and its output to be drained. On timeout the process tree is
   * killed and a {@link ChildTimeoutException} is thrown.
   */
  public int waitFor(long timeout, TimeUnit unit) throws InterruptedException, ChildTimeoutException {
    if (!process.waitFor(timeout, unit)) {
      killTree();
      pump.join(2_000);
      throw new ChildTimeoutException(
          name + " did not finish within " + unit.toSeconds(timeout) + " s and was killed");
    }
    pump.join(5_000);
    LIVE.remove(this);
    return process.exitValue();
  }

  /** Asks the process to stop (SIGTERM), then kills it and its descendants after the grace time. */
  public void stop(long graceMillis) {
    if (process.isAlive()) {
      process.destroy();
      try {
        process.waitFor(graceMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    killTree();
    try {
      pump.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the process and everything it started, at once. */
  public void killTree() {
    try {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
    } catch (RuntimeException ignored) {
      // best effort
    }
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(this);
  }

  @Override
  public void close() {
    if (process.isAlive()) killTree();
    LIVE.remove(this);
  }

  /** Thrown when a child runs past its time limit. */
  public static final class ChildTimeoutException extends Exception {
    public ChildTimeoutException(String message) {
      super(message);
    }
  }
}

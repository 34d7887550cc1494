package io.ava.bench.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code ava-server} process started for a benchmark: {@code java -jar ava-server.jar --port 0
 * --bind 127.0.0.1 [extra...]}, ready when it prints {@code ava-server listening on HOST:PORT}.
 */
public final class ServerProcess implements AutoCloseable {

  /** The readiness line; the port is the last group. IPv6 hosts may come in brackets. */
  public static final Pattern LISTENING =
      Pattern.compile("ava-server listening on (\\[[^\\]]*\\]|[^\\s]+):(\\d+)");

  /** The direct port on the same line, when the server was started with {@code --direct-port}. */
  static final Pattern DIRECT = Pattern.compile("; direct port (\\d+)");

  private final ChildProcess child;
  private final String host;
  private final int port;
  private final int directPort;

  private ServerProcess(ChildProcess child, String host, int port, int directPort) {
    this.child = child;
    this.host = host;
    this.port = port;
    this.directPort = directPort;
  }

  /**
   * JVM options every server started here gets, as bin/ava-server and the Docker image give
   * them: C1 only. On a machine whose OpenCL device is its CPU, C2 kept recompiling the
   * dispatch path (0.7-0.9 s of CPU per srad run, still on the fourth run against one server),
   * and that CPU is taken from the kernels. Pass {@code -XX:TieredStopAtLevel=4} to undo it.
   */
  public static final List<String> JIT_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

  /** The JVM options a server started with {@code jvmArgs} gets: ours first, so the caller's win. */
  public static List<String> jvmOptions(List<String> jvmArgs) {
    List<String> all = new ArrayList<>(JIT_OPTIONS);
    all.addAll(jvmArgs);
    return all;
  }

  /** The glibc setting every server started here gets (ava-server's MallocTunables.SETTING). */
  public static final String MALLOC_SETTING = "glibc.malloc.mmap_threshold=131072";

  /**
   * What a server started here gets added to {@code inherited}, as bin/ava-server and the Docker
   * image give it: a fixed glibc mmap threshold (ava-server's {@code MallocTunables} says why; that
   * class is not on this jar's class path); a threshold of the caller's own is kept.
   */
  public static Map<String, String> environment(Map<String, String> inherited) {
    String own = inherited.get("GLIBC_TUNABLES");
    String value;
    if (own == null || own.isEmpty()) {
      value = MALLOC_SETTING;
    } else if ((":" + own).contains(":glibc.malloc.mmap_threshold=")) {
      value = own;
    } else {
      value = own + ":" + MALLOC_SETTING;
    }
    return Map.of("GLIBC_TUNABLES", value);
  }

  /**
   * Starts the server and waits for its readiness line.
   *
   * @throws IOException with the server's last output when it exits, or does not announce itself
   *     within {@code startTimeoutS}; the process is killed in that case
   */
  public static ServerProcess start(
      String java, List<String> jvmArgs, Path serverJar, List<String> extraArgs, Path log,
      double startTimeoutS) throws IOException, InterruptedException {
    if (!Files.isRegularFile(serverJar)) {
      throw new IOException("ava-server jar not found: " + serverJar.toAbsolutePath()
          + " (build it, or pass --server-jar)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmOptions(jvmArgs));
    cmd.add("-jar");
    cmd.add(serverJar.toString());
    cmd.add("--port");
    cmd.add("0");
    cmd.add("--bind");
    cmd.add("127.0.0.1");
    cmd.addAll(extraArgs);
    CompletableFuture<int[]> ready = new CompletableFuture<>();
    int[] directBox = new int[1];
    String[] hostBox = new String[1];
    ChildProcess child =
        ChildProcess.start("ava-server", cmd, environment(System.getenv()), log, line -> {
          Matcher m = LISTENING.matcher(line);
          if (!ready.isDone() && m.find()) {
            hostBox[0] = m.group(1);
            Matcher d = DIRECT.matcher(line);
            if (d.find()) directBox[0] = Integer.parseInt(d.group(1));
            ready.complete(new int[] {Integer.parseInt(m.group(2))});
          }
        });
    child.process().onExit().thenRun(() -> ready.completeExceptionally(
        new IllegalStateException("exited")));
    long deadline = System.nanoTime() + (long) (startTimeoutS * 1e9);
    try {
      int port = ready.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)[0];
      if (port <= 0) {
        throw new IOException("ava-server announced port " + port);
      }
      String host = hostBox[0];
      if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
      return new ServerProcess(child, host, port, directBox[0]);
    } catch (ExecutionException e) {
      // the process exited before announcing itself; let the pump finish the output
      Thread.sleep(200);
      int rc = child.process().exitValue();
      child.close();
      throw new IOException("ava-server exited with status " + rc
          + " before printing 'ava-server listening on HOST:PORT'. Command: "
          + String.join(" ", cmd) + "\n--- last output ---\n" + child.tail(40));
    } catch (TimeoutException e) {
      child.close();
      throw new IOException("ava-server did not print 'ava-server listening on HOST:PORT' within "
          + startTimeoutS + " s; killed. Command: " + String.join(" ", cmd)
          + "\n--- last output ---\n" + child.tail(40));
    } catch (IOException | RuntimeException | InterruptedException e) {
      child.close();
      throw e;
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** What an agent is given: {@code direct://HOST:PORT} when asked for and offered, else HOST:PORT. */
  public String clientAddress(boolean direct) {
    return direct && directPort > 0 ? "direct://" + host + ":" + directPort : host + ":" + port;
  }

  public boolean isAlive() {
    return child.isAlive();
  }

  public ChildProcess child() {
    return child;
  }

  /** Stops the server: SIGTERM, then a forced kill after 5 s. */
  @Override
  public void close() {
    child.stop(5_000);
  }
}

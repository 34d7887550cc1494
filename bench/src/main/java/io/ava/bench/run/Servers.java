package io.ava.bench.run;

import io.ava.bench.util.ServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The ava-servers of an experiment, on this machine, each with {@code --no-printf-capture} (one
 * JVM per server; the workloads do not printf): for remote, one plain server; for migrate, A
 * ({@code --migrate-to} B's migration port, {@code --migration-log}) and B ({@code
 * --migrate-listen}). They start side by side, and are replaced when one dies or runs out of
 * memory (said on the progress output, counted in run-info.json).
 */
final class Servers implements AutoCloseable {

  private final RunSettings settings;
  private final Path dir;
  private final boolean wantRemote;
  private final boolean wantPair;
  private final List<String> events = new ArrayList<>();
  ServerProcess remote;
  ServerProcess a;
  ServerProcess b;
  Path migrationLog;
  private int generation;

  Servers(RunSettings settings, Path dir, boolean wantRemote, boolean wantPair) {
    this.settings = settings;
    this.dir = dir;
    this.wantRemote = wantRemote;
    this.wantPair = wantPair;
  }

  /** Starts what is wanted and not running; on failure none of them is left running. */
  void start() throws IOException {
    Files.createDirectories(dir);
    String tag = generation == 0 ? "" : "-restart" + generation;
    CompletableFuture<ServerProcess> rf = null;
    CompletableFuture<ServerProcess> af = null;
    CompletableFuture<ServerProcess> bf = null;
    Path log = dir.resolve("migration" + tag + ".log");
    if (wantRemote && remote == null) {
      rf = CompletableFuture.supplyAsync(() -> startOne(List.of(), "server-remote" + tag));
    }
    if (wantPair && a == null) {
      int migPort = freePort();
      Files.deleteIfExists(log);
      bf = CompletableFuture.supplyAsync(() ->
          startOne(List.of("--migrate-listen", String.valueOf(migPort)), "server-b" + tag));
      af = CompletableFuture.supplyAsync(() -> startOne(List.of("--migrate-to",
          "127.0.0.1:" + migPort, "--migration-log", log.toString()), "server-a" + tag));
    }
    List<String> failures = new ArrayList<>();
    if (rf != null) remote = join(rf, "the remote server", failures);
    if (af != null) {
      a = join(af, "server A", failures);
      b = join(bf, "server B", failures);
      migrationLog = log;
    }
    if (!failures.isEmpty()) {
      close();
      remote = a = b = null;
      throw new IOException(String.join("\n", failures));
    }
  }

  private static ServerProcess join(CompletableFuture<ServerProcess> f, String who,
      List<String> failures) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      failures.add(who + ": " + c.getMessage());
      return null;
    }
  }

  private ServerProcess startOne(List<String> extra, String name) {
    List<String> args = new ArrayList<>(List.of("--no-printf-capture"));
    if (settings.direct()) {
      args.addAll(List.of("--direct-port", "0"));
    }
    args.addAll(extra);
    try {
      return ServerProcess.start(settings.java(), settings.serverJvmArgs(), settings.serverJar(),
          args, dir.resolve(name + ".log"), settings.serverStartTimeoutS());
    } catch (IOException | InterruptedException e) {
      throw new CompletionException(e);
    }
  }

  static String address(ServerProcess s) {
    return s.host() + ":" + s.port();
  }

  /** The address the workloads' agents connect to (the direct port with {@code --transport direct}). */
  String clientAddress(ServerProcess s) {
    return s.clientAddress(settings.direct());
  }

  /** Why a run in this mode cannot go on, or null: a server it uses exited or ran out of memory. */
  String trouble(Mode mode) {
    if (mode == Mode.REMOTE) return trouble("the remote server", remote);
    if (mode == Mode.MIGRATE) {
      String t = trouble("server A", a);
      return t != null ? t : trouble("server B", b);
    }
    return null;
  }

  private static String trouble(String who, ServerProcess s) {
    if (s == null) return who + " is not running";
    if (!s.isAlive()) {
      return who + " exited; its last output:\n" + s.child().tail(15);
    }
    if (s.child().tail(80).contains("OutOfMemoryError")) {
      return who + " ran out of memory; its last output:\n" + s.child().tail(15);
    }
    return null;
  }

  /**
   * Replaces the servers of {@code mode} when they are in trouble; returns what happened (for the
   * progress output), or null when nothing had to be done.
   */
  String restartIfNeeded(Mode mode) {
    String t = trouble(mode);
    if (t == null) return null;
    generation++;
    if (mode == Mode.REMOTE) {
      if (remote != null) remote.close();
      remote = null;
    } else {
      if (a != null) a.close();
      if (b != null) b.close();
      a = null;
      b = null;
    }
    String event = "restarting the " + (mode == Mode.REMOTE ? "remote server" : "servers A and B")
        + ": " + t.lines().findFirst().orElse(t);
    events.add(event);
    try {
      start();
    } catch (IOException e) {
      events.add("restart failed: " + e.getMessage());
      return event + "; restart failed: " + e.getMessage();
    }
    return event;
  }

  List<String> events() {
    return events;
  }

  @Override
  public void close() {
    for (ServerProcess s : new ServerProcess[] {remote, a, b}) {
      if (s != null) s.close();
    }
  }

  /** A free TCP port on the loopback address (free when asked: another process may take it). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

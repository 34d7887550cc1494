package io.ava.bench.migration;

import io.ava.bench.util.ServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Two ava-servers for migrations on this machine: A, where the workloads start, with {@code
 * --migrate-to} B and a {@code --migration-log}; B with {@code --migrate-listen} on a free port.
 * They start side by side (each is a JVM start of a second or two).
 */
final class ServerPair implements AutoCloseable {
  final ServerProcess a;
  final ServerProcess b;
  final Path migrationLog;

  private ServerPair(ServerProcess a, ServerProcess b, Path migrationLog) {
    this.a = a;
    this.b = b;
    this.migrationLog = migrationLog;
  }

  static ServerPair start(BenchEnv env, Path dir, String tag)
      throws IOException, InterruptedException {
    Path migrationLog = dir.resolve("migration" + tag + ".log");
    java.nio.file.Files.deleteIfExists(migrationLog);
    int migPort = BenchEnv.freePort();
    CompletableFuture<ServerProcess> bStart = CompletableFuture.supplyAsync(() -> {
      try {
        return env.startServer(List.of("--migrate-listen", String.valueOf(migPort)),
            dir.resolve("server-b" + tag + ".log"));
      } catch (IOException | InterruptedException e) {
        throw new CompletionException(e);
      }
    });
    ServerProcess a;
    try {
      a = env.startServer(List.of("--migrate-to", "127.0.0.1:" + migPort,
          "--migration-log", migrationLog.toString()), dir.resolve("server-a" + tag + ".log"));
    } catch (IOException | InterruptedException | RuntimeException e) {
      try {
        bStart.join().close();
      } catch (CompletionException ignored) {
        // A's failure is the one to report
      }
      throw e;
    }
    try {
      return new ServerPair(a, bStart.join(), migrationLog);
    } catch (CompletionException e) {
      a.close();
      throw new IOException("server B: " + e.getCause().getMessage(), e.getCause());
    }
  }

  String addressA() {
    return a.host() + ":" + a.port();
  }

  String addressB() {
    return b.host() + ":" + b.port();
  }

  /** Why a workload against this pair cannot go on, or null. */
  String trouble() {
    Map<String, ServerProcess> m = new LinkedHashMap<>();
    m.put("server A", a);
    m.put("server B", b);
    return BenchEnv.serverTrouble(m);
  }

  @Override
  public void close() {
    a.close();
    b.close();
  }
}

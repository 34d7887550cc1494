package io.ava.bench.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.fake.FakeJars;
import io.ava.server.nativeheap.MallocTunables;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessTest {
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path dir;

  @Test
  void startsAndStops() throws Exception {
    Path jar = FakeJars.serverJar(dir);
    ServerProcess s = ServerProcess.start(JAVA, List.of(), jar, List.of("--fake-mode", "ok"),
        dir.resolve("server.log"), 30);
    try {
      assertTrue(s.port() > 0);
      try (Socket c = new Socket(s.host(), s.port())) {
        assertTrue(c.isConnected());
      }
    } finally {
      s.close();
    }
    assertFalse(s.isAlive());
  }

  @Test
  void serversRunC1OnlyUnlessTheCallerSaysOtherwise() throws Exception {
    Path jar = FakeJars.serverJar(dir);
    for (String[] c : new String[][] {{"", "1"}, {"-XX:TieredStopAtLevel=4", "4"}}) {
      Path log = dir.resolve("server-" + c[1] + ".log");
      ServerProcess s = ServerProcess.start(JAVA, c[0].isEmpty() ? List.of() : List.of(c[0]), jar,
          List.of("--fake-mode", "ok"), log, 30);
      try {
        String out = java.nio.file.Files.readString(log);
        assertTrue(out.contains("TieredStopAtLevel=" + c[1] + "\n"), out);
      } finally {
        s.close();
      }
    }
  }

  @Test
  void serversRunWithAFixedMmapThresholdUnlessTheCallerSetsOne() throws Exception {
    Path jar = FakeJars.serverJar(dir);
    ServerProcess s = ServerProcess.start(JAVA, List.of(), jar, List.of("--fake-mode", "ok"),
        dir.resolve("server.log"), 30);
    try {
      String out = java.nio.file.Files.readString(dir.resolve("server.log"));
      String inherited = System.getenv("GLIBC_TUNABLES");
      assertTrue(out.contains("GLIBC_TUNABLES=" + MallocTunables.with(inherited) + "\n"), out);
      assertTrue(out.contains("glibc.malloc.mmap_threshold="), out);
    } finally {
      s.close();
    }
    assertEquals(MallocTunables.SETTING, ServerProcess.MALLOC_SETTING);
    assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=1"),
        ServerProcess.environment(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=1")));
    assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:" + MallocTunables.SETTING),
        ServerProcess.environment(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")));
  }

  @Test
  void exitBeforeReadyIsAClearError() throws Exception {
    Path jar = FakeJars.serverJar(dir);
    IOException e = assertThrows(IOException.class, () -> ServerProcess.start(JAVA, List.of(), jar,
        List.of("--fake-mode", "exit"), dir.resolve("server.log"), 30));
    assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot open device"), e.getMessage());
  }

  @Test
  void silentServerTimesOutAndIsKilled() throws Exception {
    Path jar = FakeJars.serverJar(dir);
    long t0 = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> ServerProcess.start(JAVA, List.of(), jar,
        List.of("--fake-mode", "silent"), dir.resolve("server.log"), 3));
    assertTrue(e.getMessage().contains("within 3.0 s"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15));
    // no java child of ours is left running the fake server
    assertTrue(ProcessHandle.current().children().noneMatch(
        p -> p.info().commandLine().orElse("").contains("fake-server.jar")));
  }

  @Test
  void missingJar() {
    IOException e = assertThrows(IOException.class, () -> ServerProcess.start(JAVA, List.of(),
        dir.resolve("nope.jar"), List.of(), dir.resolve("server.log"), 3));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void childTimeoutKillsTree() throws Exception {
    ChildProcess c = ChildProcess.start("sleeper",
        List.of("sh", "-c", "sleep 300 & sleep 300; echo never"), dir.resolve("c.log"), null);
    Thread.sleep(300);
    List<ProcessHandle> desc = c.process().descendants().toList();
    assertThrows(ChildProcess.ChildTimeoutException.class, () -> c.waitFor(1, TimeUnit.SECONDS));
    assertFalse(c.isAlive());
    for (ProcessHandle h : desc) {
      h.onExit().get(5, TimeUnit.SECONDS);
      assertFalse(h.isAlive());
    }
  }
}

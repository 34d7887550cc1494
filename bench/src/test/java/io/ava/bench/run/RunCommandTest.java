package io.ava.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.BenchMain;
import io.ava.bench.fake.FakeJars;
import io.ava.bench.report.ReportWriter;
import io.ava.bench.util.JsonReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.imageio.ImageIO;
import org.jocl.CL;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ava-bench run} end to end through picocli, forking real workload JVMs (PoCL: needs an
 * OpenCL platform, as the other tests do). The real servers and agent come from the reactor's
 * server/target and agent/target (or -Dava.server.jar / -Dava.agent.jar).
 */
class RunCommandTest {
  @TempDir Path dir;

  @BeforeAll
  static void needsOpenCl() {
    boolean ok;
    try {
      int[] n = new int[1];
      CL.clGetPlatformIDs(0, null, n);
      ok = n[0] > 0;
    } catch (Throwable t) {
      ok = false;
    }
    assertTrue(ok, "no OpenCL platform: install pocl-opencl-icd and ocl-icd-opencl-dev "
        + "(./test.sh does)");
  }

  private static int run(StringBuilder output, String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return new CommandLine(new BenchMain()).execute(args);
    } finally {
      System.setOut(old);
      output.append(buf.toString(StandardCharsets.UTF_8));
    }
  }

  /** A jar of the repository's modules: -D property, else ../MODULE/target/NAME. */
  private static Path repoJar(String property, String module, String name) {
    String p = System.getProperty(property);
    return (p != null ? Path.of(p)
        : Path.of(System.getProperty("basedir", "."), "..", module, "target", name))
        .toAbsolutePath().normalize();
  }

  @Test
  void nativeRemoteAndMigrateAgainstRealServers() throws Exception {
    Path server = repoJar("ava.server.jar", "server", "ava-server.jar");
    Path agent = repoJar("ava.agent.jar", "agent", "ava-agent.jar");
    if (!Files.isRegularFile(server) || !Files.isRegularFile(agent)) {
      System.err.println("\n*** RunCommandTest SKIPPED the end-to-end run: " + server + " or "
          + agent + " is missing (package the server and agent modules first) ***\n");
    }
    Assumptions.assumeTrue(Files.isRegularFile(server) && Files.isRegularFile(agent),
        "ava-server.jar / ava-agent.jar not built");
    Path out = dir.resolve("run");
    StringBuilder sb = new StringBuilder();
    long t0 = System.nanoTime();
    int rc = run(sb, "run", "--mode", "native,remote,migrate", "--workloads", "nw,pathfinder",
        "--runs", "1", "--size", "small", "--out", out.toString(), "--progress", "lines",
        "--server-jar", server.toString(), "--agent-jar", agent.toString(),
        "--migration-results", dir.resolve("none.json").toString(),
        "--overhead-results", dir.resolve("none.json").toString(), "--child-timeout", "90");
    String text = sb.toString();
    assertEquals(0, rc, text);
    System.err.printf("RunCommandTest: end-to-end run took %.1f s%n",
        (System.nanoTime() - t0) / 1e9);

    List<RunRecord> rows = ReportWriter.readRuns(out.resolve(ResultsFiles.RUNS_CSV));
    assertEquals(6, rows.size(), text);
    for (RunRecord r : rows) {
      assertTrue(r.ok, r.mode + " " + r.workload + ": " + r.error());
      assertNotNull(r.wallMs);
      assertNotNull(r.openClMs, "the workload's time from its stderr");
      assertTrue(Files.isRegularFile(out.resolve(r.log)), r.log);
      if (r.mode == Mode.MIGRATE) {
        assertNotNull(r.callIndex);
        assertTrue(r.callIndex >= 0 && r.callIndex < r.callCount, r.callIndex + "/" + r.callCount);
        assertNotNull(r.downtimeMs);
        assertNotNull(r.migrationTotalMs);
        assertNotNull(r.movedTo);
      } else {
        assertNull(r.callIndex);
      }
    }
    // per workload: reference, calibration, one uncounted remote warm-up, three runs
    assertTrue(text.contains("[run] 12/12 "), text);
    assertTrue(text.contains("nw remote warm-up 1/1 (not counted): ok"), text);
    assertTrue(text.lines().anyMatch(l -> l.startsWith("geomean")), text);
    Map<String, Object> summary =
        JsonReader.parseObject(Files.readString(out.resolve(ResultsFiles.SUMMARY_JSON)));
    assertEquals(2.0, ((Map<?, ?>) summary.get("migration")).get("succeeded"));
    Map<String, Object> info =
        JsonReader.parseObject(Files.readString(out.resolve(ResultsFiles.INFO_JSON)));
    assertEquals(Boolean.TRUE, info.get("complete"));
    Map<?, ?> cal = (Map<?, ?>) ((Map<?, ?>) info.get("calibrations")).get("nw");
    assertTrue(((Number) cal.get("call_count")).longValue() > 10, String.valueOf(cal));
    String html = Files.readString(out.resolve(ResultsFiles.REPORT_HTML));
    assertTrue(html.contains("<img src=\"slowdown.png\""), html);
    assertTrue(html.contains("<img src=\"migration-calls.png\""), html);
    assertTrue(html.contains("none.json not found"), html);
    assertNotNull(ImageIO.read(out.resolve("slowdown.png").toFile()));
    assertTrue(Files.size(out.resolve("logs/servers/migration.log")) > 0);

    // --report-only rebuilds the report from the folder
    Files.delete(out.resolve(ResultsFiles.REPORT_HTML));
    Files.delete(out.resolve("slowdown.png"));
    StringBuilder again = new StringBuilder();
    assertEquals(0, run(again, "run", "--report-only", "--out", out.toString(),
        "--migration-results", dir.resolve("none.json").toString(),
        "--overhead-results", dir.resolve("none.json").toString()), again.toString());
    assertTrue(Files.isRegularFile(out.resolve(ResultsFiles.REPORT_HTML)));
    assertNotNull(ImageIO.read(out.resolve("slowdown.png").toFile()));
  }

  @Test
  void aWrongResultIsAFailureAndNotAveragedIn() throws Exception {
    Path agent = jar(dir.resolve("corrupting-agent.jar"), CorruptingAgent.class,
        new Attributes.Name("Premain-Class"));
    Path out = dir.resolve("run");
    StringBuilder sb = new StringBuilder();
    int rc = run(sb, "run", "--mode", "native,remote", "--workloads", "pathfinder",
        "--runs", "1", "--size", "small", "--out", out.toString(), "--progress", "lines",
        "--server-jar", FakeJars.serverJar(dir).toString(), "--agent-jar", agent.toString(),
        "--migration-results", dir.resolve("none.json").toString(),
        "--overhead-results", dir.resolve("none.json").toString(), "--child-timeout", "60");
    String text = sb.toString();
    assertEquals(1, rc, text);
    List<RunRecord> rows = ReportWriter.readRuns(out.resolve(ResultsFiles.RUNS_CSV));
    assertEquals(2, rows.size());
    assertTrue(rows.get(0).ok, rows.get(0).error());
    RunRecord bad = rows.get(1);
    assertEquals(Mode.REMOTE, bad.mode);
    assertFalse(bad.ok);
    assertTrue(bad.error().startsWith("wrong result: its stdout differs from the native run's: "
        + "line 2: native 'pathfinder: checksum "), bad.error());
    assertTrue(text.contains("FAILED (left out of every figure):"), text);
    String json = Files.readString(out.resolve(ResultsFiles.SUMMARY_JSON));
    Map<?, ?> remote = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) JsonReader.parseObject(json)
        .get("workloads")).get("pathfinder")).get("remote");
    assertEquals(0.0, remote.get("ok"));
    assertNull(((Map<?, ?>) remote.get("wall_ms")).get("median"), "not averaged in");
    assertTrue(Files.readString(out.resolve(ResultsFiles.REPORT_HTML)).contains("wrong result"));
  }

  @Test
  void helpNamesEveryWorkload() {
    StringBuilder sb = new StringBuilder();
    assertEquals(0, run(sb, "run", "--help"));
    String help = sb.toString().replaceAll("\\s+", " ");
    int from = help.indexOf("(default: all):");
    assertTrue(from > 0, help);
    List<String> listed = List.of(help.substring(from + "(default: all):".length(),
        help.indexOf("--runs=N", from)).trim().split(", "));
    assertEquals(io.ava.bench.workloads.Workloads.names(), listed);
  }

  @Test
  void badArguments() {
    StringBuilder sb = new StringBuilder();
    assertEquals(2, run(sb, "run", "--mode", "native,teleport", "--out",
        dir.resolve("x").toString()));
    assertEquals(2, run(sb, "run", "--workloads", "nosuch", "--out",
        dir.resolve("x").toString()));
    assertEquals(2, run(sb, "run", "--report-only", "--out", dir.resolve("empty").toString()));
  }

  @Test
  void aFolderWithOtherFilesIsNotTakenOver() throws Exception {
    Path other = dir.resolve("other");
    Files.createDirectories(other.resolve("logs"));
    Files.writeString(other.resolve("keep.txt"), "mine");
    StringBuilder sb = new StringBuilder();
    assertEquals(2, run(sb, "run", "--mode", "native", "--out", other.toString()));
    assertTrue(Files.exists(other.resolve("keep.txt")));
    assertTrue(Files.isDirectory(other.resolve("logs")));
  }

  private static Path jar(Path file, Class<?> cls, Attributes.Name attr) throws Exception {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(attr, cls.getName());
    try (OutputStream os = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(os, mf)) {
      String prefix = cls.getName().replace('.', '/');
      for (String entry : List.of(prefix + ".class", prefix + "$LineRewriter.class")) {
        try (InputStream in = cls.getClassLoader().getResourceAsStream(entry)) {
          jar.putNextEntry(new JarEntry(entry));
          in.transferTo(jar);
          jar.closeEntry();
        }
      }
    }
    return file;
  }
}

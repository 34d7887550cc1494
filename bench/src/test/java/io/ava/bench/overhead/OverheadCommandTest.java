package io.ava.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.BenchMain;
import io.ava.bench.fake.FakeJars;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jocl.CL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** End to end through picocli; needs a real OpenCL platform (fails without one: ./test.sh installs PoCL). */
class OverheadCommandTest {
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
    assertTrue(ok, "no OpenCL platform: install pocl-opencl-icd and ocl-icd-opencl-dev (./test.sh does)");
  }

  private int run(StringBuilder output, String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true));
    try {
      return new CommandLine(new BenchMain()).execute(args);
    } finally {
      System.setOut(old);
      output.append(buf);
    }
  }

  @Test
  void nativeOnlyQuick() throws Exception {
    Path out = dir.resolve("o.json");
    StringBuilder sb = new StringBuilder();
    int rc = run(sb, "overhead", "--native-only", "--quick", "--out", out.toString(),
        "--workload-arg", "--rtt-iters", "--workload-arg", "500",
        "--workload-arg", "--bulk-mib", "--workload-arg", "4");
    assertEquals(0, rc, sb.toString());
    String json = Files.readString(out);
    assertTrue(json.contains("\"rtt_median_us\""), json);
    assertTrue(json.contains("\"launches_per_s\""), json);
    assertTrue(json.contains("\"mb_s\""), json);
    assertTrue(sb.toString().contains("(a) round trip median, us"));
  }

  @Test
  void agentThatDoesNotInterceptIsRejected() throws Exception {
    Path out = dir.resolve("o.json");
    StringBuilder sb = new StringBuilder();
    int rc = run(sb, "overhead", "--quick", "--phases", "a", "--out", out.toString(),
        "--server-jar", FakeJars.serverJar(dir).toString(),
        "--agent-jar", FakeJars.noopAgentJar(dir).toString(),
        "--workload-arg", "--rtt-iters", "--workload-arg", "200");
    assertEquals(1, rc, sb.toString());
    assertTrue(sb.toString().contains("did not intercept"), sb.toString());
    assertTrue(sb.toString().contains("figures discarded"), sb.toString());
    assertTrue(Files.readString(out).contains("\"invalid\": true"));
    // the noop agent saw the server address of the fake server
    String remoteLog = Files.readString(dir.resolve("o-logs/remote.log"));
    assertTrue(remoteLog.matches("(?s).*noop agent: server=127\\.0\\.0\\.1:\\d+.*"), remoteLog);
  }

  @Test
  void serverThatDiesIsAClearError() throws Exception {
    Path out = dir.resolve("o.json");
    StringBuilder sb = new StringBuilder();
    int rc = run(sb, "overhead", "--quick", "--phases", "a", "--out", out.toString(),
        "--server-jar", FakeJars.serverJar(dir).toString(),
        "--agent-jar", FakeJars.noopAgentJar(dir).toString(),
        "--server-arg", "--fake-mode", "--server-arg", "exit");
    assertEquals(1, rc, sb.toString());
    assertTrue(sb.toString().contains("exited with status 3"), sb.toString());
    assertTrue(Files.readString(out).contains("cannot open device"));
  }

  @Test
  void serverThatDiesDuringTheRunIsReported() throws Exception {
    Path out = dir.resolve("o.json");
    StringBuilder sb = new StringBuilder();
    int rc = run(sb, "overhead", "--quick", "--phases", "a", "--out", out.toString(),
        "--server-jar", FakeJars.serverJar(dir).toString(),
        "--agent-jar", FakeJars.noopAgentJar(dir).toString(),
        "--server-arg", "--fake-mode", "--server-arg", "die-after-start",
        // the workload must outlive the fake server (it dies 300 ms after starting): a 200-call
        // loop ended first on a fast machine, and the test then failed on the library check
        "--workload-arg", "--rtt-iters", "--workload-arg", "100000000",
        "--workload-arg", "--phase-budget-s", "--workload-arg", "1");
    assertEquals(1, rc, sb.toString());
    assertTrue(sb.toString().contains("ava-server died during the run (exit status 4)"),
        sb.toString());
  }
}

package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jocl.CL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two workloads, natively and in this JVM: the kernels compute what their Java copies say.
 * Needs a real OpenCL platform (./test.sh installs PoCL), as OverheadCommandTest does.
 */
class WorkloadsNativeTest {
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

  private static String capture(Runnable r) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true));
    try {
      r.run();
    } finally {
      System.setOut(old);
    }
    return buf.toString();
  }

  @Test
  void stateWorkloadChecksItsState() {
    StateWorkload w = new StateWorkload();
    w.parseArgs(new String[] {"--mib", "1", "--iterations", "20", "--migrate-after", "5",
        "--pause-us", "0", "--seed", "12345"});
    String out = capture(w::run);
    assertTrue(out.contains("SETUP_DONE\n"), out);
    assertTrue(out.contains("LOOP_DONE\n"), out);
    assertTrue(out.contains("RESULT verified 1"), out);
    assertTrue(out.contains("RESULT iteration_median_after_ms"), out);
  }

  @Test
  void launchLoopStopsAtCheckpoints() throws Exception {
    Files.createFile(dir.resolve("go-0"));
    Files.createFile(dir.resolve("go-100"));
    LaunchLoopWorkload w = new LaunchLoopWorkload();
    w.parseArgs(new String[] {"--launches", "301", "--checkpoints", "0,100",
        "--go-dir", dir.toString(), "--wait-s", "5"});
    String out = capture(w::run);
    assertTrue(out.contains("CHECKPOINT 0\nCHECKPOINT 100\n"), out);
    assertTrue(out.contains("RESULT verified 1"), out);
  }
}

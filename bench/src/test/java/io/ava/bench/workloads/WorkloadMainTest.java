package io.ava.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.junit.jupiter.api.Test;

/** The command line: arguments, exit status, what goes to stdout and what to stderr. */
class WorkloadMainTest {

  /** A stand-in that records what it was asked to run, or fails like an OpenCL call would. */
  static final class Fake implements Workload {
    final String name;
    final boolean fails;
    Size size;
    long seed;

    Fake(String name, boolean fails) {
      this.name = name;
      this.fails = fails;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return "a fake";
    }

    @Override
    public Result run(Size size, long seed, PrintStream out) {
      this.size = size;
      this.seed = seed;
      if (fails) {
        throw new CLException("CL_OUT_OF_RESOURCES", CL.CL_OUT_OF_RESOURCES);
      }
      out.println(name + ": ok");
      return new Result(name, true, 1, "", 0, 0, 0);
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(List<Workload> available, String... args) {
    return WorkloadMain.run(available, args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void passesSizeAndSeedAndPrintsTimesOnStderrOnly() {
    Fake a = new Fake("a", false);
    assertEquals(WorkloadMain.OK, run(List.of(a, new Fake("b", false)), "A", "--size", "bench",
        "--seed", "42"));
    assertEquals(Size.BENCH, a.size);
    assertEquals(42, a.seed);
    assertEquals(List.of("a: ok"), stdout().lines().toList());
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("a: "), err.toString());
  }

  @Test
  void allRunsEveryWorkloadAndAnErrorDoesNotStopTheOthers() {
    Fake a = new Fake("a", true);
    Fake b = new Fake("b", false);
    assertEquals(WorkloadMain.ERROR, run(List.of(a, b), "all"));
    assertEquals(List.of("a: FAILED (CL_OUT_OF_RESOURCES)", "b: ok"), stdout().lines().toList());
    assertEquals(Size.SMALL, b.size);
    assertEquals(1, b.seed);
  }

  @Test
  void badArgumentsAreRefused() {
    List<Workload> one = List.of(new Fake("a", false));
    assertEquals(WorkloadMain.ERROR, run(one));
    assertEquals(WorkloadMain.ERROR, run(one, "nosuch"));
    assertEquals(WorkloadMain.ERROR, run(one, "a", "--size", "huge"));
    assertEquals(WorkloadMain.ERROR, run(one, "a", "--seed"));
    assertEquals(WorkloadMain.ERROR, run(one, "a", "--frobnicate"));
    assertEquals("", stdout());
  }

  @Test
  void listNamesEveryRegisteredWorkload() {
    assertEquals(WorkloadMain.OK, run(Workloads.all(), "--list"));
    for (String name : Workloads.names()) {
      assertTrue(stdout().contains(name + " "), stdout());
    }
  }
}

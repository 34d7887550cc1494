package io.ava.bench.workloads;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One run of a workload with its stdout captured. */
record Runs(Result result, String stdout) {

  static Runs of(Workload w, Size size, long seed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Result r = w.run(size, seed, out);
    return new Runs(r, bytes.toString(StandardCharsets.UTF_8));
  }
}

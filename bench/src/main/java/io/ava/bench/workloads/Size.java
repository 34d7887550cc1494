package io.ava.bench.workloads;

import java.util.Locale;

/**
 * The two problem sizes every workload knows: {@link #SMALL} for tests (well under a second
 * natively) and {@link #BENCH} for measurements: an OpenCL part of about 2.5 to 5 s natively on
 * a 2-core CPU running PoCL for most workloads, so that fixed costs (JVM and agent start-up, the
 * first connection) do not dominate the remote/native slowdown. The bench parameters add compute
 * (steps, iterations, queries, clusters, BFS levels, merge passes) rather than data: host-device
 * transfers stay about what they were at 0.5 s, as a compute-bound GPU program's would. The
 * workloads whose work is proportional to the bytes they move (nn, nw, pathfinder, hybridsort)
 * stay at about 0.3 to 1 s rather than move more data, and srad at about 1.5 s, whose plain-Java
 * reference is three times slower than its OpenCL part. The Java references of kmeans, lavaMD
 * and srad take about 4 to 5 s.
 */
public enum Size {
  SMALL,
  BENCH;

  /** The value for this size: each workload keeps its two parameter sets side by side. */
  public <T> T pick(T small, T bench) {
    return this == SMALL ? small : bench;
  }

  public int pick(int small, int bench) {
    return this == SMALL ? small : bench;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code small} or {@code bench} (any case). */
  public static Size parse(String text) {
    for (Size s : values()) {
      if (s.label().equalsIgnoreCase(text)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown size '" + text + "' (small, bench)");
  }
}

package io.ava.bench.workloads;

import java.util.Locale;

/**
 * The two problem sizes every workload knows: {@link #SMALL} for tests (well under a second
 * natively) and {@link #BENCH} for measurements (about 0.5 to 3 s natively on a 2-core CPU
 * running PoCL).
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

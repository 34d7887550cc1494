package io.ava.bench.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void percentiles() {
    long[] s = new long[100];
    for (int i = 0; i < 100; i++) s[i] = i + 1; // 1..100
    assertEquals(50.5, Stats.percentileSorted(s, 50));
    assertEquals(99, Stats.percentileSorted(s, 99));
    assertEquals(100, Stats.percentileSorted(s, 100));
    assertEquals(1, Stats.percentileSorted(s, 0));
    assertEquals(2, Stats.percentileSorted(new long[] {1, 2, 3}, 50));
    assertEquals(7, Stats.percentileSorted(new long[] {7}, 99));
    assertEquals(50.5, Stats.mean(s));
  }

  @Test
  void medianOfUnsortedSamplesSkipsMissingOnes() {
    assertEquals(3.0, Stats.median(java.util.List.of(5.0, 1.0, 3.0)));
    assertEquals(2.5, Stats.median(java.util.List.of(4, 1, 3, 2)));
    assertEquals(7.0, Stats.median(java.util.Arrays.asList(null, 7.0, Double.NaN)));
    assertEquals(null, Stats.median(java.util.List.of()));
  }
}

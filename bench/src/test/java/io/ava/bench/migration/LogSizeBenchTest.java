package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogSizeBenchTest {
  private static LogSizeBench.Sample s(long launches, long records, long bytes) {
    return new LogSizeBench.Sample(launches, records, bytes, null, null, "serving");
  }

  @Test
  void checkpointsUpToTheLoopLength() {
    assertEquals(List.of(0L, 1000L, 10000L, 100000L, 1000000L),
        List.copyOf(LogSizeBench.checkpoints(1_000_000)));
    assertEquals(List.of(0L, 1000L, 10000L, 20000L),
        List.copyOf(LogSizeBench.checkpoints(20_000)));
    assertEquals(List.of(0L, 1000L, 5000L), List.copyOf(LogSizeBench.checkpoints(5_000)));
  }

  @Test
  void flatFromTheFirstLoopedSample() {
    // setup records at 0 launches do not count: the loop adds its kernel arguments once
    long m = 1_000_000;
    assertEquals("PASS", LogSizeBench.verdict(
        List.of(s(0, 7, 291), s(1000, 9, 337), s(10000, 9, 339), s(m, 9, 341)), m));
    // within 1 KiB
    assertEquals("PASS", LogSizeBench.verdict(List.of(s(1000, 9, 337), s(m, 9, 1300)), m));
    assertEquals("MISS", LogSizeBench.verdict(List.of(s(1000, 9, 337), s(m, 9, 1400)), m));
    // a record per launch
    assertEquals("MISS", LogSizeBench.verdict(
        List.of(s(1000, 1009, 40337), s(m, 1000009, 40000337)), m));
    assertEquals("N/A", LogSizeBench.verdict(List.of(s(0, 7, 291), s(1000, 9, 337)), 1000));
    // the loop did not get to the end: no verdict on what was not seen
    assertEquals("N/A", LogSizeBench.verdict(
        List.of(s(1000, 9, 337), s(10000, 9, 339), s(100000, 9, 339)), m));
  }
}

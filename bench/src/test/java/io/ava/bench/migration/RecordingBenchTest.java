package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingBenchTest {
  private static Map<String, Object> run(int round, boolean record, boolean ok, Double v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", round);
    m.put("record", record);
    m.put("ok", ok);
    m.put("launches_per_s", v);
    return m;
  }

  @Test
  void pairsTheRunsOfARound() {
    List<Double> r = RecordingBench.pairedRatios(List.of(
        run(1, true, true, 90.0), run(1, false, true, 100.0),
        run(2, false, true, 50.0), run(2, true, true, 60.0),
        run(3, true, true, 10.0), run(3, false, false, null), // a failed run: no pair
        run(4, false, true, 10.0)), "launches_per_s");
    assertEquals(List.of(0.9, 1.2), r);
  }

  @Test
  void roundsThatDisagreeByMoreThanTheMarginCannotJudgeIt() {
    assertTrue(RecordingBench.resolvable(List.of(0.99, 1.0, 1.01)));
    assertFalse(RecordingBench.resolvable(List.of(0.95, 1.0, 1.01)));
    // with 4 or more rounds the outer quarters do not count
    assertTrue(RecordingBench.resolvable(List.of(0.70, 0.985, 0.99, 1.0, 1.01, 1.3)));
    assertFalse(RecordingBench.resolvable(List.of(0.70, 0.9, 1.0, 1.13, 1.05)));
    assertFalse(RecordingBench.resolvable(List.of()));
  }
}

package io.ava.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.run.Mode;
import io.ava.bench.run.RunRecord;
import io.ava.bench.util.Json;
import io.ava.bench.util.JsonReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void geometricMean() {
    assertEquals(5.0, Summary.geomean(List.of(2.5, 10.0)), 1e-12);
    assertEquals(2.0, Summary.geomean(List.of(1.0, 2.0, 4.0)), 1e-12);
    assertEquals(3.0, Summary.geomean(List.of(3.0)), 1e-12);
    assertNull(Summary.geomean(List.of()));
    assertThrows(IllegalArgumentException.class, () -> Summary.geomean(List.of(1.0, 0.0)));
  }

  @Test
  void slowdownsAreMediansOverNativeMediansOfTheRunsThatWorked() {
    Summary s = Summary.of(Synthetic.runs(), Map.of());
    assertEquals(List.of("a", "b"), s.workloads());
    assertEquals(List.of(Mode.NATIVE, Mode.REMOTE, Mode.MIGRATE), s.modes());
    assertEquals(100.0, s.cell("a", Mode.NATIVE).wall.median());
    assertEquals(200.0, s.cell("a", Mode.NATIVE).wall.mean());
    assertEquals(2.5, s.slowdown("a", Mode.REMOTE, Summary.Metric.WALL), 1e-12);
    // the failed 1 ms remote run of b is not averaged in
    assertEquals(1, s.cell("b", Mode.REMOTE).ok);
    assertEquals(1, s.cell("b", Mode.REMOTE).failed());
    assertEquals(10.0, s.slowdown("b", Mode.REMOTE, Summary.Metric.WALL), 1e-12);
    assertEquals(5.0, s.geomean(Mode.REMOTE, Summary.Metric.WALL).value(), 1e-12);
    assertEquals(4.0, s.geomean(Mode.REMOTE, Summary.Metric.OPENCL).value(), 1e-12);
    assertEquals(List.of("a", "b"), s.geomean(Mode.REMOTE, Summary.Metric.WALL).workloads());
    // migrate: a = median(500, 700) / 100 = 6, b = 900 / 60 = 15
    assertEquals(6.0, s.slowdown("a", Mode.MIGRATE, Summary.Metric.WALL), 1e-12);
    assertEquals(Math.sqrt(6 * 15.0), s.geomean(Mode.MIGRATE, Summary.Metric.WALL).value(),
        1e-12);
  }

  @Test
  void aWorkloadWithoutAWorkingRunIsLeftOutOfTheGeomean() {
    List<RunRecord> runs = new java.util.ArrayList<>(Synthetic.runs());
    runs.removeIf(r -> r.workload.equals("b") && r.mode == Mode.REMOTE && r.ok);
    Summary s = Summary.of(runs, Map.of());
    assertNull(s.slowdown("b", Mode.REMOTE, Summary.Metric.WALL));
    Summary.Geomean g = s.geomean(Mode.REMOTE, Summary.Metric.WALL);
    assertEquals(2.5, g.value(), 1e-12);
    assertEquals(List.of("b"), g.leftOut());
  }

  @Test
  void migrationFigures() {
    Summary s = Summary.of(Synthetic.runs(), Map.of());
    Summary.Cell a = s.cell("a", Mode.MIGRATE);
    assertEquals(2, a.ok);
    assertEquals(3, a.runs.size());
    assertEquals(50.0, a.downtime.median());
    assertEquals(40.0, a.downtime.min());
    assertEquals(60.0, a.migrationTotal.median());
    assertEquals(50.0, a.callIndex.median());
    assertEquals(0.5, a.callPosition.median(), 1e-12);
    assertEquals(100L, a.callCount);
    assertEquals(15.0, a.breakdownMedian.get("replay_ms"), 1e-12);
    assertEquals(4, s.migrations().size());
    assertEquals(3, s.migrationsOk());
    assertEquals(0.25, Summary.position(s.migrations().get(3)), 1e-12);
  }

  @Test
  void jsonHasEveryFigureAndEveryFailure() {
    Summary s = Summary.of(Synthetic.runs(), Map.of("size", "small", "runs", 3));
    Map<String, Object> j = JsonReader.parseObject(Json.write(s.toJson()));
    assertEquals("small", j.get("size"));
    Map<?, ?> a = (Map<?, ?>) ((Map<?, ?>) j.get("workloads")).get("a");
    Map<?, ?> remote = (Map<?, ?>) a.get("remote");
    assertEquals(250.0, ((Map<?, ?>) remote.get("wall_ms")).get("median"));
    assertEquals(2.5, ((Map<?, ?>) remote.get("slowdown")).get("wall"));
    Map<?, ?> mig = (Map<?, ?>) ((Map<?, ?>) a.get("migrate")).get("migration");
    assertEquals(2.0, mig.get("succeeded"));
    assertEquals(50.0, ((Map<?, ?>) mig.get("downtime_ms")).get("median"));
    Map<?, ?> geo = (Map<?, ?>) ((Map<?, ?>) j.get("geomean_slowdown")).get("remote");
    assertEquals(5.0, ((Map<?, ?>) geo.get("wall")).get("value"));
    assertEquals(4.0, ((Map<?, ?>) geo.get("opencl")).get("value"));
    Map<?, ?> migration = (Map<?, ?>) j.get("migration");
    assertEquals(4.0, migration.get("attempted"));
    assertEquals(3.0, migration.get("succeeded"));
    List<?> failures = (List<?>) j.get("failures");
    assertEquals(2, failures.size());
    assertTrue(String.valueOf(failures).contains("WRONG RESULT"), String.valueOf(failures));
    Map<?, ?> counts = (Map<?, ?>) j.get("run_counts");
    assertEquals(14.0, counts.get("total"));
    assertEquals(2.0, counts.get("failed"));
  }

  @Test
  void consoleTable() {
    String t = Summary.of(Synthetic.runs(), Map.of()).table();
    assertTrue(t.contains("remote/native"), t);
    assertTrue(t.lines().anyMatch(l -> l.startsWith("geomean") && l.contains("5.00x")
        && l.contains("4.00x")), t);
    assertTrue(t.lines().anyMatch(l -> l.startsWith("a ") && l.contains("2.50x")
        && l.contains("2/3")), t);
  }
}

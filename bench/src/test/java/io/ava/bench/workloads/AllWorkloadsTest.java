package io.ava.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every workload, natively at the small size: the device result matches the Java reference. */
class AllWorkloadsTest {

  @BeforeAll
  static void needsOpenCl() {
    OpenClAvailable.require();
  }

  static List<String> names() {
    return Workloads.names();
  }

  @ParameterizedTest
  @MethodSource("names")
  void verifiesAtTheSmallSize(String name) {
    Workload w = Workloads.byName(name).orElseThrow();
    Runs run = Runs.of(w, Size.SMALL, 1);
    assertTrue(run.result().verified(), run.stdout());
    assertEquals(name, run.result().name());
    // exactly the three deterministic lines, nothing else
    List<String> lines = run.stdout().lines().toList();
    assertEquals(3, lines.size(), run.stdout());
    assertTrue(lines.get(0).matches(Pattern.quote(name) + ": size small \\(.+\\), seed 1"),
        lines.get(0));
    assertEquals(String.format("%s: checksum %016x", name, run.result().checksum()),
        lines.get(1));
    assertEquals(name + ": ok", lines.get(2));
  }

  @Test
  void registryHasAtLeastTenDistinctWorkloads() {
    List<String> names = Workloads.names();
    assertTrue(names.size() >= 10, names.toString());
    assertEquals(names.size(), new HashSet<>(names).size(), "duplicate names: " + names);
    for (String n : names) {
      assertEquals(n, Workloads.byName(n.toUpperCase()).orElseThrow().name());
      assertTrue(!Workloads.byName(n).orElseThrow().description().isBlank(), n);
    }
    assertTrue(Workloads.byName("nosuch").isEmpty());
  }
}

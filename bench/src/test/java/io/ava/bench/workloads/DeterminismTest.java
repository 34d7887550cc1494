package io.ava.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same seed gives the same stdout (checksum included), another seed another checksum: what
 * comparing a native with a remote run relies on. One integer, one exact-float and one float
 * workload with a device-side reduction.
 */
class DeterminismTest {

  @BeforeAll
  static void needsOpenCl() {
    OpenClAvailable.require();
  }

  @ParameterizedTest
  @ValueSource(strings = {"nw", "kmeans", "srad", "dwt2d", "heartwall", "myocyte"})
  void sameSeedSameOutputOtherSeedOtherChecksum(String name) {
    Workload w = Workloads.byName(name).orElseThrow();
    Runs first = Runs.of(w, Size.SMALL, 7);
    Runs again = Runs.of(w, Size.SMALL, 7);
    Runs other = Runs.of(w, Size.SMALL, 8);
    assertEquals(first.stdout(), again.stdout());
    assertEquals(first.result().checksum(), again.result().checksum());
    assertNotEquals(first.result().checksum(), other.result().checksum());
    assertEquals(true, other.result().verified(), other.stdout());
  }
}

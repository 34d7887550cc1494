package io.ava.bench.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadRunTest {
  @Test
  void parsesProtocolLines() {
    WorkloadRun r = new WorkloadRun("native");
    r.parse(List.of("INFO device pthread cpu x", "noise", "RESULT rtt_median_us 52.3",
        "RESULT launches 50000", "\tat some.Stack(Trace.java:1)"));
    r.exitCode = 0;
    assertTrue(r.ok());
    assertEquals(52.3, r.get("rtt_median_us"));
    assertEquals(50000, r.get("launches"));
    assertEquals("pthread cpu x", r.info.get("device"));
    r.parse(List.of("WORKLOAD_ERROR org.jocl.CLException: CL_INVALID_VALUE"));
    assertFalse(r.ok());
  }

  @Test
  void reportHandlesMissingRemote() {
    WorkloadRun n = new WorkloadRun("native");
    n.parse(List.of("RESULT rtt_median_us 20", "RESULT launches_per_s 300000"));
    WorkloadRun rem = new WorkloadRun("remote");
    rem.parse(List.of("RESULT rtt_median_us 60", "RESULT launches_per_s 90000",
        "RESULT bulk_write_mb_s 1000", "RESULT bulk_read_mb_s 900",
        "RESULT async_calls_per_s 250000"));
    OverheadReport rep = new OverheadReport(n, rem, new RawSocketCopy.Result(2500, 2600, 3, 1));
    List<OverheadReport.Target> t = rep.targets();
    assertEquals("PASS", t.get(0).status()); // 60 < 163
    assertEquals(Boolean.TRUE, t.get(0).goalMet()); // 60 < 20 + 50
    assertEquals("PASS", t.get(1).status()); // 250k >= 200k
    assertEquals(Boolean.FALSE, t.get(1).goalMet()); // < 1M
    assertEquals("MISS", t.get(2).status()); // 1000/2500 = 0.4
    assertEquals("MISS", t.get(3).status());
    assertEquals("PASS", t.get(4).status()); // 0.3 >= 0.2
    assertTrue(rep.table().contains("(d) kernel launches/s"));

    OverheadReport none = new OverheadReport(n, null, null);
    for (OverheadReport.Target x : none.targets()) assertEquals("N/A", x.status());
    assertTrue(none.table().contains("N/A"));
  }
}

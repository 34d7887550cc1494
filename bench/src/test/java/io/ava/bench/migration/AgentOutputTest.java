package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentOutputTest {
  @Test
  void parsesAMove() {
    AgentOutput o = AgentOutput.parse(List.of(
        "SETUP_DONE",
        "RESULT fill_ms 14.2",
        "start live migration at call_id 116",
        "ava: session s1de34f-1 moved from 127.0.0.1:37675 to 127.0.0.1:41205 "
            + "(ava-server@vm:41205); calls waited 726 ms",
        "LOOP_DONE",
        "Final call count = 553"));
    assertTrue(o.moved());
    assertEquals(116L, o.triggerCallId);
    assertEquals(2, o.triggerLine);
    assertEquals("s1de34f-1", o.sessionId);
    assertEquals("127.0.0.1:37675", o.movedFrom);
    assertEquals("127.0.0.1:41205", o.movedTo);
    assertEquals("ava-server@vm:41205", o.targetName);
    assertEquals(726L, o.callsWaitedMs);
    assertEquals(3, o.movedLine);
    assertEquals(553L, o.finalCallCount);
    assertTrue(o.failures.isEmpty());
  }

  @Test
  void parsesAFailure() {
    AgentOutput o = AgentOutput.parse(List.of(
        "start live migration at call_id 7",
        "ava: live migration did not happen (the server runs with --no-record: its sessions "
            + "cannot migrate); the session stays on 127.0.0.1:4000",
        "ava: cannot resume the session on 127.0.0.1:5000 (refused); it stays on 127.0.0.1:4000"));
    assertFalse(o.moved());
    assertNull(o.callsWaitedMs);
    assertNull(o.finalCallCount);
    assertEquals(2, o.failures.size());
    assertTrue(o.failures.get(0).contains("--no-record"), o.failures.get(0));
  }
}

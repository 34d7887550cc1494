package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerStatusTest {
  @Test
  void parsesSessionLines() {
    List<ServerStatus.Session> s = ServerStatus.parse(List.of(
        "server: ava-server@vm:4000",
        "sessions: 2",
        "live objects: 12",
        "session s1-1 objects=6 bytes=8 calls=3013 records=9 record_bytes=337 state=\"serving\" "
            + "client=127.0.0.1:51234",
        "session s1-2 objects=6 bytes=0 calls=1 records=0 record_bytes=0 "
            + "state=\"migrating to 127.0.0.1:9\" client=",
        "recent migrations: 0"));
    assertEquals(2, s.size());
    assertEquals("s1-1", s.get(0).id());
    assertEquals(9L, s.get(0).number("records"));
    assertEquals(337L, s.get(0).number("record_bytes"));
    assertEquals(3013L, s.get(0).number("calls"));
    assertEquals("serving", s.get(0).fields().get("state"));
    assertEquals("127.0.0.1:51234", s.get(0).fields().get("client"));
    assertEquals("migrating to 127.0.0.1:9", s.get(1).fields().get("state"));
    assertEquals("", s.get(1).fields().get("client"));
    assertNull(s.get(1).number("client"));
    assertNull(s.get(1).number("nope"));
  }
}

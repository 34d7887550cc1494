package io.ava.bench.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
  @Test
  void readsWhatTheServerWrites() {
    Map<String, Object> m = JsonReader.parseObject(
        "{\"session\":\"s1-1\",\"ok\":true,\"total_ms\":734,\"quiesce_ms\":2.018,"
            + "\"bytes\":1073741828,\"error\":\"a \\\"quoted\\\" \\\\ \\u00e9\",\"x\":null,"
            + "\"l\":[1,-2.5e3,{}],\"e\":[]}");
    assertEquals("s1-1", m.get("session"));
    assertEquals(true, m.get("ok"));
    assertEquals(734.0, m.get("total_ms"));
    assertEquals(2.018, m.get("quiesce_ms"));
    assertEquals(1073741828.0, m.get("bytes"));
    assertEquals("a \"quoted\" \\ \u00e9", m.get("error"));
    assertNull(m.get("x"));
    assertEquals(List.of(1.0, -2500.0, Map.of()), m.get("l"));
    assertEquals(List.of(), m.get("e"));
  }

  @Test
  void roundTripsTheWriter() {
    Map<String, Object> m = JsonReader.parseObject(Json.write(Map.of("a", List.of("b", 1.5))));
    assertEquals(List.of("b", 1.5), m.get("a"));
  }

  @Test
  void rejectsBrokenText() {
    assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\":1"));
    assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\":1} x"));
    assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{a:1}"));
    assertThrows(IllegalArgumentException.class, () -> JsonReader.parseObject("[1]"));
  }
}

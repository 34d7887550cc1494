package io.ava.bench.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void writes() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "a\"b\n");
    m.put("d", 1.5);
    m.put("i", 3.0);
    m.put("n", null);
    m.put("nan", Double.NaN);
    m.put("l", List.of(1, true));
    m.put("e", Arrays.asList());
    assertEquals("{\n  \"s\": \"a\\\"b\\n\",\n  \"d\": 1.5,\n  \"i\": 3,\n  \"n\": null,\n"
        + "  \"nan\": null,\n  \"l\": [\n    1,\n    true\n  ],\n  \"e\": []\n}\n", Json.write(m));
  }
}

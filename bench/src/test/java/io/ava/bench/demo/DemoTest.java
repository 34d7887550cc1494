package io.ava.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo of ./demo.sh, run natively in this JVM (needs an OpenCL runtime, as the other tests do). */
class DemoTest {
  @Test
  void computesTheRightResultsNatively() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = Demo.run(out, 10_007, 2); // not a multiple of the work-group size
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    assertTrue(text.contains("round 1: a=2 b=3"), text);
    assertTrue(text.contains("round 2: a=3 b=6"), text);
    assertTrue(text.strip().endsWith("demo: OK"), text);
  }
}

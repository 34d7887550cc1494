package io.ava.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void plainLinesWithoutATerminal() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 4);
    p.begin("nw native 1/2");
    p.end("nw native 1/2", true, "ok, 120 ms");
    p.end("nw remote 1/2", false, "FAILED: wrong result");
    p.finish();
    assertEquals("[run] 1/4 nw native 1/2: ok, 120 ms\n"
        + "[run] 2/4 nw remote 1/2: FAILED: wrong result\n",
        buf.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    assertEquals(1, p.failed());
  }

  @Test
  void aBarRedrawnInPlaceWithFailuresAboveIt() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 4);
    p.begin("nw native 1/2");
    p.end("nw native 1/2", true, "ok");
    p.end("nw remote 1/2", false, "FAILED: boom");
    String text = p.barText();
    assertTrue(text.startsWith("[##########..........] 2/4  50% (1 failed) | "), text);
    p.finish();
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("\rnw remote 1/2: FAILED: boom"), out);
    assertTrue(out.startsWith("\r[....."), out);
    assertEquals("1:05", Progress.clock(65));
    assertEquals("1:01:01", Progress.clock(3661));
  }
}

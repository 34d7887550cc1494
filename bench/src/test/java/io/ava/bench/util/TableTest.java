package io.ava.bench.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void alignsFiguresRightAndTextLeft() {
    String t = new Table("state", "ms", "status").row("1 MiB", "12.5", "PASS")
        .row("1024 MiB", "1,234.0", null).render();
    assertEquals("state     ms       status\n"
        + "-------------------------\n"
        + "   1 MiB     12.5  PASS\n"
        + "1024 MiB  1,234.0       -\n", t);
  }

  @Test
  void numbers() {
    assertTrue(Table.numeric("1,234.5"));
    assertTrue(Table.numeric("-"));
    assertTrue(Table.numeric("16 MiB"));
    assertFalse(Table.numeric("PASS"));
    assertEquals("1,234.6", Table.num(1234.56, 1));
    assertEquals("-", Table.num((Double) null, 1));
  }
}

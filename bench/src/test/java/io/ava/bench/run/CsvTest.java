package io.ava.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.report.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  @TempDir Path dir;

  @Test
  void quotesWhatNeedsQuoting() {
    assertEquals("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",,3",
        Csv.line(Arrays.asList("a", "b,c", "say \"hi\"", "two\nlines", null, 3)));
  }

  @Test
  void parsesWhatItWrites() {
    List<String> cells = List.of("x", "1,5", "\"q\"", "l1\r\nl2", "", "end");
    String text = Csv.line(cells) + "\n" + Csv.line(List.of("second")) + "\n";
    List<List<String>> rows = Csv.parse(text);
    assertEquals(2, rows.size());
    assertEquals(cells, rows.get(0));
    assertEquals(List.of("second"), rows.get(1));
    assertEquals(List.of(List.of("a", "", "")), Csv.parse("a,,\r\n"));
    assertThrows(IllegalArgumentException.class, () -> Csv.parse("\"open"));
  }

  @Test
  void runRecordsRoundTripThroughRunsCsv() throws Exception {
    RunRecord m = new RunRecord(Mode.MIGRATE, "b+tree", 2);
    m.ok = false;
    m.wallMs = 1234.56789;
    m.openClMs = 800.0;
    m.workloadMs = 900.0;
    m.exitCode = 0;
    m.callIndex = 42L;
    m.callCount = 100L;
    m.downtimeMs = 55.0;
    m.migrationTotalMs = 60.5;
    m.serverDowntimeMs = 59.25;
    m.breakdown.put("replay_ms", 12.125);
    m.breakdown.put("transfer_ms", 0.0);
    m.stateBytes = 268548.0;
    m.movedTo = "127.0.0.1:4000";
    m.errors.add("wrong result: line 2: native 'x, y', this run \"z\"");
    m.errors.add("second\nline");
    m.notes.add("a note");
    m.log = "logs/b+tree/migrate-2.stderr.log";
    RunRecord n = new RunRecord(Mode.NATIVE, "nw", 1);
    n.ok = true;
    n.wallMs = 100.0;

    Path csv = dir.resolve("runs.csv");
    ReportWriter.writeRuns(csv, List.of(m, n));
    String text = Files.readString(csv);
    assertTrue(text.startsWith(String.join(",", RunRecord.header()) + "\n"), text);
    assertEquals(3, text.lines().count(), "one line per run, errors flattened: " + text);

    List<RunRecord> back = ReportWriter.readRuns(csv);
    assertEquals(2, back.size());
    RunRecord b = back.get(0);
    assertEquals(Mode.MIGRATE, b.mode);
    assertEquals("b+tree", b.workload);
    assertEquals(2, b.run);
    assertFalse(b.ok);
    assertEquals(1234.568, b.wallMs, 1e-9);
    assertEquals(42L, b.callIndex);
    assertEquals(100L, b.callCount);
    assertEquals(55.0, b.downtimeMs);
    assertEquals(60.5, b.migrationTotalMs);
    assertEquals(12.125, b.breakdown.get("replay_ms"));
    assertEquals(0.0, b.breakdown.get("transfer_ms"));
    assertEquals(268548.0, b.stateBytes);
    assertEquals("127.0.0.1:4000", b.movedTo);
    assertEquals(m.error(), b.error());
    assertTrue(b.error().contains("second | line"), b.error());
    assertEquals(List.of("a note"), b.notes);
    assertEquals(m.log, b.log);
    RunRecord c = back.get(1);
    assertTrue(c.ok);
    assertNull(c.downtimeMs);
    assertEquals("", c.error());
  }

  @Test
  void numbersAreWrittenPlainly() {
    assertEquals("1234", RunRecord.num(1234.0));
    assertEquals("0.001", RunRecord.num(0.0005));
    assertEquals("12345678901", RunRecord.num(12345678901.0));
    assertNull(RunRecord.num(Double.NaN));
    assertNull(RunRecord.num(null));
  }
}

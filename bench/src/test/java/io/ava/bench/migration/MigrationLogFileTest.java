package io.ava.bench.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationLogFileTest {
  // as ava-server wrote it in a run of the bench
  static final String OK_JSON = "{\"session\":\"s1de34f-1\",\"from\":\"ava-server@vm:37675\","
      + "\"to\":\"127.0.0.1:38243\",\"ok\":true,\"total_ms\":734,\"quiesce_ms\":2.018,"
      + "\"snapshot_ms\":42.171,\"transfer_ms\":373.627,\"replay_ms\":63.613,"
      + "\"restore_ms\":7.784,\"redirect_ms\":9.812,\"resume_ms\":60.131,\"connect_ms\":298.786,"
      + "\"contents_ms\":17.544,\"commit_ms\":129.158,\"bytes\":1048580,\"records\":21,"
      + "\"objects\":10,\"buffers\":5,\"images\":0,\"events\":0,\"maps\":0}";

  @Test
  void parsesAMigrationAndItsBreakdown() {
    List<MigrationLogFile.Entry> e =
        MigrationLogFile.parse(List.of("[ava-server@vm:37675] migration takes 734", OK_JSON));
    assertEquals(1, e.size());
    MigrationLogFile.Entry m = e.get(0);
    assertTrue(m.ok());
    assertEquals("ava-server@vm:37675", m.serverId());
    assertEquals(734L, m.millis());
    assertNull(m.problem());
    assertEquals(734.0, m.number("total_ms"));
    assertEquals(298.786, m.number("connect_ms"));
    assertEquals(1048580.0, m.number("bytes"));
    assertEquals("127.0.0.1:38243", m.breakdown().get("to"));
    for (String f : MigrationLogFile.TIME_FIELDS) assertNotNull(m.number(f), f);
    for (String f : MigrationLogFile.COUNT_FIELDS) assertNotNull(m.number(f), f);
  }

  @Test
  void parsesFailuresAndMissingBreakdowns() {
    List<MigrationLogFile.Entry> e = MigrationLogFile.parse(List.of(
        "unrelated",
        "[a:1] migration of session s-2 to 127.0.0.1:9 failed: the peer refused: no room",
        "{\"session\":\"s-2\",\"ok\":false,\"total_ms\":3,\"error\":\"the peer refused\"}",
        "[a:1] migration takes 12",
        "[a:1] migration takes 13",
        "{broken"));
    assertEquals(3, e.size());
    assertFalse(e.get(0).ok());
    assertEquals("the peer refused: no room", e.get(0).failure());
    assertEquals(3.0, e.get(0).number("total_ms"));
    assertTrue(e.get(1).problem().contains("no JSON"), e.get(1).problem());
    assertEquals(12L, e.get(1).millis());
    assertTrue(e.get(2).problem().contains("unreadable"), e.get(2).problem());
    assertTrue(e.get(2).breakdown().isEmpty());
  }
}

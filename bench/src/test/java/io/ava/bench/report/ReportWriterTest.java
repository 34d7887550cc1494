package io.ava.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.bench.run.ResultsFiles;
import io.ava.bench.util.Json;
import io.ava.bench.util.JsonReader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from made-up results: files, images, HTML links, and what it says is missing. */
class ReportWriterTest {
  @TempDir Path dir;

  private static final String MIGRATION_JSON = """
      {"benchmark": "migration", "timestamp": "2026-01-01T00:00:00Z",
       "downtime": {"trigger": "admin", "sizes": [
         {"mib": 1, "raw_ms": 4, "downtime_ms": 65.5, "target_ms": 108, "status": "PASS",
          "client_max_gap_ms": 80, "breakdown_median": {"total_ms": 156},
          "runs": [{"ok": true}, {"ok": true}, {"ok": false}]},
         {"mib": 16, "raw_ms": 20, "downtime_ms": 86.5, "target_ms": 140, "status": "PASS",
          "breakdown_median": {"total_ms": 250}, "runs": [{"ok": true}]},
         {"mib": 256, "raw_ms": 256, "downtime_ms": 394.5, "target_ms": 612, "status": "PASS",
          "breakdown_median": {"total_ms": 496}, "runs": [{"ok": true}]}],
        "first_migration": {"ok": true, "downtime_ms": 120}}}
      """;

  private static final String OVERHEAD_JSON = """
      {"benchmark": "overhead", "timestamp": "2026-01-01T00:00:00Z", "device": "pthread",
       "native": {"ok": true, "results": {"rtt_median_us": 50, "async_calls_per_s": 2000000,
          "bulk_write_mb_s": 3000, "bulk_read_mb_s": 3000, "launches_per_s": 300000}},
       "remote": {"ok": true, "invalid": false, "results": {"rtt_median_us": 100,
          "async_calls_per_s": 500000, "bulk_write_mb_s": 600, "bulk_read_mb_s": 400,
          "launches_per_s": 60000}},
       "raw_socket": {"mb_s": 1000},
       "reference": {"rtt_median_us": 163, "native_rtt_median_us": 47, "bulk_write_mb_s": 880,
          "launches_per_s": 4300, "native_launches_per_s": 352000},
       "targets": [{"id": "a", "target": "< 163 us", "status": "PASS"},
          {"id": "d", "target": ">= 20% of native", "status": "PASS"}]}
      """;

  private Path results() throws Exception {
    Path out = dir.resolve("run");
    Files.createDirectories(out);
    ReportWriter.writeRuns(out.resolve(ResultsFiles.RUNS_CSV), Synthetic.runs());
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("started", "2026-01-01T00:00:00Z");
    info.put("complete", true);
    info.put("command", List.of("ava-bench", "run", "--runs", "3"));
    info.put("modes", List.of("native", "remote", "migrate"));
    info.put("workloads", List.of("a", "b"));
    info.put("runs", 3);
    info.put("size", "small");
    info.put("seed", 1);
    info.put("wall_s", 12.5);
    Files.writeString(out.resolve(ResultsFiles.INFO_JSON), Json.write(info));
    return out;
  }

  @Test
  void writesSummaryChartsAndHtml() throws Exception {
    Path out = results();
    Path mig = dir.resolve("migration.json");
    Path ovh = dir.resolve("overhead.json");
    Files.writeString(mig, MIGRATION_JSON);
    Files.writeString(ovh, OVERHEAD_JSON);

    ReportWriter.Written w = ReportWriter.write(out, mig, ovh);
    assertEquals("true", System.getProperty("java.awt.headless"));
    assertTrue(w.notes().isEmpty(), w.notes().toString());
    String html = Files.readString(out.resolve(ResultsFiles.REPORT_HTML));
    for (String png : List.of(ReportWriter.SLOWDOWN_PNG, ReportWriter.MIGRATION_PNG,
        ReportWriter.MIGRATION_CALLS_PNG, ReportWriter.STATE_PNG, ReportWriter.OVERHEAD_PNG)) {
      Path p = out.resolve(png);
      assertTrue(w.files().contains(p), png + " in " + w.files());
      BufferedImage img = ImageIO.read(p.toFile());
      assertNotNull(img, png + " is not a readable image");
      assertEquals(Charts.WIDTH, img.getWidth());
      assertEquals(Charts.HEIGHT, img.getHeight());
      assertTrue(html.contains("<img src=\"" + png + "\""), png + " not in the HTML");
    }
    // every image the HTML references exists
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    int images = 0;
    while (m.find()) {
      images++;
      assertTrue(Files.isRegularFile(out.resolve(m.group(1))), m.group(1));
    }
    assertEquals(5, images);
    assertTrue(html.contains("5.00x"), "geomean remote/native in the HTML");
    assertTrue(html.contains("3 / 4"), "migrations that worked");
    assertTrue(html.contains("WRONG RESULT"), "the failure is listed");
    assertTrue(html.contains("612.0"), "the state-size table");
    assertFalse(html.contains("Not shown"), html);

    Map<String, Object> summary =
        JsonReader.parseObject(Files.readString(out.resolve(ResultsFiles.SUMMARY_JSON)));
    Map<?, ?> geo = (Map<?, ?>) ((Map<?, ?>) summary.get("geomean_slowdown")).get("remote");
    assertEquals(5.0, ((Map<?, ?>) geo.get("wall")).get("value"));
  }

  @Test
  void missingBenchmarkFilesAreSaidSo() throws Exception {
    Path out = results();
    Files.writeString(out.resolve(ReportWriter.STATE_PNG), "stale");
    ReportWriter.Written w =
        ReportWriter.write(out, dir.resolve("nope/migration.json"), dir.resolve("overhead.json"));
    String html = Files.readString(out.resolve(ResultsFiles.REPORT_HTML));
    assertTrue(html.contains("nope/migration.json not found"), html);
    assertTrue(html.contains("overhead.json not found"), html);
    assertFalse(html.contains(ReportWriter.STATE_PNG), html);
    assertFalse(html.contains(ReportWriter.OVERHEAD_PNG), html);
    assertFalse(Files.exists(out.resolve(ReportWriter.STATE_PNG)), "no stale chart left");
    assertTrue(Files.exists(out.resolve(ReportWriter.SLOWDOWN_PNG)));
    assertEquals(2, w.notes().size(), w.notes().toString());
  }

  @Test
  void aFileWithoutTheDowntimePartOrFiguresIsSaidSo() throws Exception {
    Path mig = dir.resolve("m.json");
    Files.writeString(mig, "{\"benchmark\": \"migration\", \"recording\": {}}");
    assertTrue(ExternalResults.downtime(mig).problem().contains("no downtime part"));
    Path ovh = dir.resolve("o.json");
    Files.writeString(ovh, "{\"native\": {\"results\": {}}, \"remote\": null}");
    assertTrue(ExternalResults.overhead(ovh).problem().contains("no figures"));
    Files.writeString(ovh, "{broken");
    assertTrue(ExternalResults.overhead(ovh).problem().contains("not readable JSON"));
  }

  @Test
  void overheadFiguresRelativeToNative() throws Exception {
    Path ovh = dir.resolve("overhead.json");
    Files.writeString(ovh, OVERHEAD_JSON);
    ExternalResults.Overhead o = ExternalResults.overhead(ovh);
    Map<String, ExternalResults.Figure> f = new LinkedHashMap<>();
    for (ExternalResults.Figure x : o.figures()) f.put(x.id(), x);
    assertEquals(0.5, f.get("a").relative(), 1e-12); // 50 us native / 100 us remote
    assertEquals(47 / 163.0, f.get("a").poclrRelative(), 1e-12);
    assertEquals(0.25, f.get("b").relative(), 1e-12);
    assertEquals(0.6, f.get("c-write").relative(), 1e-12); // against the raw socket
    assertEquals(0.4, f.get("c-read").relative(), 1e-12);
    assertEquals(0.2, f.get("d").relative(), 1e-12);
    assertEquals("PASS", f.get("d").status());
  }

  @Test
  void aRealMigrationResultsFileIsReadable() throws Exception {
    // a results/migration.json written by `ava-bench migration` (downtime part, 2026-11-27), kept as a fixture
    Path real = Files.createTempFile("migration", ".json");
    try (java.io.InputStream in = ReportWriterTest.class.getResourceAsStream("migration-sample.json")) {
      assertTrue(in != null, "the fixture migration-sample.json is missing");
      Files.copy(in, real, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    ExternalResults.Downtime d = ExternalResults.downtime(real);
    assertEquals(null, d.problem());
    assertEquals(java.util.List.of(1, 16, 256, 1024), d.sizes().stream().map(p -> (int) p.mib()).toList());
  }
}

package io.ava.bench.report;

import io.ava.bench.run.Csv;
import io.ava.bench.run.ResultsFiles;
import io.ava.bench.run.RunRecord;
import io.ava.bench.util.Json;
import io.ava.bench.util.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a results folder's summary.json, charts (PNG) and report.html from its runs.csv and
 * run-info.json, and the other benchmarks' migration.json and overhead.json when they exist.
 * Used at the end of {@code ava-bench run} and by {@code ava-bench run --report-only}.
 */
public final class ReportWriter {

  /** The chart files, in the results folder. */
  public static final String SLOWDOWN_PNG = "slowdown.png";
  public static final String MIGRATION_PNG = "migration.png";
  public static final String MIGRATION_CALLS_PNG = "migration-calls.png";
  public static final String STATE_PNG = "downtime-vs-state.png";
  public static final String OVERHEAD_PNG = "overhead.png";

  private ReportWriter() {}

  /** What was written. */
  public record Written(Summary summary, List<Path> files, List<String> notes) {}

  public static Written write(Path dir, Path migrationJson, Path overheadJson)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<RunRecord> rows = readRuns(dir.resolve(ResultsFiles.RUNS_CSV));
    Map<String, Object> info = readInfo(dir.resolve(ResultsFiles.INFO_JSON));
    Summary s = Summary.of(rows, info);
    List<Path> files = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Path summary = dir.resolve(ResultsFiles.SUMMARY_JSON);
    Files.writeString(summary, Json.write(s.toJson()), StandardCharsets.UTF_8);
    files.add(summary);

    ExternalResults.Downtime downtime = ExternalResults.downtime(migrationJson);
    ExternalResults.Overhead overhead = ExternalResults.overhead(overheadJson);
    Map<String, Boolean> charts = new LinkedHashMap<>();
    charts.put(SLOWDOWN_PNG, chart(dir, SLOWDOWN_PNG, p -> Charts.slowdown(s, p)));
    charts.put(MIGRATION_PNG, chart(dir, MIGRATION_PNG, p -> Charts.migrationTimes(s, p)));
    charts.put(MIGRATION_CALLS_PNG,
        chart(dir, MIGRATION_CALLS_PNG, p -> Charts.downtimeVsCall(s, p)));
    charts.put(STATE_PNG, chart(dir, STATE_PNG, p -> Charts.downtimeVsState(downtime, p)));
    charts.put(OVERHEAD_PNG, chart(dir, OVERHEAD_PNG, p -> Charts.overhead(overhead, p)));
    for (Map.Entry<String, Boolean> e : charts.entrySet()) {
      if (e.getValue()) files.add(dir.resolve(e.getKey()));
    }
    if (downtime.problem() != null) notes.add("downtime vs state size: " + downtime.problem());
    if (overhead.problem() != null) notes.add("call overhead: " + overhead.problem());
    Path html = dir.resolve(ResultsFiles.REPORT_HTML);
    Files.writeString(html, HtmlReport.render(s, charts, downtime, overhead),
        StandardCharsets.UTF_8);
    files.add(html);
    return new Written(s, files, notes);
  }

  private interface ChartJob {
    boolean draw(Path png) throws IOException;
  }

  /** Draws one chart; a chart with nothing to draw leaves no (stale) file behind. */
  private static boolean chart(Path dir, String name, ChartJob job) throws IOException {
    Path png = dir.resolve(name);
    Files.deleteIfExists(png);
    return job.draw(png);
  }

  public static List<RunRecord> readRuns(Path csv) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new IOException(csv + " not found: not a results folder of `ava-bench run`");
    }
    List<List<String>> table = Csv.parse(Files.readString(csv, StandardCharsets.UTF_8));
    if (table.isEmpty()) throw new IOException(csv + " is empty");
    List<String> header = table.get(0);
    List<RunRecord> rows = new ArrayList<>();
    for (int i = 1; i < table.size(); i++) {
      try {
        rows.add(RunRecord.fromCells(header, table.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IOException(csv + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }

  public static void writeRuns(Path csv, List<RunRecord> rows) throws IOException {
    StringBuilder sb = new StringBuilder(Csv.line(RunRecord.header())).append('\n');
    for (RunRecord r : rows) sb.append(Csv.line(r.cells())).append('\n');
    Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
  }

  /** run-info.json, or an empty map when it is missing. */
  static Map<String, Object> readInfo(Path file) throws IOException {
    if (!Files.isRegularFile(file)) return Map.of();
    try {
      return JsonReader.parseObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not readable JSON", e);
    }
  }
}

package io.ava.bench.migration;

import io.ava.bench.util.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source server's {@code --migration-log}: per outgoing migration a line {@code [<server-id>]
 * migration takes <ms>} (or {@code ... migration of session S to T failed: why}) and then one JSON
 * line with the breakdown (total_ms, quiesce_ms, ..., bytes, records, objects, ...).
 */
public final class MigrationLogFile {

  static final Pattern TAKES = Pattern.compile("^\\[([^\\]]*)\\] migration takes (\\d+)\\s*$");
  static final Pattern FAILED =
      Pattern.compile("^\\[([^\\]]*)\\] migration of session (\\S+) to (\\S+) failed: (.*)$");

  /** The breakdown fields the report shows, in this order (milliseconds). */
  public static final List<String> TIME_FIELDS = List.of("total_ms", "quiesce_ms", "snapshot_ms",
      "connect_ms", "contents_ms", "commit_ms", "transfer_ms", "replay_ms", "restore_ms",
      "redirect_ms", "resume_ms");

  /** The breakdown fields that count what moved. */
  public static final List<String> COUNT_FIELDS =
      List.of("bytes", "records", "objects", "buffers", "images", "events", "maps");

  /**
   * One migration. {@code millis} is the header's figure (null for a failure); {@code breakdown}
   * the JSON line (empty when it was missing or unreadable, {@code problem} then says why).
   */
  public record Entry(String serverId, boolean ok, Long millis, String failure,
      Map<String, Object> breakdown, String problem) {

    /** A number of the breakdown, or null. */
    public Double number(String field) {
      return breakdown.get(field) instanceof Number n ? n.doubleValue() : null;
    }
  }

  private MigrationLogFile() {}

  public static List<Entry> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) return List.of();
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /** Pairs each header line with the JSON line after it; other lines are skipped. */
  public static List<Entry> parse(List<String> lines) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      Matcher ok = TAKES.matcher(line);
      Matcher bad = FAILED.matcher(line);
      boolean isOk = ok.matches();
      if (!isOk && !bad.matches()) continue;
      Map<String, Object> json = new LinkedHashMap<>();
      String problem = null;
      String next = i + 1 < lines.size() ? lines.get(i + 1).trim() : "";
      if (next.startsWith("{")) {
        i++;
        try {
          json = JsonReader.parseObject(next);
        } catch (IllegalArgumentException e) {
          problem = "unreadable breakdown: " + e.getMessage();
        }
      } else {
        problem = "no JSON breakdown after '" + line + "'";
      }
      if (isOk) {
        out.add(new Entry(ok.group(1), true, Long.parseLong(ok.group(2)), null, json, problem));
      } else {
        out.add(new Entry(bad.group(1), false, null, bad.group(4), json, problem));
      }
    }
    return out;
  }
}

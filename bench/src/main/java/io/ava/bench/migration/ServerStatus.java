package io.ava.bench.migration;

import io.ava.bench.util.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ava-server status --server HOST:PORT}, run as a child process and parsed: the session
 * lines ({@code session ID objects=.. bytes=.. calls=.. records=.. record_bytes=.. state="..."
 * client=..}).
 */
public final class ServerStatus {

  static final Pattern SESSION = Pattern.compile("^session (\\S+) (.*)$");
  static final Pattern FIELD = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S*)");

  /** One session line: its id and its key=value fields (quotes removed). */
  public record Session(String id, Map<String, String> fields) {
    public Long number(String key) {
      String v = fields.get(key);
      if (v == null) return null;
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  private ServerStatus() {}

  public static List<Session> parse(List<String> lines) {
    List<Session> out = new ArrayList<>();
    for (String line : lines) {
      Matcher m = SESSION.matcher(line.trim());
      if (!m.matches()) continue;
      Map<String, String> f = new LinkedHashMap<>();
      Matcher fm = FIELD.matcher(m.group(2));
      while (fm.find()) {
        String v = fm.group(2);
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        f.put(fm.group(1), v);
      }
      out.add(new Session(m.group(1), f));
    }
    return out;
  }

  /** Runs the status command (a JVM of its own) and returns its session lines. */
  public static List<Session> query(String java, Path serverJar, String address, Path log)
      throws IOException, InterruptedException {
    List<String> cmd = List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-jar",
        serverJar.toString(), "status", "--server", address);
    try (ChildProcess c = ChildProcess.start("ava-server-status", cmd, log, null)) {
      int rc;
      try {
        rc = c.waitFor(60, TimeUnit.SECONDS);
      } catch (ChildProcess.ChildTimeoutException e) {
        throw new IOException(e.getMessage());
      }
      if (rc != 0) {
        throw new IOException("ava-server status exited with " + rc + ": " + c.tail(10));
      }
      return parse(c.lines());
    }
  }
}

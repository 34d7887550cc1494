package io.ava.bench.overhead;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one forked workload run produced: its RESULT and INFO lines, errors and exit status. */
public final class WorkloadRun {
  public final String mode; // "native" or "remote"
  public final Map<String, Double> results = new LinkedHashMap<>();
  public final Map<String, String> info = new LinkedHashMap<>();
  public final List<String> errors = new ArrayList<>();
  public Integer exitCode;
  /** Set when the figures must not be shown at all (e.g. the agent did not intercept JOCL). */
  public boolean invalid;
  public double wallSeconds;
  public Path log;
  public List<String> command = List.of();

  public WorkloadRun(String mode) {
    this.mode = mode;
  }

  /** Parses the workload's protocol lines; anything else (logs, stack traces) is ignored. */
  public void parse(List<String> lines) {
    for (String line : lines) {
      if (line.startsWith("RESULT ")) {
        String[] p = line.substring(7).trim().split("\\s+");
        if (p.length >= 2) {
          try {
            results.put(p[0], Double.parseDouble(p[1]));
          } catch (NumberFormatException e) {
            errors.add("unparsable result line: " + line);
          }
        }
      } else if (line.startsWith("INFO ")) {
        String rest = line.substring(5).trim();
        int sp = rest.indexOf(' ');
        if (sp < 0) info.put(rest, "");
        else info.put(rest.substring(0, sp), rest.substring(sp + 1));
      } else if (line.startsWith("WORKLOAD_ERROR ")) {
        errors.add(line.substring(15));
      }
    }
  }

  public boolean ok() {
    return exitCode != null && exitCode == 0 && errors.isEmpty();
  }

  public Double get(String key) {
    return results.get(key);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", ok());
    m.put("invalid", invalid);
    m.put("exit_code", exitCode);
    m.put("wall_s", wallSeconds);
    m.put("results", results);
    m.put("info", info);
    m.put("errors", errors);
    m.put("log", log == null ? null : log.toString());
    m.put("command", command);
    return m;
  }
}

package io.ava.bench.report;

import io.ava.bench.run.Mode;
import io.ava.bench.run.ResultsFiles;
import io.ava.bench.run.RunRecord;
import io.ava.bench.util.Table;
import java.util.List;
import java.util.Map;

/** report.html: the figures, the charts (PNG files beside it) and every failure. */
final class HtmlReport {
  private HtmlReport() {}

  private static final String CSS = """
      body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
        max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
      h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
      table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
      th,td{border:1px solid #ddd;padding:.25em .6em;vertical-align:top}
      th{background:#f4f4f4;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
      img{max-width:100%;border:1px solid #eee;margin:.5em 0}
      .bad{color:#b00020;font-weight:600}.ok{color:#1b7f3b;font-weight:600}
      .note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em}
      .key{display:flex;gap:1em;flex-wrap:wrap}.key div{background:#f6f8fa;padding:.6em 1em;
        border-radius:6px}.key b{display:block;font-size:1.4em}
      code{background:#f4f4f4;padding:0 .25em}td.err{max-width:650px;word-break:break-word}
      """;

  static String render(Summary s, Map<String, Boolean> charts, ExternalResults.Downtime downtime,
      ExternalResults.Overhead overhead) {
    StringBuilder h = new StringBuilder();
    Map<String, Object> info = s.info();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<title>ava: workloads native, remote and migrating</title>\n<style>")
        .append(CSS).append("</style></head><body>\n");
    h.append("<h1>ava: Rodinia-style workloads native, remote and with live migration</h1>\n");
    if (Boolean.FALSE.equals(info.get("complete"))) {
      h.append("<p class=\"note bad\">This run did not finish (interrupted or the runner "
          + "failed): the figures cover the runs in runs.csv only.</p>\n");
    }
    if (info.isEmpty()) {
      h.append("<p class=\"note\">No ").append(ResultsFiles.INFO_JSON)
          .append(" in this folder: the settings of the run are unknown.</p>\n");
    }
    settings(h, s);
    keyFigures(h, s);

    h.append("<h2 id=\"slowdown\">1. Remote / native slowdown</h2>\n");
    h.append("<p>Each run is a fresh JVM running <code>WorkloadMain &lt;workload&gt;</code>: "
        + "natively with JOCL on the local OpenCL, and remotely under <code>-javaagent:"
        + "ava-agent.jar</code> against an ava-server on this machine. Slowdown = median time of "
        + "the remote runs / median time of the native runs, over the runs that worked. "
        + "<em>Whole run</em> is the forked JVM from start to exit (JVM start, agent start and "
        + "connection included); <em>OpenCL part</em> is what the workload timed from context "
        + "creation to its last release. The last group is the geometric mean over the "
        + "workloads.</p>\n");
    img(h, charts, ReportWriter.SLOWDOWN_PNG, "remote/native slowdown per workload",
        "no workload has both a native and a remote run that worked");
    timesTable(h, s);

    if (s.modes().contains(Mode.MIGRATE)) {
      h.append("<h2 id=\"migration\">2. Live migration during the workloads</h2>\n");
      h.append("<p>Two servers: A (<code>--migrate-to</code> B) where each run starts, and B "
          + "(<code>--migrate-listen</code>). A calibration run counts the program's calls "
          + "(<code>AVA_MIGRATION_CALL_ID=none</code>, <code>Final call count = N</code>); each "
          + "run then sets <code>AVA_MIGRATION_CALL_ID=rN</code>, so that the agent moves the "
          + "session before a random call below N, as AvA's migration.sh did. <em>Downtime</em> "
          + "is the program's stall as the agent measured it (<code>calls waited</code>); "
          + "<em>migration total</em> and the breakdown come from A's <code>--migration-log"
          + "</code>. A run counts only when the session moved to B and the workload's output "
          + "equals the native run's.</p>\n");
      img(h, charts, ReportWriter.MIGRATION_PNG, "migration times per workload",
          "no migration worked");
      img(h, charts, ReportWriter.MIGRATION_CALLS_PNG, "downtime against the call index",
          "no migration worked");
      migrationTable(h, s);
      migrationRuns(h, s);
    }

    h.append("<h2 id=\"state\">3. Downtime against session state size</h2>\n");
    if (downtime.problem() != null) {
      h.append("<p class=\"note\">Not shown: ").append(esc(downtime.problem()))
          .append(". Run <code>java -jar bench/target/ava-bench.jar migration --parts downtime"
              + "</code> to make it.</p>\n");
    } else {
      h.append("<p>From <code>").append(esc(downtime.file().toString())).append("</code>")
          .append(downtime.timestamp() == null ? "" : " (" + esc(downtime.timestamp()) + ")")
          .append(": a workload holding the given state on the device migrates while it "
              + "calls; trigger: ").append(esc(String.valueOf(downtime.trigger())))
          .append(". The raw socket line is a loopback copy of the same bytes into fresh "
              + "memory; the target is 2 x raw + 100 ms.</p>\n");
      img(h, charts, ReportWriter.STATE_PNG, "downtime against state size", "nothing to draw");
      stateTable(h, downtime);
    }

    h.append("<h2 id=\"overhead\">4. Call overhead</h2>\n");
    if (overhead.problem() != null) {
      h.append("<p class=\"note\">Not shown: ").append(esc(overhead.problem()))
          .append(". Run <code>java -jar bench/target/ava-bench.jar overhead</code> to make it."
              + "</p>\n");
    } else {
      h.append("<p>From <code>").append(esc(overhead.file().toString())).append("</code>")
          .append(overhead.timestamp() == null ? "" : " (" + esc(overhead.timestamp()) + ")")
          .append(overhead.device() == null ? "" : ", device " + esc(overhead.device()))
          .append(". Bars: remote speed relative to native (for the round trip native time / "
              + "remote time; for (c) relative to a raw loopback socket); 1 is native speed. "
              + "Figures the run did not measure are left out.</p>\n");
      img(h, charts, ReportWriter.OVERHEAD_PNG, "call overhead", "no figure to draw");
      overheadTable(h, overhead);
    }

    failures(h, s);
    h.append("<h2>Files</h2>\n<ul>");
    for (String f : List.of(ResultsFiles.RUNS_CSV, ResultsFiles.SUMMARY_JSON,
        ResultsFiles.INFO_JSON)) {
      h.append("<li><a href=\"").append(f).append("\">").append(f).append("</a></li>");
    }
    h.append("<li><a href=\"logs/\">logs/</a>: per run its stderr (the workload's times, the "
        + "agent's messages) and stdout; the servers' logs and A's migration log in "
        + "logs/servers/</li></ul>\n");
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void settings(StringBuilder h, Summary s) {
    Map<String, Object> info = s.info();
    if (info.isEmpty()) return;
    h.append("<table>\n");
    row(h, "command", info.get("command") instanceof List<?> l ? "<code>"
        + esc(String.join(" ", l.stream().map(String::valueOf).toList())) + "</code>" : "-");
    row(h, "started", esc(str(info.get("started"))));
    row(h, "took", info.get("wall_s") instanceof Number n
        ? esc(Table.num(n.doubleValue(), 0) + " s") : "-");
    row(h, "size, seed, runs", esc(str(info.get("size")) + ", " + intStr(info.get("seed"))
        + ", " + intStr(info.get("runs")) + " per workload and mode"));
    row(h, "modes", esc(String.join(", ", s.modes().stream().map(Mode::label).toList())));
    if (info.get("host") instanceof Map<?, ?> host) {
      row(h, "host", esc(host.get("cpus") instanceof Number n ? n.intValue() + " CPUs, "
          + host.get("os") + ", Java " + host.get("java") : String.valueOf(host)));
    }
    row(h, "jars", esc("server " + str(info.get("server_jar")) + ", agent "
        + str(info.get("agent_jar"))));
    h.append("</table>\n");
  }

  private static void keyFigures(StringBuilder h, Summary s) {
    h.append("<div class=\"key\">");
    if (s.modes().contains(Mode.NATIVE) && s.modes().contains(Mode.REMOTE)) {
      Summary.Geomean g = s.geomean(Mode.REMOTE, Summary.Metric.WALL);
      Summary.Geomean o = s.geomean(Mode.REMOTE, Summary.Metric.OPENCL);
      h.append("<div><b>").append(Summary.x(g.value())).append("</b>geomean remote/native, "
          + "whole run (").append(g.workloads().size()).append(" workloads)</div>");
      h.append("<div><b>").append(Summary.x(o.value())).append("</b>geomean remote/native, "
          + "OpenCL part</div>");
    }
    if (s.modes().contains(Mode.MIGRATE)) {
      List<RunRecord> ok = s.migrations().stream().filter(r -> r.ok).toList();
      h.append("<div><b>").append(s.migrationsOk()).append(" / ").append(s.migrations().size())
          .append("</b>migrations that worked</div>");
      h.append("<div><b>").append(Table.num(io.ava.bench.util.Stats.median(
              ok.stream().map(r -> r.downtimeMs).toList()), 0))
          .append(" ms</b>median downtime</div>");
    }
    int failed = s.failures().size();
    h.append("<div><b class=\"").append(failed == 0 ? "ok" : "bad").append("\">").append(failed)
        .append(" / ").append(s.records().size()).append("</b>runs failed</div>");
    h.append("</div>\n");
  }

  private static void timesTable(StringBuilder h, Summary s) {
    h.append("<table><tr><th>workload</th>");
    for (Mode m : s.modes()) {
      h.append("<th>").append(m.label()).append(" ms<br>median (mean)</th>");
      h.append("<th>").append(m.label()).append(" OpenCL ms<br>median</th>");
      if (m != Mode.NATIVE) {
        h.append("<th>").append(m.label()).append("/native<br>whole run</th><th>")
            .append(m.label()).append("/native<br>OpenCL part</th>");
      }
    }
    h.append("<th>runs ok</th></tr>\n");
    for (String w : s.workloads()) {
      h.append("<tr><td>").append(esc(w)).append("</td>");
      int ok = 0;
      int n = 0;
      for (Mode m : s.modes()) {
        Summary.Cell c = s.cell(w, m);
        if (c != null) {
          ok += c.ok;
          n += c.runs.size();
        }
        h.append(num(c == null ? null : Table.num(c.wall.median(), 0)
            + (c.wall.mean() == null ? "" : " (" + Table.num(c.wall.mean(), 0) + ")")));
        h.append(num(c == null ? null : Table.num(c.openCl.median(), 0)));
        if (m != Mode.NATIVE) {
          h.append(num(Summary.x(s.slowdown(w, m, Summary.Metric.WALL))));
          h.append(num(Summary.x(s.slowdown(w, m, Summary.Metric.OPENCL))));
        }
      }
      h.append("<td class=\"n").append(ok < n ? " bad" : "").append("\">").append(ok)
          .append("/").append(n).append("</td></tr>\n");
    }
    if (s.modes().contains(Mode.NATIVE) && s.modes().size() > 1) {
      h.append("<tr><th>geomean</th>");
      for (Mode m : s.modes()) {
        h.append("<td></td><td></td>");
        if (m != Mode.NATIVE) {
          h.append(num(Summary.x(s.geomean(m, Summary.Metric.WALL).value())));
          h.append(num(Summary.x(s.geomean(m, Summary.Metric.OPENCL).value())));
        }
      }
      h.append("<td></td></tr>\n");
    }
    h.append("</table>\n");
    for (Mode m : s.modes()) {
      if (m == Mode.NATIVE || !s.modes().contains(Mode.NATIVE)) continue;
      Summary.Geomean g = s.geomean(m, Summary.Metric.WALL);
      if (!g.leftOut().isEmpty()) {
        h.append("<p class=\"note\">Left out of the ").append(m.label())
            .append(" geomean (no run that worked in both modes): ")
            .append(esc(String.join(", ", g.leftOut()))).append("</p>\n");
      }
    }
  }

  private static void migrationTable(StringBuilder h, Summary s) {
    h.append("<table><tr><th>workload</th><th>calls</th><th>worked</th>"
        + "<th>call index<br>median</th><th>downtime ms<br>median (min-max)</th>"
        + "<th>migration ms<br>median</th>");
    for (String f : RunRecord.BREAKDOWN) {
      h.append("<th>").append(f.replace("_ms", "")).append("</th>");
    }
    h.append("</tr>\n");
    for (String w : s.workloads()) {
      Summary.Cell c = s.cell(w, Mode.MIGRATE);
      if (c == null) continue;
      h.append("<tr><td>").append(esc(w)).append("</td>");
      h.append(num(c.callCount == null ? null : String.valueOf(c.callCount)));
      h.append("<td class=\"n").append(c.ok < c.runs.size() ? " bad" : "").append("\">")
          .append(c.ok).append("/").append(c.runs.size()).append("</td>");
      h.append(num(Table.num(c.callIndex.median(), 0)));
      h.append(num(c.downtime.median() == null ? null : Table.num(c.downtime.median(), 0) + " ("
          + Table.num(c.downtime.min(), 0) + "-" + Table.num(c.downtime.max(), 0) + ")"));
      h.append(num(Table.num(c.migrationTotal.median(), 0)));
      for (String f : RunRecord.BREAKDOWN) h.append(num(Table.num(c.breakdownMedian.get(f), 1)));
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static void migrationRuns(StringBuilder h, Summary s) {
    h.append("<details><summary>Every migration run</summary>\n<table><tr><th>workload</th>"
        + "<th>run</th><th>call index / calls</th><th>downtime ms</th><th>migration ms</th>"
        + "<th>server A's downtime_ms</th><th>bytes</th><th>wall ms</th><th>result</th></tr>\n");
    for (RunRecord r : s.migrations()) {
      Double pos = Summary.position(r);
      h.append("<tr><td>").append(esc(r.workload)).append("</td>")
          .append(num(String.valueOf(r.run)))
          .append(num(r.callIndex == null ? null : r.callIndex + " / " + r.callCount
              + (pos == null ? "" : " (" + Table.num(100 * pos, 0) + "%)")))
          .append(num(Table.num(r.downtimeMs, 0)))
          .append(num(Table.num(r.migrationTotalMs, 0)))
          .append(num(Table.num(r.serverDowntimeMs, 1)))
          .append(num(Table.num(r.stateBytes, 0)))
          .append(num(Table.num(r.wallMs, 0)))
          .append(r.ok ? "<td class=\"ok\">ok</td>" : "<td class=\"bad err\">" + esc(r.error())
              + "</td>")
          .append("</tr>\n");
    }
    h.append("</table></details>\n");
  }

  private static void stateTable(StringBuilder h, ExternalResults.Downtime d) {
    h.append("<table><tr><th>state MiB</th><th>downtime ms<br>median</th><th>migration ms<br>"
        + "median</th><th>raw socket ms</th><th>target ms</th><th>status</th><th>runs ok</th>"
        + "</tr>\n");
    for (ExternalResults.SizePoint p : d.sizes()) {
      h.append("<tr>").append(num(Table.num(p.mib(), 0)))
          .append(num(Table.num(p.downtimeMs(), 0))).append(num(Table.num(p.totalMs(), 0)))
          .append(num(Table.num(p.rawMs(), 1))).append(num(Table.num(p.targetMs(), 1)))
          .append("<td>").append(esc(String.valueOf(p.status()))).append("</td>")
          .append(num(p.runsOk() + "/" + p.runs())).append("</tr>\n");
    }
    h.append("</table>\n");
    if (d.firstDowntimeMs() != null) {
      h.append("<p>The servers' first (cold) migration, 1 MiB, left out of the medians: "
          + "downtime ").append(Table.num(d.firstDowntimeMs(), 0)).append(" ms.</p>\n");
    }
  }

  private static void overheadTable(StringBuilder h, ExternalResults.Overhead o) {
    h.append("<table><tr><th>figure</th><th>unit</th><th>native</th><th>remote</th>"
        + "<th>relative</th><th>PoCL-R 6.0 relative</th><th>target</th><th>status</th></tr>\n");
    for (ExternalResults.Figure f : o.figures()) {
      int dec = f.unit().startsWith("us") ? 1 : 0;
      h.append("<tr><td>").append(esc(f.label())).append("</td><td>").append(esc(f.unit()))
          .append("</td>").append(num(Table.num(f.nativeValue(), dec)))
          .append(num(Table.num(f.remoteValue(), dec)))
          .append(num(f.relative() == null ? null : Table.num(f.relative(), 3) + " ("
              + f.relativeTo() + ")"))
          .append(num(Table.num(f.poclrRelative(), 3)))
          .append("<td>").append(esc(f.target() == null ? "-" : f.target())).append("</td><td>")
          .append(esc(f.status() == null ? "-" : f.status())).append("</td></tr>\n");
    }
    h.append("</table>\n");
    if (o.rawSocketMbS() != null) {
      h.append("<p>Raw loopback socket: ").append(Table.num(o.rawSocketMbS(), 0))
          .append(" MB/s.</p>\n");
    }
  }

  private static void failures(StringBuilder h, Summary s) {
    h.append("<h2 id=\"failures\">Failures</h2>\n");
    List<String> setup = s.setupFailures();
    List<RunRecord> f = s.failures();
    List<?> events = s.info().get("server_events") instanceof List<?> l ? l : List.of();
    if (f.isEmpty() && setup.isEmpty() && events.isEmpty()) {
      h.append("<p class=\"ok\">None: every run exited 0 with the native run's output")
          .append(s.modes().contains(Mode.MIGRATE) ? ", and every migration moved the session"
              + " to B" : "").append(".</p>\n");
      return;
    }
    h.append("<p>A failed run is left out of every figure above.</p>\n");
    for (String x : setup) h.append("<p class=\"bad\">").append(esc(x)).append("</p>\n");
    for (Object e : events) h.append("<p class=\"note\">").append(esc(String.valueOf(e)))
        .append("</p>\n");
    if (f.isEmpty()) return;
    h.append("<table><tr><th>mode</th><th>workload</th><th>run</th><th>error</th><th>log</th>"
        + "</tr>\n");
    for (RunRecord r : f) {
      h.append("<tr><td>").append(r.mode.label()).append("</td><td>").append(esc(r.workload))
          .append("</td>").append(num(String.valueOf(r.run))).append("<td class=\"err\">")
          .append(esc(r.error())).append("</td><td>")
          .append(r.log == null ? "-" : "<a href=\"" + esc(r.log) + "\">" + esc(r.log) + "</a>")
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void img(StringBuilder h, Map<String, Boolean> charts, String file, String alt,
      String none) {
    if (Boolean.TRUE.equals(charts.get(file))) {
      h.append("<p><img src=\"").append(file).append("\" alt=\"").append(esc(alt))
          .append("\" width=\"").append(Charts.WIDTH).append("\"></p>\n");
    } else {
      h.append("<p class=\"note\">No chart: ").append(esc(none)).append(".</p>\n");
    }
  }

  private static void row(StringBuilder h, String key, String html) {
    h.append("<tr><th>").append(esc(key)).append("</th><td>").append(html).append("</td></tr>\n");
  }

  private static String num(String text) {
    return "<td class=\"n\">" + esc(text == null ? "-" : text) + "</td>";
  }

  private static String str(Object o) {
    return o == null ? "-" : String.valueOf(o);
  }

  private static String intStr(Object o) {
    return o instanceof Number n ? String.valueOf(n.longValue()) : str(o);
  }

  static String esc(String s) {
    if (s == null) return "";
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}

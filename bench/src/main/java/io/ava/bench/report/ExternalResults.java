package io.ava.bench.report;

import io.ava.bench.util.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The figures the report shows from the other benchmarks' files: the downtime part of {@code
 * ava-bench migration} ({@code results/migration.json}) and {@code ava-bench overhead} ({@code
 * results/overhead.json}). A missing or unreadable file gives {@code problem} instead.
 */
public final class ExternalResults {
  private ExternalResults() {}

  /** One state size of the downtime part: medians over the runs that worked. */
  public record SizePoint(double mib, Double downtimeMs, Double totalMs, Double rawMs,
      Double targetMs, Double clientMaxGapMs, String status, int runsOk, int runs) {}

  /** The downtime part, or the reason there is none. */
  public record Downtime(Path file, String timestamp, String trigger, List<SizePoint> sizes,
      Double firstDowntimeMs, String problem) {}

  /**
   * One overhead figure as "remote relative to native" (1 = as fast as native, higher is better:
   * for the round trip native/remote, for throughputs remote/native; for (c) remote/raw socket).
   */
  public record Figure(String id, String label, String unit, Double nativeValue,
      Double remoteValue, Double relative, String relativeTo, Double poclrRelative,
      String target, String status) {}

  public record Overhead(Path file, String timestamp, String device, List<Figure> figures,
      Double rawSocketMbS, String problem) {}

  public static Downtime downtime(Path file) {
    Map<String, Object> j;
    try {
      j = read(file);
    } catch (IOException | IllegalArgumentException e) {
      return new Downtime(file, null, null, List.of(), null, e.getMessage());
    }
    if (!(j.get("downtime") instanceof Map<?, ?> d)) {
      return new Downtime(file, str(j.get("timestamp")), null, List.of(), null,
          file + " has no downtime part (run `ava-bench migration --parts downtime`)");
    }
    List<SizePoint> sizes = new ArrayList<>();
    if (d.get("sizes") instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof Map<?, ?> s)) continue;
        Double mib = num(s.get("mib"));
        if (mib == null) continue;
        int runs = 0;
        int ok = 0;
        if (s.get("runs") instanceof List<?> rl) {
          for (Object r : rl) {
            runs++;
            if (r instanceof Map<?, ?> rm && Boolean.TRUE.equals(rm.get("ok"))) ok++;
          }
        }
        Double total = s.get("breakdown_median") instanceof Map<?, ?> b ? num(b.get("total_ms"))
            : null;
        sizes.add(new SizePoint(mib, num(s.get("downtime_ms")), total, num(s.get("raw_ms")),
            num(s.get("target_ms")), num(s.get("client_max_gap_ms")), str(s.get("status")), ok,
            runs));
      }
    }
    Double first = d.get("first_migration") instanceof Map<?, ?> f
        && Boolean.TRUE.equals(f.get("ok")) ? num(f.get("downtime_ms")) : null;
    return new Downtime(file, str(j.get("timestamp")), str(d.get("trigger")), sizes, first,
        sizes.isEmpty() ? file + ": the downtime part has no sizes" : null);
  }

  public static Overhead overhead(Path file) {
    Map<String, Object> j;
    try {
      j = read(file);
    } catch (IOException | IllegalArgumentException e) {
      return new Overhead(file, null, null, List.of(), null, e.getMessage());
    }
    Map<?, ?> nat = results(j.get("native"));
    Map<?, ?> rem = results(j.get("remote"));
    Double raw = j.get("raw_socket") instanceof Map<?, ?> r ? num(r.get("mb_s")) : null;
    Map<?, ?> ref = j.get("reference") instanceof Map<?, ?> m ? m : Map.of();
    Map<String, Map<?, ?>> targets = new java.util.HashMap<>();
    if (j.get("targets") instanceof List<?> tl) {
      for (Object o : tl) {
        if (o instanceof Map<?, ?> t) targets.put(str(t.get("id")), t);
      }
    }
    List<Figure> figs = new ArrayList<>();
    Double nRtt = num(nat.get("rtt_median_us"));
    Double rRtt = num(rem.get("rtt_median_us"));
    figs.add(figure("a", "(a) round trip, blocking 4-byte read", "us median", nRtt, rRtt,
        div(nRtt, rRtt), "native / remote",
        div(num(ref.get("native_rtt_median_us")), num(ref.get("rtt_median_us"))), targets));
    Double nAsync = num(nat.get("async_calls_per_s"));
    Double rAsync = num(rem.get("async_calls_per_s"));
    figs.add(figure("b", "(b) async clSetKernelArg", "calls/s", nAsync, rAsync,
        div(rAsync, nAsync), "remote / native", null, targets));
    Double nW = num(nat.get("bulk_write_mb_s"));
    Double rW = num(rem.get("bulk_write_mb_s"));
    figs.add(figure("c-write", "(c) 64 MiB blocking write", "MB/s", nW, rW, div(rW, raw),
        "remote / raw socket", div(num(ref.get("bulk_write_mb_s")), raw), targets));
    Double nR = num(nat.get("bulk_read_mb_s"));
    Double rR = num(rem.get("bulk_read_mb_s"));
    figs.add(figure("c-read", "(c) 64 MiB blocking read", "MB/s", nR, rR, div(rR, raw),
        "remote / raw socket", null, targets));
    Double nL = num(nat.get("launches_per_s"));
    Double rL = num(rem.get("launches_per_s"));
    figs.add(figure("d", "(d) kernel launches", "launches/s", nL, rL, div(rL, nL),
        "remote / native",
        div(num(ref.get("launches_per_s")), num(ref.get("native_launches_per_s"))), targets));
    boolean any = figs.stream().anyMatch(f -> f.nativeValue() != null || f.remoteValue() != null);
    return new Overhead(file, str(j.get("timestamp")), str(j.get("device")), figs, raw,
        any ? null : file + " has no figures");
  }

  private static Figure figure(String id, String label, String unit, Double nat, Double rem,
      Double rel, String relTo, Double poclr, Map<String, Map<?, ?>> targets) {
    Map<?, ?> t = targets.getOrDefault(id, Map.of());
    return new Figure(id, label, unit, nat, rem, rel, relTo, poclr, str(t.get("target")),
        str(t.get("status")));
  }

  private static Map<?, ?> results(Object run) {
    if (run instanceof Map<?, ?> m && m.get("results") instanceof Map<?, ?> r
        && !Boolean.TRUE.equals(m.get("invalid"))) {
      return r;
    }
    return Map.of();
  }

  private static Map<String, Object> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " not found");
    }
    try {
      return JsonReader.parseObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      String why = String.valueOf(e.getMessage());
      int cut = why.indexOf(" in: ");
      throw new IllegalArgumentException(file + " is not readable JSON: "
          + (cut > 0 ? why.substring(0, cut) : why));
    }
  }

  static Double div(Double a, Double b) {
    return a == null || b == null || b == 0 ? null : a / b;
  }

  static Double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}

package io.ava.bench.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of an experiment: on a terminal a bar redrawn in place (messages print above it);
 * otherwise (a pipe, a CI log) one plain line per finished step.
 */
final class Progress {
  private static final int WIDTH = 20;

  private final PrintStream out;
  private final boolean bar;
  private final int total;
  private final long started = System.nanoTime();
  private int done;
  private int failed;
  private String current = "";
  private int drawn; // characters of the bar on the screen

  Progress(PrintStream out, boolean bar, int total) {
    this.out = out;
    this.bar = bar;
    this.total = Math.max(1, total);
  }

  /** A bar when this JVM has a terminal (System.console() != null). */
  static Progress forConsole(PrintStream out, int total) {
    return new Progress(out, System.console() != null, total);
  }

  /** A step begins. */
  synchronized void begin(String what) {
    current = what;
    if (bar) draw();
  }

  /** The step ended; {@code result} is a short outcome ("ok, 1,234 ms" or "FAILED: why"). */
  synchronized void end(String what, boolean ok, String result) {
    done++;
    if (!ok) failed++;
    if (bar) {
      if (!ok) message(what + ": " + result);
      else draw();
    } else {
      out.printf(Locale.ROOT, "[run] %d/%d %s: %s%n", done, total, what, result);
      out.flush();
    }
  }

  /** A line of its own (above the bar on a terminal). */
  synchronized void message(String text) {
    if (bar) {
      clear();
      out.println(text);
      draw();
    } else {
      out.println("[run] " + text);
      out.flush();
    }
  }

  /** Leaves the bar's line. */
  synchronized void finish() {
    if (bar && drawn > 0) {
      current = "done";
      draw();
      out.println();
      out.flush();
      drawn = 0;
    }
  }

  int failed() {
    return failed;
  }

  /** The bar's text: {@code [#####.....] 12/40  30% | nw remote 2/3 | 1:02 elapsed, ~2:25 left}.
   */
  String barText() {
    int filled = (int) Math.round(WIDTH * (double) done / total);
    StringBuilder sb = new StringBuilder("[");
    sb.append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
    sb.append(String.format(Locale.ROOT, "%d/%d %3d%%", done, total, 100 * done / total));
    if (failed > 0) sb.append(" (").append(failed).append(" failed)");
    sb.append(" | ").append(current);
    double elapsed = (System.nanoTime() - started) / 1e9;
    sb.append(" | ").append(clock(elapsed)).append(" elapsed");
    if (done > 0 && done < total) {
      sb.append(", ~").append(clock(elapsed / done * (total - done))).append(" left");
    }
    return sb.toString();
  }

  private void draw() {
    String text = barText();
    int pad = Math.max(0, drawn - text.length());
    out.print("\r" + text + " ".repeat(pad));
    out.flush();
    drawn = text.length();
  }

  private void clear() {
    if (drawn > 0) out.print("\r" + " ".repeat(drawn) + "\r");
    drawn = 0;
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}

package io.ava.bench.util;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table: a header, a rule, rows; columns padded to their widest cell. Cells that
 * look like numbers are right-aligned, so that figures line up by their last digit.
 */
public final class Table {
  private final List<String[]> rows = new ArrayList<>();

  public Table(String... header) {
    rows.add(header);
  }

  public Table row(Object... cells) {
    String[] r = new String[rows.get(0).length];
    for (int i = 0; i < r.length; i++) {
      r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "-";
    }
    rows.add(r);
    return this;
  }

  public String render() {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] row : rows) {
      for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], row[i].length());
    }
    StringBuilder sb = new StringBuilder();
    for (int ri = 0; ri < rows.size(); ri++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        String cell = rows.get(ri)[i];
        String pad = " ".repeat(width[i] - cell.length());
        line.append(ri > 0 && numeric(cell) ? pad + cell : cell + pad);
        if (i < cols - 1) line.append("  ");
      }
      sb.append(line.toString().stripTrailing()).append('\n');
      if (ri == 0) {
        int total = 0;
        for (int w : width) total += w + 2;
        sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
      }
    }
    return sb.toString();
  }

  static boolean numeric(String cell) {
    return cell.equals("-") || cell.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?( ?[a-zA-Z%x]+)?");
  }

  /** A number with thousands separators and {@code decimals} decimals; "-" for null. */
  public static String num(Double v, int decimals) {
    if (v == null || v.isNaN()) return "-";
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  public static String num(double v, int decimals) {
    return num(Double.valueOf(v), decimals);
  }
}

package io.ava.bench.report;

import io.ava.bench.run.Mode;
import io.ava.bench.run.RunRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, drawn by JFreeChart into PNG files, headless (no display needed). Each
 * method returns false, and writes nothing, when it has nothing to draw.
 */
final class Charts {

  static {
    System.setProperty("java.awt.headless", "true");
  }

  static final int WIDTH = 1000;
  static final int HEIGHT = 520;

  private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e),
      new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b),
      new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
      new Color(0x000000), new Color(0xe6ab02), new Color(0x66a61e), new Color(0x7570b3),
      new Color(0xa6761d)};

  private Charts() {}

  /** Chart 1: remote/native slowdown per workload (whole run and OpenCL part), and the geomean. */
  static boolean slowdown(Summary s, Path png) throws IOException {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    boolean any = false;
    for (Summary.Metric m : Summary.Metric.values()) {
      String series = m == Summary.Metric.WALL ? "whole run (JVM + agent start included)"
          : "OpenCL part (as the workload timed it)";
      for (String w : s.workloads()) {
        Double v = s.slowdown(w, Mode.REMOTE, m);
        d.addValue(v, series, w);
        any |= v != null;
      }
      d.addValue(s.geomean(Mode.REMOTE, m).value(), series, "geomean");
    }
    if (!any) return false;
    JFreeChart c = ChartFactory.createBarChart("ava remote / native time per workload "
            + "(median of the runs that worked)", null, "slowdown (native = 1)", d,
        PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot p = c.getCategoryPlot();
    style(c);
    bars(p, "0.00'x'");
    ValueMarker one = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.2f));
    one.setLabel("native");
    one.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    one.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
    p.addRangeMarker(one);
    p.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    ChartUtils.saveChartAsPNG(png.toFile(), c, WIDTH, HEIGHT);
    return true;
  }

  /** Chart 2a: per workload, median downtime (the agent's stall) and migration total time. */
  static boolean migrationTimes(Summary s, Path png) throws IOException {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    boolean any = false;
    for (String w : s.workloads()) {
      Summary.Cell c = s.cell(w, Mode.MIGRATE);
      if (c == null) continue;
      d.addValue(c.downtime.median(), "downtime: the program's stall (agent's 'calls waited')", w);
      d.addValue(c.migrationTotal.median(), "migration total (server A's log, total_ms)", w);
      any |= c.downtime.median() != null || c.migrationTotal.median() != null;
    }
    if (!any) return false;
    JFreeChart c = ChartFactory.createBarChart("Live migration A -> B per workload (median of "
            + "the migrations that worked)", null, "ms", d, PlotOrientation.VERTICAL, true,
        false, false);
    style(c);
    bars(c.getCategoryPlot(), "#,##0");
    c.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    ChartUtils.saveChartAsPNG(png.toFile(), c, WIDTH, HEIGHT);
    return true;
  }

  /**
   * Chart 2b: each migration's downtime against where in the program it happened (the call
   * index as a share of the program's calls), one series per workload.
   */
  static boolean downtimeVsCall(Summary s, Path png) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (String w : s.workloads()) {
      XYSeries series = new XYSeries(w, false, true);
      for (RunRecord r : s.migrations()) {
        Double pos = Summary.position(r);
        if (r.workload.equals(w) && r.ok && pos != null && r.downtimeMs != null) {
          series.add(100 * pos, r.downtimeMs);
        }
      }
      if (series.getItemCount() > 0) data.addSeries(series);
    }
    if (data.getSeriesCount() == 0) return false;
    JFreeChart c = ChartFactory.createScatterPlot("Downtime of each migration against the call "
            + "it happened at", "migration call index, % of the program's calls "
            + "(AVA_MIGRATION_CALL_ID=r<calls>)", "downtime ms (agent's 'calls waited')", data,
        PlotOrientation.VERTICAL, true, false, false);
    style(c);
    XYPlot p = c.getXYPlot();
    ((NumberAxis) p.getDomainAxis()).setRange(0, 100);
    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) p.getRenderer();
    java.awt.Shape[] shapes = org.jfree.chart.plot.DefaultDrawingSupplier
        .createStandardSeriesShapes();
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      // a shape per workload as well as a colour: fifteen colours alone are hard to tell apart
      r.setSeriesShape(i, java.awt.geom.AffineTransform.getScaleInstance(1.5, 1.5)
          .createTransformedShape(shapes[i % shapes.length]));
    }
    ChartUtils.saveChartAsPNG(png.toFile(), c, WIDTH, HEIGHT);
    return true;
  }

  /** Chart 3: downtime against session state size, from the migration benchmark. */
  static boolean downtimeVsState(ExternalResults.Downtime d, Path png) throws IOException {
    if (d.problem() != null || d.sizes().isEmpty()) return false;
    XYSeries down = new XYSeries("downtime (agent's 'calls waited'), median");
    XYSeries total = new XYSeries("migration total (source's log), median");
    XYSeries raw = new XYSeries("raw loopback socket copy of the same bytes");
    XYSeries target = new XYSeries("target: 2 x raw + 100 ms");
    for (ExternalResults.SizePoint p : d.sizes()) {
      if (p.downtimeMs() != null) down.add(p.mib(), p.downtimeMs());
      if (p.totalMs() != null) total.add(p.mib(), p.totalMs());
      if (p.rawMs() != null) raw.add(p.mib(), p.rawMs());
      if (p.targetMs() != null) target.add(p.mib(), p.targetMs());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    for (XYSeries x : List.of(down, total, raw, target)) {
      if (x.getItemCount() > 0) data.addSeries(x);
    }
    if (data.getSeriesCount() == 0) return false;
    JFreeChart c = ChartFactory.createXYLineChart("Migration downtime against session state "
            + "(ava-bench migration, downtime part)", "session state, MiB (log scale)", "ms", data,
        PlotOrientation.VERTICAL, true, false, false);
    style(c);
    XYPlot p = c.getXYPlot();
    LogAxis x = new LogAxis("session state, MiB (log scale)");
    x.setBase(2);
    x.setSmallestValue(0.5);
    x.setNumberFormatOverride(new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(
        Locale.ROOT)));
    x.setLabelFont(p.getDomainAxis().getLabelFont());
    p.setDomainAxis(x);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      String key = String.valueOf(data.getSeriesKey(i));
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      r.setSeriesStroke(i, key.startsWith("target") ? new BasicStroke(1.5f,
          BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
          : new BasicStroke(2f));
    }
    p.setRenderer(r);
    ChartUtils.saveChartAsPNG(png.toFile(), c, WIDTH, HEIGHT);
    return true;
  }

  /** Chart 4: the call-overhead figures, remote relative to native (1 = native). */
  static boolean overhead(ExternalResults.Overhead o, Path png) throws IOException {
    if (o.problem() != null) return false;
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    boolean any = false;
    for (ExternalResults.Figure f : o.figures()) {
      if (f.relative() == null) continue; // not measured in that run
      String cat = f.label() + " (" + f.relativeTo() + ")";
      d.addValue(f.relative(), "ava on this machine", cat);
      d.addValue(f.poclrRelative(), "PoCL-R 6.0 (the issue's figures)", cat);
      any |= f.relative() != null;
    }
    if (!any) return false;
    JFreeChart c = ChartFactory.createBarChart("Call overhead: remote relative to native "
            + "(ava-bench overhead)", null, "relative speed (native = 1, higher is better)", d,
        PlotOrientation.VERTICAL, true, false, false);
    style(c);
    CategoryPlot p = c.getCategoryPlot();
    bars(p, "0.000");
    ValueMarker one = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.2f));
    one.setLabel("native");
    one.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    one.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
    p.addRangeMarker(one);
    CategoryAxis x = p.getDomainAxis();
    x.setMaximumCategoryLabelLines(3);
    x.setTickLabelFont(x.getTickLabelFont().deriveFont(11f));
    ChartUtils.saveChartAsPNG(png.toFile(), c, WIDTH, HEIGHT);
    return true;
  }

  private static void style(JFreeChart c) {
    c.setBackgroundPaint(Color.WHITE);
    c.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    if (c.getPlot() instanceof CategoryPlot p) {
      p.setBackgroundPaint(Color.WHITE);
      p.setRangeGridlinePaint(new Color(0xcccccc));
      p.setOutlineVisible(false);
    } else if (c.getPlot() instanceof XYPlot p) {
      p.setBackgroundPaint(Color.WHITE);
      p.setRangeGridlinePaint(new Color(0xcccccc));
      p.setDomainGridlinePaint(new Color(0xcccccc));
      p.setOutlineVisible(false);
    }
  }

  /** Flat bars with their values printed above them. */
  private static void bars(CategoryPlot p, String format) {
    BarRenderer r = (BarRenderer) p.getRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.05);
    r.setMaximumBarWidth(0.08);
    for (int i = 0; i < p.getDataset().getRowCount(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
        new DecimalFormat(format, DecimalFormatSymbols.getInstance(Locale.ROOT))));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
        TextAnchor.BOTTOM_CENTER));
    NumberAxis y = (NumberAxis) p.getRangeAxis();
    y.setUpperMargin(0.12);
  }
}

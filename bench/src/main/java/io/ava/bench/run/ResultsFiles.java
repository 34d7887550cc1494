package io.ava.bench.run;

/** The files of a results folder ({@code ava-bench run --out DIR}). */
public final class ResultsFiles {
  private ResultsFiles() {}

  /** one row per measured run ({@link RunRecord}) */
  public static final String RUNS_CSV = "runs.csv";
  /** the experiment's settings, host, reference and calibration runs, server events */
  public static final String INFO_JSON = "run-info.json";
  /** the figures computed from runs.csv (per workload per mode, slowdowns, geomeans, failures) */
  public static final String SUMMARY_JSON = "summary.json";
  public static final String REPORT_HTML = "report.html";
}

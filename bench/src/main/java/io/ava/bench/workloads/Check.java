package io.ava.bench.workloads;

import java.util.Locale;

/**
 * The verdict of comparing a device result with the Java reference. Its detail text names the
 * first difference, so a failure is reported the same way on every run.
 */
public record Check(boolean ok, String detail) {

  private static final Check PASS = new Check(true, "");

  public static Check pass() {
    return PASS;
  }

  public static Check fail(String detail) {
    return new Check(false, detail);
  }

  /** This verdict if it failed, otherwise {@code next} (the first failure wins). */
  public Check and(Check next) {
    return ok ? next : this;
  }

  /** Exact comparison, for integer results (levels, scores, indices, sorted keys). */
  public static Check ints(String what, int[] expected, int[] actual) {
    if (expected.length != actual.length) {
      return lengths(what, expected.length, actual.length);
    }
    int wrong = 0;
    int first = -1;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        if (wrong++ == 0) {
          first = i;
        }
      }
    }
    return wrong == 0
        ? PASS
        : fail(String.format(Locale.ROOT, "%s: %d of %d differ, first at %d: expected %d, got %d",
            what, wrong, expected.length, first, expected[first], actual[first]));
  }

  /**
   * Float comparison: element i passes when {@code |e - a| <= absTol + relTol * |e|}. The device
   * may contract a*b+c into one rounding, use another summation order or a less exact exp/sqrt
   * than Java, so float results can only agree to a tolerance. NaN never passes.
   */
  public static Check floats(String what, float[] expected, float[] actual, double relTol,
      double absTol) {
    if (expected.length != actual.length) {
      return lengths(what, expected.length, actual.length);
    }
    int wrong = 0;
    int first = -1;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double diff = Math.abs(e - actual[i]);
      if (!(diff <= absTol + relTol * Math.abs(e))) { // written so that NaN fails
        if (wrong++ == 0) {
          first = i;
        }
        worst = Double.isNaN(diff) ? Double.NaN : Math.max(worst, diff);
      }
    }
    return wrong == 0
        ? PASS
        : fail(String.format(Locale.ROOT,
            "%s: %d of %d outside tolerance, first at %d: expected %s, got %s"
                + " (largest difference %s)",
            what, wrong, expected.length, first, expected[first], actual[first], worst));
  }

  private static Check lengths(String what, int expected, int actual) {
    return fail(String.format(Locale.ROOT, "%s: expected %d values, got %d", what, expected,
        actual));
  }
}

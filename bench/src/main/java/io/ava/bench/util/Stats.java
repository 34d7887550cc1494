package io.ava.bench.util;

/** Small statistics helpers for benchmark samples. */
public final class Stats {
  private Stats() {}

  /**
   * Percentile of a sorted array by the nearest-rank method ({@code p} in 0..100): the smallest
   * sample such that at least p% of the samples are less than or equal to it. p = 50 on an even
   * count gives the mean of the two middle samples.
   */
  public static double percentileSorted(long[] sorted, double p) {
    int n = sorted.length;
    if (n == 0) throw new IllegalArgumentException("no samples");
    if (p == 50 && n % 2 == 0) {
      return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
    int rank = (int) Math.ceil(p / 100.0 * n);
    int idx = Math.min(n - 1, Math.max(0, rank - 1));
    return sorted[idx];
  }

  /**
   * Median of unsorted samples (the mean of the two middle ones on an even count); NaN values are
   * left out, and null is returned when none is left (a figure no run produced).
   */
  public static Double median(java.util.Collection<? extends Number> samples) {
    double[] v = samples.stream().filter(java.util.Objects::nonNull)
        .mapToDouble(Number::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    int n = v.length;
    if (n == 0) return null;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  }

  public static double mean(long[] samples) {
    if (samples.length == 0) throw new IllegalArgumentException("no samples");
    double sum = 0;
    for (long s : samples) sum += s;
    return sum / samples.length;
  }
}

package io.ava.bench.workloads;

import java.util.Random;

/** Input matrices for the dense linear-algebra workloads (gaussian, lud). */
final class RandomMatrix {
  private RandomMatrix() {}

  /**
   * An n x n row-major matrix with entries in [-1, 1) off the diagonal and each diagonal entry
   * larger than the rest of its row together: elimination without pivoting never meets a small
   * pivot, so float results stay close to Java's.
   */
  static float[] diagonallyDominant(int n, Random random) {
    float[] a = new float[n * n];
    for (int i = 0; i < n; i++) {
      float rowSum = 0;
      for (int j = 0; j < n; j++) {
        a[i * n + j] = random.nextFloat() * 2f - 1f;
        rowSum += Math.abs(a[i * n + j]);
      }
      a[i * n + i] = rowSum + 1f;
    }
    return a;
  }
}

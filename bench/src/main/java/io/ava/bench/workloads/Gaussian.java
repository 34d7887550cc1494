package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * gaussian: solves A x = b by Gaussian elimination without pivoting (A is made diagonally
 * dominant, so no pivot is ever small), then back substitution on the host, as in Rodinia.
 *
 * <p>For each pivot column t: {@code gauss_multipliers} computes {@code m[i] = A[i][t] / A[t][t]}
 * for the rows below, and {@code gauss_eliminate} subtracts {@code m[i]} times row t from each
 * of them (a 2-D launch over the shrinking lower-right block, b included). That is 2(n-1)
 * launches into the same buffers; the host then reads A (blocking) and b (non-blocking, waited
 * on with the last launch's event in its wait list).
 */
public class Gaussian extends KernelWorkload<Gaussian.Input, Gaussian.Output> {

  static final int TILE = 16;

  /** A is n x n, row-major. */
  public record Input(int n, float[] a, float[] b) {}

  /** The solution and the eliminated right-hand side. */
  public record Output(float[] x, float[] b) {}

  static final String SOURCE = """
      __kernel void gauss_multipliers(__global const float* a, __global float* m,
                                      const int n, const int t) {
          int row = t + 1 + get_global_id(0);
          if (row < n) m[row] = a[row * n + t] / a[t * n + t];
      }

      __kernel void gauss_eliminate(__global float* a, __global float* b,
                                    __global const float* m, const int n, const int t) {
          int col = t + get_global_id(0);
          int row = t + 1 + get_global_id(1);
          if (row >= n || col >= n) return;
          float mult = m[row];
          a[row * n + col] -= mult * a[t * n + col];
          if (col == t) b[row] -= mult * b[t];
      }
      """;

  public Gaussian() {
    super("gaussian",
        "Gaussian elimination, kernels multipliers + 2-D eliminate per column (2(n-1)"
            + " launches), host back substitution",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(96, 2_816);
    Random random = new Random(seed);
    float[] a = RandomMatrix.diagonallyDominant(n, random);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextFloat() * 2f - 1f;
    }
    float[] b = new float[n]; // b = A x for a known x, so the solution is of order 1
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        s += (double) a[i * n + j] * x[j];
      }
      b[i] = (float) s;
    }
    return new Input(n, a, b);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d x %d system", in.n(), in.n());
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    int n = in.n();
    cl_mem a = cl.buffer(CL_MEM_READ_WRITE, in.a());
    cl_mem b = cl.buffer(CL_MEM_READ_WRITE, in.b());
    cl_mem m = cl.buffer(CL_MEM_READ_WRITE, (long) n * Sizeof.cl_float);
    cl_kernel multipliers = cl.kernel("gauss_multipliers");
    cl_kernel eliminate = cl.kernel("gauss_eliminate");
    cl.args(multipliers, a, m, n, 0);
    cl.args(eliminate, a, b, m, n, 0);
    cl_event done = null; // the last launch's, for the read of b to wait on
    for (int t = 0; t < n - 1; t++) {
      int below = n - 1 - t;
      cl.arg(multipliers, 3, t);
      cl.launch(multipliers, new long[] {ClSession.roundUp(below, TILE)}, new long[] {TILE});
      cl.arg(eliminate, 4, t);
      long[] global = {ClSession.roundUp(below + 1, TILE), ClSession.roundUp(below, TILE)};
      long[] local = {TILE, TILE};
      if (t == n - 2) {
        done = cl.launch(eliminate, null, global, local);
      } else {
        cl.launch(eliminate, global, local);
      }
    }
    ByteBuffer hostB = DirectBuffers.allocate(n);
    cl_event bRead = done == null ? cl.readAsync(b, hostB) : cl.readAsync(b, hostB, done);
    float[] upper = new float[n * n];
    cl.read(a, upper);
    cl.await(bRead);
    float[] rhs = DirectBuffers.floats(hostB);
    return new Output(backSubstitute(n, upper, rhs), rhs);
  }

  /** Host part: solves the upper-triangular system left by the elimination. */
  static float[] backSubstitute(int n, float[] upper, float[] rhs) {
    float[] x = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      float s = rhs[i];
      for (int j = i + 1; j < n; j++) {
        s -= upper[i * n + j] * x[j];
      }
      x[i] = s / upper[i * n + i];
    }
    return x;
  }

  @Override
  protected Output reference(Input in) {
    int n = in.n();
    float[] a = in.a().clone();
    float[] b = in.b().clone();
    for (int t = 0; t < n - 1; t++) {
      for (int row = t + 1; row < n; row++) {
        float mult = a[row * n + t] / a[t * n + t];
        for (int col = t; col < n; col++) {
          a[row * n + col] -= mult * a[t * n + col];
        }
        b[row] -= mult * b[t];
      }
    }
    return new Output(backSubstitute(n, a, b), b);
  }

  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    return Check.floats("eliminated b", expected.b(), actual.b(), 1e-4, 1e-4)
        .and(Check.floats("x", expected.x(), actual.x(), 1e-4, 1e-5));
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.x()).add(result.b()).value();
  }
}

package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.Locale;
import java.util.Random;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * lud: in-place LU decomposition without pivoting (A = L U, L unit lower triangular; A is made
 * diagonally dominant), blocked in {@value #B} x {@value #B} tiles as in Rodinia.
 *
 * <p>For each diagonal tile k: {@code lud_diagonal} factors it in {@code __local} memory (one
 * work-group); {@code lud_perimeter} turns the tiles right of it into rows of U and the tiles
 * below it into columns of L (one work-group per pair); {@code lud_internal} subtracts
 * {@code L[i][k] * U[k][j]} from every trailing tile (a 2-D launch of tile products in
 * {@code __local} memory). 3 launches per tile step into one buffer, read back once; the
 * internal launches, where the time goes, are profiled.
 */
public class Lud extends KernelWorkload<Lud.Input, float[]> {

  static final int B = 16;

  public record Input(int n, float[] a) {}

  static final String SOURCE = """
      #define B 16

      __kernel void lud_diagonal(__global float* a, const int n, const int k) {
          __local float tile[B][B];
          int r = get_local_id(0); // one work-item per row of the tile
          int base = k * B;
          for (int c = 0; c < B; c++) tile[r][c] = a[(base + r) * n + base + c];
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int i = 0; i < B - 1; i++) {
              if (r > i) {
                  float l = tile[r][i] / tile[i][i];
                  tile[r][i] = l;
                  for (int c = i + 1; c < B; c++) tile[r][c] -= l * tile[i][c];
              }
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          for (int c = 0; c < B; c++) a[(base + r) * n + base + c] = tile[r][c];
      }

      __kernel void lud_perimeter(__global float* a, const int n, const int k) {
          __local float diag[B][B];
          int t = get_local_id(0);
          int base = k * B;
          int other = (k + 1 + get_group_id(0)) * B;
          for (int c = 0; c < B; c++) diag[t][c] = a[(base + t) * n + base + c];
          barrier(CLK_LOCAL_MEM_FENCE);
          // tile right of the diagonal: U = L^-1 A, work-item t solves column t
          int col = other + t;
          for (int i = 1; i < B; i++) {
              float s = a[(base + i) * n + col];
              for (int r = 0; r < i; r++) s -= diag[i][r] * a[(base + r) * n + col];
              a[(base + i) * n + col] = s;
          }
          // tile below the diagonal: L = A U^-1, work-item t solves row t
          int row = other + t;
          for (int j = 0; j < B; j++) {
              float s = a[row * n + base + j];
              for (int m = 0; m < j; m++) s -= a[row * n + base + m] * diag[m][j];
              a[row * n + base + j] = s / diag[j][j];
          }
      }

      __kernel void lud_internal(__global float* a, const int n, const int k) {
          __local float left[B][B];
          __local float top[B][B];
          int tx = get_local_id(0);
          int ty = get_local_id(1);
          int base = k * B;
          int row = (k + 1 + get_group_id(1)) * B + ty;
          int col = (k + 1 + get_group_id(0)) * B + tx;
          left[ty][tx] = a[row * n + base + tx];
          top[ty][tx] = a[(base + ty) * n + col];
          barrier(CLK_LOCAL_MEM_FENCE);
          float s = 0.0f;
          for (int m = 0; m < B; m++) s += left[ty][m] * top[m][tx];
          a[row * n + col] -= s;
      }
      """;

  public Lud() {
    super("lud",
        "blocked LU, kernels diagonal + perimeter + internal per 16x16 tile step,"
            + " __local tiles",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(128, 2_816);
    return new Input(n, RandomMatrix.diagonallyDominant(n, new Random(seed)));
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d x %d matrix", in.n(), in.n());
  }

  @Override
  protected float[] compute(ClSession cl, Input in) {
    int n = in.n();
    int tiles = n / B;
    cl_mem a = cl.buffer(CL_MEM_READ_WRITE, in.a());
    cl_kernel diagonal = cl.kernel("lud_diagonal");
    cl_kernel perimeter = cl.kernel("lud_perimeter");
    cl_kernel internal = cl.kernel("lud_internal");
    cl.args(diagonal, a, n, 0);
    cl.args(perimeter, a, n, 0);
    cl.args(internal, a, n, 0);
    cl_event[] trailing = new cl_event[tiles - 1]; // the internal launches, profiled at the end
    for (int k = 0; k < tiles - 1; k++) {
      int rest = tiles - 1 - k;
      cl.arg(diagonal, 2, k);
      cl.launch(diagonal, new long[] {B}, new long[] {B});
      cl.arg(perimeter, 2, k);
      cl.launch(perimeter, new long[] {(long) rest * B}, new long[] {B});
      cl.arg(internal, 2, k);
      trailing[k] = cl.launch(internal, null, new long[] {(long) rest * B, (long) rest * B},
          new long[] {B, B});
    }
    cl.arg(diagonal, 2, tiles - 1);
    cl.launch(diagonal, new long[] {B}, new long[] {B});
    float[] lu = new float[n * n];
    cl.read(a, lu);
    cl.profileAndRelease(trailing);
    return lu;
  }

  /** The unblocked right-looking algorithm: the same factors, another summation order. */
  @Override
  protected float[] reference(Input in) {
    int n = in.n();
    float[] a = in.a().clone();
    for (int k = 0; k < n - 1; k++) {
      float pivot = a[k * n + k];
      for (int i = k + 1; i < n; i++) {
        float l = a[i * n + k] / pivot;
        a[i * n + k] = l;
        for (int j = k + 1; j < n; j++) {
          a[i * n + j] -= l * a[k * n + j];
        }
      }
    }
    return a;
  }

  @Override
  protected Check verify(Input in, float[] expected, float[] actual) {
    return Check.floats("L and U", expected, actual, 1e-3, 1e-5);
  }

  @Override
  protected long checksum(float[] result) {
    return new Checksum().add(result).value();
  }
}

package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * nw: Needleman-Wunsch global alignment scores of two sequences over a 24-letter alphabet
 * ({@code M[i][j] = max(M[i-1][j-1] + S[a_i][b_j], M[i-1][j] - gap, M[i][j-1] - gap)}).
 *
 * <p>The matrix is cut into {@value #B} x {@value #B} tiles; the tiles of one anti-diagonal are
 * independent, so each launch processes one tile diagonal, a work-group per tile running the
 * in-tile wavefront in {@code __local} memory. As in Rodinia, {@code nw_upper} walks the
 * diagonals that grow (from the top-left corner) and {@code nw_lower} those that shrink: 2T-1
 * launches into one score buffer, read back once.
 */
public class Nw extends KernelWorkload<Nw.Input, int[]> {

  static final int B = 16;
  static final int LETTERS = 24;
  static final int GAP = 10;

  /** Sequences of letters 0..23, of a length that is a multiple of 16; a 24 x 24 score table. */
  public record Input(int[] a, int[] b, int[] substitution) {
    int length() {
      return a.length;
    }
  }

  static final String SOURCE = """
      #define B 16
      #define LETTERS 24

      // One B x B tile whose top-left score cell is M[bi*B][bj*B]; every work-item calls it.
      void nw_tile(__global int* m, __global const int* sa, __global const int* sb,
                   __global const int* subst, const int n, const int gap,
                   const int bi, const int bj, __local int* s, __local int* la,
                   __local int* lb) {
          int t = get_local_id(0);
          int w = n + 1;            // row length of the score matrix
          int r0 = bi * B;
          int c0 = bj * B;
          s[t + 1] = m[r0 * w + c0 + t + 1];                   // row above the tile
          s[(t + 1) * (B + 1)] = m[(r0 + t + 1) * w + c0];     // column left of it
          if (t == 0) s[0] = m[r0 * w + c0];
          la[t] = sa[r0 + t];
          lb[t] = sb[c0 + t];
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int d = 0; d < 2 * B - 1; d++) {
              int r = d - t;        // work-item t owns column t of the tile
              if (r >= 0 && r < B) {
                  int diag = s[r * (B + 1) + t] + subst[la[r] * LETTERS + lb[t]];
                  int up = s[r * (B + 1) + t + 1] - gap;
                  int left = s[(r + 1) * (B + 1) + t] - gap;
                  s[(r + 1) * (B + 1) + t + 1] = max(diag, max(up, left));
              }
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          for (int r = 0; r < B; r++) {
              m[(r0 + r + 1) * w + c0 + t + 1] = s[(r + 1) * (B + 1) + t + 1];
          }
      }

      // s: (B+1) x (B+1) scores, la/lb: the tile's letters; __local arguments set by the host
      __kernel void nw_upper(__global int* m, __global const int* sa, __global const int* sb,
                             __global const int* subst, const int n, const int gap,
                             const int diagonal, __local int* s, __local int* la,
                             __local int* lb) {
          int bi = get_group_id(0);
          nw_tile(m, sa, sb, subst, n, gap, bi, diagonal - bi, s, la, lb);
      }

      __kernel void nw_lower(__global int* m, __global const int* sa, __global const int* sb,
                             __global const int* subst, const int n, const int gap,
                             const int diagonal, __local int* s, __local int* la,
                             __local int* lb) {
          int bi = diagonal - (n / B - 1) + get_group_id(0);
          nw_tile(m, sa, sb, subst, n, gap, bi, diagonal - bi, s, la, lb);
      }
      """;

  public Nw() {
    super("nw",
        "Needleman-Wunsch, one launch per 16x16 tile anti-diagonal (kernels upper + lower),"
            + " in-tile wavefront in __local memory",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(256, 8_192);
    Random random = new Random(seed);
    int[] subst = new int[LETTERS * LETTERS];
    for (int i = 0; i < LETTERS; i++) {
      for (int j = 0; j <= i; j++) {
        int v = i == j ? 4 + random.nextInt(8) : random.nextInt(9) - 4;
        subst[i * LETTERS + j] = v;
        subst[j * LETTERS + i] = v;
      }
    }
    int[] a = new int[n];
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = random.nextInt(LETTERS);
      // b is a mutated copy of a, so that the alignment is worth something
      b[i] = random.nextInt(4) == 0 ? random.nextInt(LETTERS) : a[i];
    }
    return new Input(a, b, subst);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "two sequences of %d, gap %d", in.length(), GAP);
  }

  /** Row 0 and column 0: the cost of aligning a prefix against nothing. */
  static int[] borders(int n) {
    int w = n + 1;
    int[] m = new int[w * w];
    for (int i = 0; i < w; i++) {
      m[i] = -i * GAP;
      m[i * w] = -i * GAP;
    }
    return m;
  }

  @Override
  protected int[] compute(ClSession cl, Input in) {
    int n = in.length();
    int tiles = n / B;
    int[] scores = borders(n);
    cl_mem m = cl.buffer(CL_MEM_READ_WRITE, scores);
    cl_mem sa = cl.buffer(CL_MEM_READ_ONLY, in.a());
    cl_mem sb = cl.buffer(CL_MEM_READ_ONLY, in.b());
    cl_mem subst = cl.buffer(CL_MEM_READ_ONLY, in.substitution());
    cl_kernel upper = cl.kernel("nw_upper");
    cl_kernel lower = cl.kernel("nw_lower");
    for (cl_kernel k : new cl_kernel[] {upper, lower}) {
      cl.args(k, m, sa, sb, subst, n, GAP, 0,
          new ClSession.Local((long) (B + 1) * (B + 1) * Sizeof.cl_int),
          new ClSession.Local((long) B * Sizeof.cl_int),
          new ClSession.Local((long) B * Sizeof.cl_int));
    }
    for (int d = 0; d < 2 * tiles - 1; d++) {
      boolean growing = d < tiles;
      cl_kernel k = growing ? upper : lower;
      int count = growing ? d + 1 : 2 * tiles - 1 - d;
      cl.arg(k, 6, d);
      cl.launch(k, new long[] {(long) count * B}, new long[] {B});
    }
    cl.read(m, scores);
    return scores;
  }

  @Override
  protected int[] reference(Input in) {
    int n = in.length();
    int w = n + 1;
    int[] m = borders(n);
    for (int i = 1; i <= n; i++) {
      for (int j = 1; j <= n; j++) {
        int match = in.substitution()[in.a()[i - 1] * LETTERS + in.b()[j - 1]];
        int diag = m[(i - 1) * w + j - 1] + match;
        int up = m[(i - 1) * w + j] - GAP;
        int left = m[i * w + j - 1] - GAP;
        m[i * w + j] = Math.max(diag, Math.max(up, left));
      }
    }
    return m;
  }

  @Override
  protected Check verify(Input in, int[] expected, int[] actual) {
    return Check.ints("score matrix", expected, actual);
  }

  @Override
  protected long checksum(int[] result) {
    return new Checksum().add(result).value();
  }
}

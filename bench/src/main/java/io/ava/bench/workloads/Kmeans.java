package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * kmeans: Lloyd's k-means on points with {@value #F} features, the first k points as initial
 * centres, until at most 0.1% of the points change cluster (or {@value #MAX_ITERATIONS} rounds).
 *
 * <p>{@code kmeans_transpose} turns the points column-major once (as Rodinia's swap kernel does,
 * for coalesced reads); then per round the host writes the centres (blocking),
 * {@code kmeans_assign} gives each point its nearest centre and {@code kmeans_partials} sums
 * each cluster's features and members per work-group; both results come back with non-blocking
 * reads on the kernels' events and the host makes the new centres.
 *
 * <p>Why the results are exact: features are whole numbers 0..31 and the host keeps centres on a
 * grid of 1/32, so every difference, square and sum of {@value #F} squares fits a float's 24-bit
 * mantissa. Distances are then the same on every device (fused multiply-add or not) and in Java,
 * ties break the same way (lowest cluster), and the device result can be compared exactly.
 */
public class Kmeans extends KernelWorkload<Kmeans.Input, Kmeans.Output> {

  static final int F = 16;
  static final int MAX_ITERATIONS = 30;
  static final int CHUNK = 2_048; // points per work-group of kmeans_partials
  static final int GROUP = 128;

  /** {@code points} is n x F, row-major. */
  public record Input(int n, int k, float[] points) {}

  /** The final membership and centres, and the number of rounds run. */
  public record Output(int[] membership, float[] centres, int rounds) {}

  static final String SOURCE = """
      __kernel void kmeans_transpose(__global const float* rows, __global float* columns,
                                     const int n, const int f) {
          int p = get_global_id(0);
          if (p >= n) return;
          for (int j = 0; j < f; j++) columns[j * n + p] = rows[p * f + j];
      }

      __kernel void kmeans_assign(__global const float* columns, __global const float* centres,
                                  __global int* membership, const int n, const int k,
                                  const int f) {
          int p = get_global_id(0);
          if (p >= n) return;
          int best = 0;
          float bestDistance = MAXFLOAT;
          for (int c = 0; c < k; c++) {
              float d = 0.0f;
              for (int j = 0; j < f; j++) {
                  float diff = columns[j * n + p] - centres[c * f + j];
                  d += diff * diff;
              }
              if (d < bestDistance) {
                  bestDistance = d;
                  best = c;
              }
          }
          membership[p] = best;
      }

      // work-item (c, j) of group g sums feature j (j == f: the member count) of cluster c
      // over the points [g*chunk, (g+1)*chunk); features are whole numbers, so int is exact
      __kernel void kmeans_partials(__global const float* columns, __global const int* membership,
                                    __global int* partial, const int n, const int k, const int f,
                                    const int chunk) {
          int item = get_local_id(0);
          if (item >= k * (f + 1)) return;
          int c = item / (f + 1);
          int j = item % (f + 1);
          int from = get_group_id(0) * chunk;
          int to = min(n, from + chunk);
          int sum = 0;
          for (int p = from; p < to; p++) {
              if (membership[p] == c) sum += j == f ? 1 : (int) columns[j * n + p];
          }
          partial[get_group_id(0) * k * (f + 1) + item] = sum;
      }
      """;

  public Kmeans() {
    super("kmeans",
        "k-means, kernel transpose once, then assign + per-group partial sums per round,"
            + " host updates centres",
        SOURCE);
  }

  /** Points around k blob centres, so that the clustering converges as real data would. */
  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(20_000, 400_000);
    int k = size.pick(5, 56);
    Random random = new Random(seed);
    float[][] blobs = new float[k][F];
    for (float[] blob : blobs) {
      for (int j = 0; j < F; j++) {
        blob[j] = 4 + random.nextInt(24);
      }
    }
    float[] points = new float[n * F];
    for (int p = 0; p < n; p++) {
      float[] blob = blobs[random.nextInt(k)];
      for (int j = 0; j < F; j++) {
        long v = Math.round(blob[j] + random.nextGaussian() * 4);
        points[p * F + j] = Math.max(0, Math.min(31, v));
      }
    }
    return new Input(n, k, points);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d points, %d features, %d clusters", in.n(), F, in.k());
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    int n = in.n();
    int k = in.k();
    int groups = (n + CHUNK - 1) / CHUNK;
    int perGroup = k * (F + 1);
    cl_mem rows = cl.buffer(CL_MEM_READ_ONLY, in.points());
    cl_mem columns = cl.buffer(CL_MEM_READ_WRITE, (long) n * F * Sizeof.cl_float);
    cl_mem centresBuf = cl.buffer(CL_MEM_READ_ONLY, (long) k * F * Sizeof.cl_float);
    cl_mem membershipBuf = cl.buffer(CL_MEM_READ_WRITE, (long) n * Sizeof.cl_int);
    cl_mem partialBuf = cl.buffer(CL_MEM_READ_WRITE, (long) groups * perGroup * Sizeof.cl_int);
    cl_kernel transpose = cl.kernel("kmeans_transpose");
    cl_kernel assign = cl.kernel("kmeans_assign");
    cl_kernel partials = cl.kernel("kmeans_partials");
    cl.args(transpose, rows, columns, n, F);
    cl.args(assign, columns, centresBuf, membershipBuf, n, k, F);
    cl.args(partials, columns, membershipBuf, partialBuf, n, k, F, CHUNK);
    long[] global = {ClSession.roundUp(n, GROUP)};
    long[] local = {GROUP};
    cl.launch(transpose, global, local);

    ByteBuffer hostMembership = DirectBuffers.allocate(n);
    ByteBuffer hostPartials = DirectBuffers.allocate(groups * perGroup);
    return lloyd(in, centres -> {
      cl.write(centresBuf, centres);
      cl_event assigned = cl.launch(assign, null, global, local);
      cl_event summed = cl.launch(partials, null, new long[] {(long) groups * perGroup},
          new long[] {perGroup}, assigned);
      cl_event membershipRead = cl.readAsync(membershipBuf, hostMembership, assigned);
      cl_event partialsRead = cl.readAsync(partialBuf, hostPartials, summed);
      cl.await(membershipRead, partialsRead);
      cl.release(assigned, summed, membershipRead, partialsRead);
      return new Assignment(DirectBuffers.ints(hostMembership), DirectBuffers.ints(hostPartials));
    });
  }

  /**
   * One round's result: each point's cluster, and the members' feature sums and counts, as
   * consecutive blocks of [cluster][feature..., count] (the device sends one block per
   * work-group, Java one block).
   */
  record Assignment(int[] membership, int[] sums) {}

  /**
   * Host part, the same for device and reference: Lloyd's loop around {@code assign}, from the
   * first k points as centres until at most 0.1% of the points move.
   */
  static Output lloyd(Input in, Function<float[], Assignment> assign) {
    float[] centres = Arrays.copyOf(in.points(), in.k() * F);
    int[] membership = new int[in.n()];
    Arrays.fill(membership, -1);
    int round = 0;
    boolean moving = true;
    while (moving && round < MAX_ITERATIONS) {
      round++;
      Assignment a = assign.apply(centres);
      moving = changed(membership, a.membership()) > in.n() / 1000;
      membership = a.membership();
      centres = newCentres(in.k(), centres, a.sums());
    }
    return new Output(membership, centres, round);
  }

  static int changed(int[] before, int[] after) {
    int count = 0;
    for (int i = 0; i < after.length; i++) {
      if (before[i] != after[i]) {
        count++;
      }
    }
    return count;
  }

  /**
   * Host part: sums the per-group partials (layout [group][cluster][feature..., count]) and
   * puts each centre at its members' mean, rounded to 1/32; a cluster with no member keeps its
   * centre.
   */
  static float[] newCentres(int k, float[] old, int[] partial) {
    long[] sums = new long[k * (F + 1)];
    for (int i = 0; i < partial.length; i++) {
      sums[i % sums.length] += partial[i];
    }
    float[] centres = old.clone();
    for (int c = 0; c < k; c++) {
      long count = sums[c * (F + 1) + F];
      if (count == 0) {
        continue;
      }
      for (int j = 0; j < F; j++) {
        centres[c * F + j] = Math.round(sums[c * (F + 1) + j] * 32.0 / count) / 32f;
      }
    }
    return centres;
  }

  @Override
  protected Output reference(Input in) {
    return lloyd(in, centres -> assign(in, centres));
  }

  /** One round in Java: nearest centre (the lowest on a tie) and the sums. */
  static Assignment assign(Input in, float[] centres) {
    float[] p = in.points();
    int k = in.k();
    int[] membership = new int[in.n()];
    int[] sums = new int[k * (F + 1)];
    for (int i = 0; i < in.n(); i++) {
      int best = 0;
      float bestDistance = Float.MAX_VALUE;
      for (int c = 0; c < k; c++) {
        float d = 0;
        for (int j = 0; j < F; j++) {
          float diff = p[i * F + j] - centres[c * F + j];
          d += diff * diff;
        }
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      membership[i] = best;
      for (int j = 0; j < F; j++) {
        sums[best * (F + 1) + j] += (int) p[i * F + j];
      }
      sums[best * (F + 1) + F]++;
    }
    return new Assignment(membership, sums);
  }

  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    Check rounds = expected.rounds() == actual.rounds()
        ? Check.pass()
        : Check.fail("rounds: expected " + expected.rounds() + ", got " + actual.rounds());
    return rounds
        .and(Check.ints("membership", expected.membership(), actual.membership()))
        .and(Check.floats("centres", expected.centres(), actual.centres(), 0, 0));
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.membership()).add(result.centres()).add(result.rounds())
        .value();
  }
}

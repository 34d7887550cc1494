package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * nn: the k nearest records (latitude, longitude) to each of several query points.
 *
 * <p>Per query: {@code nn_distances} computes every record's Euclidean distance to the query and
 * {@code nn_group_min} reduces each work-group's distances to its nearest record in
 * {@code __local} memory; both results come back with non-blocking reads that wait on the
 * kernels' events, and the host picks the k nearest from the distances (as Rodinia's host does)
 * and the nearest of all from the group minima. The distance buffer is reused for every query.
 */
public class Nn extends KernelWorkload<Nn.Input, Nn.Output> {

  static final int K = 8;
  static final int GROUP = 256;

  /** {@code locations} holds (lat, lng) pairs; {@code queries} too. */
  public record Input(float[] locations, float[] queries) {
    int records() {
      return locations.length / 2;
    }

    int queryCount() {
      return queries.length / 2;
    }
  }

  /**
   * Per query q: the K nearest records {@code indices[q*K ..]} with their {@code distances},
   * nearest first, and the nearest record found by the group reduction.
   */
  public record Output(int[] indices, float[] distances, int[] nearest) {}

  static final String SOURCE = """
      __kernel void nn_distances(__global const float2* locations, __global float* distances,
                                 const int n, const float lat, const float lng) {
          int i = get_global_id(0);
          if (i >= n) return;
          float2 d = locations[i] - (float2)(lat, lng);
          distances[i] = sqrt(d.x * d.x + d.y * d.y);
      }

      __kernel void nn_group_min(__global const float* distances, __global int* groupBest,
                                 const int n, __local float* bestD, __local int* bestI) {
          int lid = get_local_id(0);
          int i = get_global_id(0);
          bestD[lid] = i < n ? distances[i] : INFINITY;
          bestI[lid] = i < n ? i : n;
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
              if (lid < s) {
                  float d = bestD[lid + s];
                  int j = bestI[lid + s];
                  // ties go to the lower index, as a sequential scan would have it
                  if (d < bestD[lid] || (d == bestD[lid] && j < bestI[lid])) {
                      bestD[lid] = d;
                      bestI[lid] = j;
                  }
              }
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          if (lid == 0) groupBest[get_group_id(0)] = bestI[0];
      }
      """;

  public Nn() {
    super("nn",
        "k nearest neighbours, kernels distances + __local argmin per query,"
            + " non-blocking reads on the kernels' events",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(50_000, 500_000);
    int queries = size.pick(4, 200);
    Random random = new Random(seed);
    float[] loc = new float[2 * n];
    for (int i = 0; i < n; i++) {
      loc[2 * i] = random.nextFloat() * 180f - 90f;
      loc[2 * i + 1] = random.nextFloat() * 360f - 180f;
    }
    float[] q = new float[2 * queries];
    for (int i = 0; i < queries; i++) {
      q[2 * i] = random.nextFloat() * 180f - 90f;
      q[2 * i + 1] = random.nextFloat() * 360f - 180f;
    }
    return new Input(loc, q);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d records, %d queries, k=%d", in.records(),
        in.queryCount(), K);
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    int n = in.records();
    int groups = (n + GROUP - 1) / GROUP;
    cl_mem locations = cl.buffer(CL_MEM_READ_ONLY, in.locations());
    cl_mem distances = cl.buffer(CL_MEM_READ_WRITE, (long) n * Sizeof.cl_float);
    cl_mem groupBest = cl.buffer(CL_MEM_READ_WRITE, (long) groups * Sizeof.cl_int);
    cl_kernel dist = cl.kernel("nn_distances");
    cl_kernel min = cl.kernel("nn_group_min");
    cl.args(dist, locations, distances, n, 0f, 0f);
    cl.args(min, distances, groupBest, n, new ClSession.Local((long) GROUP * Sizeof.cl_float),
        new ClSession.Local((long) GROUP * Sizeof.cl_int));
    long[] global = {(long) groups * GROUP};
    long[] local = {GROUP};
    ByteBuffer hostDist = DirectBuffers.allocate(n);
    ByteBuffer hostBest = DirectBuffers.allocate(groups);

    Output out = new Output(new int[in.queryCount() * K], new float[in.queryCount() * K],
        new int[in.queryCount()]);
    for (int q = 0; q < in.queryCount(); q++) {
      cl.arg(dist, 3, in.queries()[2 * q]);
      cl.arg(dist, 4, in.queries()[2 * q + 1]);
      cl_event distDone = cl.launch(dist, null, global, local);
      cl_event minDone = cl.launch(min, null, global, local, distDone);
      cl_event distRead = cl.readAsync(distances, hostDist, distDone);
      cl_event bestRead = cl.readAsync(groupBest, hostBest, minDone);
      cl.await(distRead, bestRead);
      float[] d = DirectBuffers.floats(hostDist);
      selectNearest(d, q, out);
      int nearest = n;
      for (int g : DirectBuffers.ints(hostBest)) {
        if (nearest == n || d[g] < d[nearest] || (d[g] == d[nearest] && g < nearest)) {
          nearest = g;
        }
      }
      out.nearest()[q] = nearest;
      cl.release(distDone, minDone, distRead, bestRead);
    }
    return out;
  }

  /** Host part: the K smallest distances (ties to the lower index), nearest first. */
  static void selectNearest(float[] d, int q, Output out) {
    int[] idx = new int[K];
    float[] best = new float[K];
    int filled = 0;
    for (int i = 0; i < d.length; i++) {
      if (filled == K && !(d[i] < best[K - 1])) {
        continue;
      }
      int pos = filled < K ? filled++ : K - 1;
      while (pos > 0 && d[i] < best[pos - 1]) {
        best[pos] = best[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
      }
      best[pos] = d[i];
      idx[pos] = i;
    }
    System.arraycopy(idx, 0, out.indices(), q * K, K);
    System.arraycopy(best, 0, out.distances(), q * K, K);
  }

  static float distance(Input in, int record, int query) {
    float dx = in.locations()[2 * record] - in.queries()[2 * query];
    float dy = in.locations()[2 * record + 1] - in.queries()[2 * query + 1];
    return (float) Math.sqrt(dx * dx + dy * dy);
  }

  @Override
  protected Output reference(Input in) {
    int n = in.records();
    Output out = new Output(new int[in.queryCount() * K], new float[in.queryCount() * K],
        new int[in.queryCount()]);
    float[] d = new float[n];
    for (int q = 0; q < in.queryCount(); q++) {
      for (int i = 0; i < n; i++) {
        d[i] = distance(in, i, q);
      }
      selectNearest(d, q, out);
      out.nearest()[q] = out.indices()[q * K];
    }
    return out;
  }

  /**
   * The device may round sqrt or a*a+b*b differently, so near-equal distances may rank
   * differently: the k distances must agree to a tolerance, and each record the device named
   * must really lie at the distance it reported (recomputed in Java).
   */
  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    Check check = Check.floats("k nearest distances", expected.distances(), actual.distances(),
        1e-5, 1e-5);
    float[] named = new float[actual.indices().length];
    float[] nearestNamed = new float[actual.nearest().length];
    float[] nearestExpected = new float[actual.nearest().length];
    for (int i = 0; i < named.length; i++) {
      int record = actual.indices()[i];
      named[i] = record >= 0 && record < in.records() ? distance(in, record, i / K) : Float.NaN;
    }
    for (int q = 0; q < nearestNamed.length; q++) {
      int record = actual.nearest()[q];
      nearestNamed[q] =
          record >= 0 && record < in.records() ? distance(in, record, q) : Float.NaN;
      nearestExpected[q] = expected.distances()[q * K];
    }
    return check
        .and(Check.floats("distance of the records named", named, actual.distances(), 1e-5, 1e-5))
        .and(Check.floats("nearest by group minima", nearestExpected, nearestNamed, 1e-5, 1e-5));
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.indices()).add(result.distances()).add(result.nearest())
        .value();
  }
}

package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * hybridsort: sorts floats by a bucket sort into buckets of about equal size, then a merge sort
 * inside every bucket (Rodinia's hybrid of the two).
 *
 * <p>The host picks the bucket bounds from a regular sample of the data. Then:
 * {@code hs_histogram} counts each work-group's elements per bucket with {@code __local}
 * atomics; {@code hs_prefix} turns the counts into each group's offset inside each bucket and
 * the bucket sizes, which the host reads (blocking) to place the buckets and writes back
 * (non-blocking, waited for by the next kernel); {@code hs_scatter} moves every element into
 * its bucket; {@code hs_sort_runs} insertion-sorts runs of {@value #RUN} inside each bucket and
 * {@code hs_merge} merges runs pairwise, doubling their width, between two buffers until the
 * longest bucket is one run (a 2-D launch: run pair x bucket).
 */
public class Hybridsort extends KernelWorkload<Hybridsort.Input, Hybridsort.Output> {

  static final int RUN = 16;
  static final int GROUP = 256;
  static final int CHUNK = 8_192; // elements per work-group of histogram and scatter

  public record Input(float[] data, int buckets) {}

  /** The sorted data and how many elements went to each bucket. */
  public record Output(float[] sorted, int[] bucketSizes) {}

  static final String SOURCE = """
      // the bucket of v: how many bounds are <= v
      int bucket_of(float v, __global const float* bounds, int count) {
          int lo = 0;
          int hi = count;
          while (lo < hi) {
              int mid = (lo + hi) >> 1;
              if (bounds[mid] <= v) lo = mid + 1; else hi = mid;
          }
          return lo;
      }

      __kernel void hs_histogram(__global const float* data, __global const float* bounds,
                                 __global int* counts, const int n, const int buckets,
                                 const int chunk, __local int* local_counts) {
          int lid = get_local_id(0);
          int g = get_group_id(0);
          int groups = get_num_groups(0);
          for (int b = lid; b < buckets; b += get_local_size(0)) local_counts[b] = 0;
          barrier(CLK_LOCAL_MEM_FENCE);
          int to = min(n, (g + 1) * chunk);
          for (int i = g * chunk + lid; i < to; i += get_local_size(0)) {
              atomic_inc(&local_counts[bucket_of(data[i], bounds, buckets - 1)]);
          }
          barrier(CLK_LOCAL_MEM_FENCE);
          // bucket-major, so that a bucket's counts are contiguous for hs_prefix
          for (int b = lid; b < buckets; b += get_local_size(0)) {
              counts[b * groups + g] = local_counts[b];
          }
      }

      __kernel void hs_prefix(__global int* counts, __global int* sizes, const int buckets,
                              const int groups) {
          int b = get_global_id(0);
          if (b >= buckets) return;
          int run = 0;
          for (int g = 0; g < groups; g++) {
              int c = counts[b * groups + g];
              counts[b * groups + g] = run;
              run += c;
          }
          sizes[b] = run;
      }

      __kernel void hs_scatter(__global const float* data, __global const float* bounds,
                               __global const int* offsets, __global const int* starts,
                               __global float* out, const int n, const int buckets,
                               const int chunk, __local int* next) {
          int lid = get_local_id(0);
          int g = get_group_id(0);
          int groups = get_num_groups(0);
          for (int b = lid; b < buckets; b += get_local_size(0)) {
              next[b] = starts[b] + offsets[b * groups + g];
          }
          barrier(CLK_LOCAL_MEM_FENCE);
          int to = min(n, (g + 1) * chunk);
          for (int i = g * chunk + lid; i < to; i += get_local_size(0)) {
              float v = data[i];
              out[atomic_inc(&next[bucket_of(v, bounds, buckets - 1)])] = v;
          }
      }

      __kernel void hs_sort_runs(__global float* d, __global const int* starts,
                                 __global const int* sizes, const int run) {
          int b = get_global_id(1);
          int from = get_global_id(0) * run;
          int size = sizes[b];
          if (from >= size) return;
          int to = min(size, from + run);
          __global float* p = d + starts[b];
          for (int i = from + 1; i < to; i++) {
              float v = p[i];
              int j = i - 1;
              while (j >= from && p[j] > v) {
                  p[j + 1] = p[j];
                  j--;
              }
              p[j + 1] = v;
          }
      }

      __kernel void hs_merge(__global const float* src, __global float* dst,
                             __global const int* starts, __global const int* sizes,
                             const int width) {
          int b = get_global_id(1);
          int from = get_global_id(0) * 2 * width;
          int size = sizes[b];
          if (from >= size) return;
          int mid = min(size, from + width);
          int to = min(size, from + 2 * width);
          __global const float* s = src + starts[b];
          __global float* o = dst + starts[b];
          int i = from;
          int j = mid;
          for (int k = from; k < to; k++) {
              if (j >= to || (i < mid && s[i] <= s[j])) o[k] = s[i++]; else o[k] = s[j++];
          }
      }
      """;

  public Hybridsort() {
    super("hybridsort",
        "bucket sort (histogram, prefix, scatter with __local atomics) then merge sort per"
            + " bucket (sort runs, log2 merge passes)",
        SOURCE);
  }

  /** Skewed values (a square of uniform ones), so that equal-width buckets would not do. */
  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(100_000, 4_000_000);
    int buckets = size.pick(64, 1_024);
    Random random = new Random(seed);
    float[] data = new float[n];
    for (int i = 0; i < n; i++) {
      float u = random.nextFloat();
      data[i] = u * u;
    }
    return new Input(data, buckets);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d floats, %d buckets", in.data().length, in.buckets());
  }

  /** Host part: buckets-1 bounds from a sorted regular sample of 64 elements per bucket. */
  static float[] bounds(float[] data, int buckets) {
    int samples = Math.min(data.length, buckets * 64);
    float[] sample = new float[samples];
    for (int i = 0; i < samples; i++) {
      sample[i] = data[(int) ((long) i * data.length / samples)];
    }
    Arrays.sort(sample);
    float[] bounds = new float[buckets - 1];
    for (int b = 1; b < buckets; b++) {
      bounds[b - 1] = sample[b * samples / buckets];
    }
    return bounds;
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    int n = in.data().length;
    int buckets = in.buckets();
    int groups = (n + CHUNK - 1) / CHUNK;
    long bytes = (long) n * Sizeof.cl_float;
    cl_mem data = cl.buffer(CL_MEM_READ_ONLY, in.data());
    cl_mem bounds = cl.buffer(CL_MEM_READ_ONLY, bounds(in.data(), buckets));
    cl_mem counts = cl.buffer(CL_MEM_READ_WRITE, (long) buckets * groups * Sizeof.cl_int);
    cl_mem sizes = cl.buffer(CL_MEM_READ_WRITE, (long) buckets * Sizeof.cl_int);
    cl_mem starts = cl.buffer(CL_MEM_READ_ONLY, (long) buckets * Sizeof.cl_int);
    cl_mem[] ping = {cl.buffer(CL_MEM_READ_WRITE, bytes), cl.buffer(CL_MEM_READ_WRITE, bytes)};
    ClSession.Local perBucket = new ClSession.Local((long) buckets * Sizeof.cl_int);
    long[] chunkGlobal = {(long) groups * GROUP};
    long[] chunkLocal = {GROUP};

    cl_kernel histogram = cl.kernel("hs_histogram");
    cl.args(histogram, data, bounds, counts, n, buckets, CHUNK, perBucket);
    cl.launch(histogram, chunkGlobal, chunkLocal);
    cl_kernel prefix = cl.kernel("hs_prefix");
    cl.args(prefix, counts, sizes, buckets, groups);
    cl.launch(prefix, new long[] {buckets}, null);
    int[] bucketSizes = new int[buckets];
    cl.read(sizes, bucketSizes);
    int[] bucketStarts = new int[buckets];
    int longest = 0;
    for (int b = 0; b < buckets; b++) {
      bucketStarts[b] = b == 0 ? 0 : bucketStarts[b - 1] + bucketSizes[b - 1];
      longest = Math.max(longest, bucketSizes[b]);
    }
    cl_event startsWritten = cl.writeAsync(starts, DirectBuffers.of(bucketStarts));

    cl_kernel scatter = cl.kernel("hs_scatter");
    cl.args(scatter, data, bounds, counts, starts, ping[0], n, buckets, CHUNK, perBucket);
    cl.launch(scatter, null, chunkGlobal, chunkLocal, startsWritten);
    cl_kernel sortRuns = cl.kernel("hs_sort_runs");
    cl.args(sortRuns, ping[0], starts, sizes, RUN);
    cl.launch(sortRuns, new long[] {(longest + RUN - 1) / RUN, buckets}, null);
    cl_kernel merge = cl.kernel("hs_merge");
    cl.args(merge, ping[0], ping[1], starts, sizes, 0);
    int current = 0;
    for (int width = RUN; width < longest; width *= 2) {
      cl.arg(merge, 0, ping[current]);
      cl.arg(merge, 1, ping[1 - current]);
      cl.arg(merge, 4, width);
      cl.launch(merge, new long[] {(longest + 2L * width - 1) / (2L * width), buckets}, null);
      current = 1 - current;
    }
    float[] sorted = new float[n];
    cl.read(ping[current], sorted);
    return new Output(sorted, bucketSizes);
  }

  /** Arrays.sort for the data; the bucket sizes counted in Java with the same bounds. */
  @Override
  protected Output reference(Input in) {
    float[] sorted = in.data().clone();
    Arrays.sort(sorted);
    float[] bounds = bounds(in.data(), in.buckets());
    int[] sizes = new int[in.buckets()];
    for (float v : in.data()) {
      int lo = 0;
      int hi = bounds.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (bounds[mid] <= v) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      sizes[lo]++;
    }
    return new Output(sorted, sizes);
  }

  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    return Check.ints("bucket sizes", expected.bucketSizes(), actual.bucketSizes())
        .and(Check.floats("sorted data", expected.sorted(), actual.sorted(), 0, 0));
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.sorted()).add(result.bucketSizes()).value();
  }
}

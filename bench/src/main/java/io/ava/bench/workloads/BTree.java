package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * b+tree: point and range queries against a B+ tree of int keys, built on the host and copied to
 * the device as flat arrays (as Rodinia's findK and findRangeK do).
 *
 * <p>The queries go in batches. Per batch: the point and range queries go up with non-blocking
 * writes; {@code bt_find} (one work-group of {@value #FAN} work-items per query, each testing
 * one key of the node to pick the child, a barrier per level) finds the value stored under each
 * point key, or -1; {@code bt_range} descends twice per range [lo, hi] and counts the keys in
 * it; both results come back with non-blocking reads waiting on the kernels' events. The tree
 * buffers and the query and answer buffers are reused by every batch.
 */
public class BTree extends KernelWorkload<BTree.Input, BTree.Output> {

  static final int FAN = 32;

  /**
   * The tree, flat: node i has {@code counts[i]} keys in {@code keys[i*FAN ..]} and as many
   * entries in {@code children[i*FAN ..]}: child node numbers in an inner node (key j being the
   * smallest key under child j), ranks of the keys in a leaf. Nodes are numbered level by level
   * from the root (0), and all leaves are on the last of {@code height} levels.
   */
  public record Tree(int height, int[] keys, int[] children, int[] counts) {}

  /**
   * {@code sortedKeys} (distinct) and {@code values} by rank; point queries; range queries as
   * (lo, hi) pairs; the batch count.
   */
  public record Input(int[] sortedKeys, int[] values, Tree tree, int[] points, int[] ranges,
      int batches) {}

  /** Per point query the value or -1; per range query the rank of its first key and the count. */
  public record Output(int[] found, int[] rangeStarts, int[] rangeCounts) {}

  static final String SOURCE = """
      #define FAN 32

      // The leaf where key belongs: every work-item of the group calls it.
      int bt_descend(__global const int* keys, __global const int* children,
                     __global const int* counts, const int height, int key, __local int* next) {
          int t = get_local_id(0);
          int node = 0;
          for (int level = 1; level < height; level++) {
              int count = counts[node];
              // child t when keys[t] <= key < keys[t+1]; the first child takes smaller keys
              if (t < count && (t == 0 || keys[node * FAN + t] <= key)
                      && (t + 1 == count || key < keys[node * FAN + t + 1])) {
                  *next = children[node * FAN + t];
              }
              barrier(CLK_LOCAL_MEM_FENCE);
              node = *next;
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          return node;
      }

      __kernel void bt_find(__global const int* keys, __global const int* children,
                            __global const int* counts, __global const int* values,
                            const int height, __global const int* queries,
                            __global int* found) {
          __local int next;
          __local int result;
          int t = get_local_id(0);
          int key = queries[get_group_id(0)];
          int leaf = bt_descend(keys, children, counts, height, key, &next);
          if (t == 0) result = -1;
          barrier(CLK_LOCAL_MEM_FENCE);
          if (t < counts[leaf] && keys[leaf * FAN + t] == key) {
              result = values[children[leaf * FAN + t]];
          }
          barrier(CLK_LOCAL_MEM_FENCE);
          if (t == 0) found[get_group_id(0)] = result;
      }

      __kernel void bt_range(__global const int* keys, __global const int* children,
                             __global const int* counts, const int height,
                             __global const int* ranges, __global int* starts,
                             __global int* lengths) {
          __local int next;
          __local int below;   // keys of the lo leaf that are < lo
          __local int upto;    // keys of the hi leaf that are <= hi
          int t = get_local_id(0);
          int lo = ranges[2 * get_group_id(0)];
          int hi = ranges[2 * get_group_id(0) + 1];
          int loLeaf = bt_descend(keys, children, counts, height, lo, &next);
          int hiLeaf = bt_descend(keys, children, counts, height, hi, &next);
          if (t == 0) {
              below = 0;
              upto = 0;
          }
          barrier(CLK_LOCAL_MEM_FENCE);
          if (t < counts[loLeaf] && keys[loLeaf * FAN + t] < lo) atomic_inc(&below);
          if (t < counts[hiLeaf] && keys[hiLeaf * FAN + t] <= hi) atomic_inc(&upto);
          barrier(CLK_LOCAL_MEM_FENCE);
          if (t == 0) {
              int first = children[loLeaf * FAN] + below;   // rank of the first key >= lo
              int end = children[hiLeaf * FAN] + upto;      // rank after the last key <= hi
              starts[get_group_id(0)] = first;
              lengths[get_group_id(0)] = max(0, end - first);
          }
      }
      """;

  public BTree() {
    super("b+tree",
        "B+ tree queries in batches, kernels find + range (a work-group per query, a barrier"
            + " per level), non-blocking query writes and answer reads",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(20_000, 2_000_000);
    int queries = size.pick(4_096, 3_000_000);
    int batches = size.pick(2, 12);
    Random random = new Random(seed);
    int[] keys = new int[n];
    int[] values = new int[n];
    int key = 0;
    for (int i = 0; i < n; i++) {
      key += 1 + random.nextInt(7);
      keys[i] = key;
      values[i] = random.nextInt(1 << 30);
    }
    int[] points = new int[queries];
    int[] ranges = new int[2 * queries];
    for (int q = 0; q < queries; q++) {
      // half of the point queries hit a key, the others are anywhere (mostly misses)
      points[q] = q % 2 == 0 ? keys[random.nextInt(n)] : random.nextInt(key + 10);
      int lo = random.nextInt(key + 10) - 5;
      ranges[2 * q] = lo;
      ranges[2 * q + 1] = lo + random.nextInt(2_000);
    }
    return new Input(keys, values, build(keys), points, ranges, batches);
  }

  /** Host part: bulk-loads the tree from sorted keys, full nodes, leaves first. */
  static Tree build(int[] sortedKeys) {
    List<int[]> levelFirstKeys = new ArrayList<>(); // smallest key under each node, per level
    List<int[]> levelChildren = new ArrayList<>();  // per node: first child index / first rank
    List<int[]> levelCounts = new ArrayList<>();
    int[] first = sortedKeys;
    int entries = sortedKeys.length;
    do {
      int nodes = (entries + FAN - 1) / FAN;
      int[] nodeFirst = new int[nodes];
      int[] counts = new int[nodes];
      for (int i = 0; i < nodes; i++) {
        nodeFirst[i] = first[i * FAN];
        counts[i] = Math.min(FAN, entries - i * FAN);
      }
      levelFirstKeys.add(first);
      levelCounts.add(counts);
      first = nodeFirst;
      entries = nodes;
    } while (entries > 1);
    int height = levelCounts.size();
    int total = levelCounts.stream().mapToInt(c -> c.length).sum();
    int[] keys = new int[total * FAN];
    int[] children = new int[total * FAN];
    int[] counts = new int[total];
    Arrays.fill(keys, Integer.MAX_VALUE);
    // number the levels from the root: level h-1 of the build is the root, at node 0
    int base = total;
    for (int level = 0; level < height; level++) {
      int[] c = levelCounts.get(level);
      base -= c.length;
      int childBase = base + c.length; // the level below starts right after this one
      int[] entryKeys = levelFirstKeys.get(level);
      for (int i = 0; i < c.length; i++) {
        counts[base + i] = c[i];
        for (int j = 0; j < c[i]; j++) {
          int entry = i * FAN + j;
          keys[(base + i) * FAN + j] = entryKeys[entry];
          // a leaf stores the rank of its key; an inner node the number of its child node
          children[(base + i) * FAN + j] = level == 0 ? entry : childBase + entry;
        }
      }
    }
    return new Tree(height, keys, children, counts);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d keys (height %d), %d point and %d range queries",
        in.sortedKeys().length, in.tree().height(), in.points().length,
        in.ranges().length / 2);
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    Tree tree = in.tree();
    int queries = in.points().length;
    int perBatch = (queries + in.batches() - 1) / in.batches();
    cl_mem keys = cl.buffer(CL_MEM_READ_ONLY, tree.keys());
    cl_mem children = cl.buffer(CL_MEM_READ_ONLY, tree.children());
    cl_mem counts = cl.buffer(CL_MEM_READ_ONLY, tree.counts());
    cl_mem values = cl.buffer(CL_MEM_READ_ONLY, in.values());
    cl_mem points = cl.buffer(CL_MEM_READ_ONLY, (long) perBatch * Sizeof.cl_int);
    cl_mem ranges = cl.buffer(CL_MEM_READ_ONLY, 2L * perBatch * Sizeof.cl_int);
    cl_mem found = cl.buffer(CL_MEM_WRITE_ONLY, (long) perBatch * Sizeof.cl_int);
    cl_mem starts = cl.buffer(CL_MEM_WRITE_ONLY, (long) perBatch * Sizeof.cl_int);
    cl_mem lengths = cl.buffer(CL_MEM_WRITE_ONLY, (long) perBatch * Sizeof.cl_int);
    cl_kernel find = cl.kernel("bt_find");
    cl_kernel range = cl.kernel("bt_range");
    cl.args(find, keys, children, counts, values, tree.height(), points, found);
    cl.args(range, keys, children, counts, tree.height(), ranges, starts, lengths);

    Output out = new Output(new int[queries], new int[queries], new int[queries]);
    for (int from = 0; from < queries; from += perBatch) {
      int count = Math.min(perBatch, queries - from);
      long[] global = {(long) count * FAN};
      long[] local = {FAN};
      cl_event pointsUp = cl.writeAsync(points,
          DirectBuffers.of(Arrays.copyOfRange(in.points(), from, from + count)));
      cl_event rangesUp = cl.writeAsync(ranges,
          DirectBuffers.of(Arrays.copyOfRange(in.ranges(), 2 * from, 2 * (from + count))));
      cl_event findDone = cl.launch(find, null, global, local, pointsUp);
      cl_event rangeDone = cl.launch(range, null, global, local, rangesUp);
      ByteBuffer foundHost = DirectBuffers.allocate(count);
      ByteBuffer startsHost = DirectBuffers.allocate(count);
      ByteBuffer lengthsHost = DirectBuffers.allocate(count);
      cl_event[] reads = {
          cl.readAsync(found, foundHost, findDone),
          cl.readAsync(starts, startsHost, rangeDone),
          cl.readAsync(lengths, lengthsHost, rangeDone)};
      cl.await(reads);
      System.arraycopy(DirectBuffers.ints(foundHost), 0, out.found(), from, count);
      System.arraycopy(DirectBuffers.ints(startsHost), 0, out.rangeStarts(), from, count);
      System.arraycopy(DirectBuffers.ints(lengthsHost), 0, out.rangeCounts(), from, count);
      cl.release(pointsUp, rangesUp, findDone, rangeDone);
      cl.release(reads);
    }
    return out;
  }

  /** An independent answer: binary search in the sorted key array, no tree at all. */
  @Override
  protected Output reference(Input in) {
    int[] keys = in.sortedKeys();
    int queries = in.points().length;
    Output out = new Output(new int[queries], new int[queries], new int[queries]);
    for (int q = 0; q < queries; q++) {
      int at = Arrays.binarySearch(keys, in.points()[q]);
      out.found()[q] = at >= 0 ? in.values()[at] : -1;
      int first = lowerBound(keys, in.ranges()[2 * q]);
      int end = lowerBound(keys, in.ranges()[2 * q + 1] + 1);
      out.rangeStarts()[q] = first;
      out.rangeCounts()[q] = Math.max(0, end - first);
    }
    return out;
  }

  /** The number of keys smaller than {@code key}. */
  static int lowerBound(int[] keys, int key) {
    int at = Arrays.binarySearch(keys, key);
    return at >= 0 ? at : -at - 1;
  }

  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    return Check.ints("point query values", expected.found(), actual.found())
        .and(Check.ints("range starts", expected.rangeStarts(), actual.rangeStarts()))
        .and(Check.ints("range counts", expected.rangeCounts(), actual.rangeCounts()));
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.found()).add(result.rangeStarts())
        .add(result.rangeCounts()).value();
  }
}

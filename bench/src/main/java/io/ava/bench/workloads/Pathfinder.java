package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * pathfinder: the cheapest path from the top row of a grid of weights to each cell of the bottom
 * row, moving one row down and at most one column sideways per step (dynamic programming,
 * {@code cost[r][c] = wall[r][c] + min(cost[r-1][c-1..c+1])}).
 *
 * <p>Each launch advances {@value #HALO} rows in {@code __local} memory ("pyramid" tiling): a
 * work-group loads {@value #GROUP} columns of the previous row, of which it keeps only the middle
 * {@code GROUP - 2 * HALO}; the others are the halo that the sideways moves eat into, one column
 * per side per row. The two row buffers are swapped between launches (the queue is in order, so
 * no event is needed between them); the wall goes up with a non-blocking write that the first
 * launch waits for, and every launch is profiled.
 */
public class Pathfinder extends KernelWorkload<Pathfinder.Input, int[]> {

  static final int GROUP = 256;
  static final int HALO = 16;

  /** {@code wall} is rows x cols, row-major, weights 0..9. */
  public record Input(int rows, int cols, int[] wall) {}

  static final String SOURCE = """
      __kernel void pathfinder_rows(__global const int* wall, __global const int* src,
                                    __global int* dst, const int cols, const int firstRow,
                                    const int rowCount, const int halo,
                                    __local int* prev, __local int* cur) {
          int lid = get_local_id(0);
          int width = get_local_size(0);
          int x = get_group_id(0) * (width - 2 * halo) - halo + lid;
          bool inside = x >= 0 && x < cols;
          prev[lid] = inside ? src[x] : 0;
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int i = 0; i < rowCount; i++) {
              // after i rows only [i, width-1-i] is still exact: one more column lost per side
              bool live = inside && lid > i && lid < width - 1 - i;
              if (live) {
                  int best = prev[lid];
                  if (x > 0) best = min(best, prev[lid - 1]);
                  if (x < cols - 1) best = min(best, prev[lid + 1]);
                  cur[lid] = best + wall[(firstRow + i) * cols + x];
              }
              barrier(CLK_LOCAL_MEM_FENCE);
              if (live) prev[lid] = cur[lid];
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          if (inside && lid >= halo && lid < width - halo) dst[x] = prev[lid];
      }
      """;

  public Pathfinder() {
    super("pathfinder",
        "grid DP, one kernel advancing " + HALO + " rows per launch in __local memory,"
            + " ping-pong row buffers, profiled launches",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int rows = size.pick(100, 5_000);
    int cols = size.pick(5_000, 10_000);
    Random random = new Random(seed);
    int[] wall = new int[rows * cols];
    for (int i = 0; i < wall.length; i++) {
      wall[i] = random.nextInt(10);
    }
    return new Input(rows, cols, wall);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d rows x %d columns", in.rows(), in.cols());
  }

  @Override
  protected int[] compute(ClSession cl, Input in) {
    int cols = in.cols();
    cl_mem wall = cl.buffer(CL_MEM_READ_ONLY, (long) in.wall().length * Sizeof.cl_int);
    cl_event wallReady = cl.writeAsync(wall, DirectBuffers.of(in.wall()));
    int[] firstRow = new int[cols];
    System.arraycopy(in.wall(), 0, firstRow, 0, cols);
    cl_mem src = cl.buffer(CL_MEM_READ_WRITE, firstRow);
    cl_mem dst = cl.buffer(CL_MEM_READ_WRITE, (long) cols * Sizeof.cl_int);

    cl_kernel k = cl.kernel("pathfinder_rows");
    long groups = (cols + GROUP - 2 * HALO - 1) / (GROUP - 2 * HALO);
    long[] global = {groups * GROUP};
    long[] local = {GROUP};
    cl.args(k, wall, src, dst, cols, 0, 0, HALO,
        new ClSession.Local((long) GROUP * Sizeof.cl_int),
        new ClSession.Local((long) GROUP * Sizeof.cl_int));
    List<cl_event> launches = new ArrayList<>();
    cl_event[] waitFor = {wallReady};
    for (int row = 1; row < in.rows(); row += HALO) {
      cl.arg(k, 1, src);
      cl.arg(k, 2, dst);
      cl.arg(k, 4, row);
      cl.arg(k, 5, Math.min(HALO, in.rows() - row));
      launches.add(cl.launch(k, null, global, local, waitFor));
      waitFor = new cl_event[0];
      cl_mem t = src;
      src = dst;
      dst = t;
    }
    int[] result = new int[cols];
    cl.read(src, result); // src holds the last row written
    cl_event[] all = launches.toArray(new cl_event[0]);
    cl.profileAndRelease(all);
    return result;
  }

  @Override
  protected int[] reference(Input in) {
    int cols = in.cols();
    int[] prev = new int[cols];
    int[] cur = new int[cols];
    System.arraycopy(in.wall(), 0, prev, 0, cols);
    for (int r = 1; r < in.rows(); r++) {
      for (int c = 0; c < cols; c++) {
        int best = prev[c];
        if (c > 0) {
          best = Math.min(best, prev[c - 1]);
        }
        if (c < cols - 1) {
          best = Math.min(best, prev[c + 1]);
        }
        cur[c] = best + in.wall()[r * cols + c];
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev;
  }

  @Override
  protected Check verify(Input in, int[] expected, int[] actual) {
    return Check.ints("bottom-row cost", expected, actual);
  }

  @Override
  protected long checksum(int[] result) {
    return new Checksum().add(result).value();
  }
}

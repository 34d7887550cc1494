package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * bfs: breadth-first search from node 0 of a sparse graph (compressed rows), giving every node
 * its level (-1 if unreachable).
 *
 * <p>Per level two kernels, as in Rodinia: {@code bfs_expand} (every frontier node marks its
 * unvisited neighbours for the next level and sets their level; all writers of a node write the
 * same value) and {@code bfs_advance} (marked nodes become the frontier and visited, and raise
 * the "more" flag). The host writes the flag down (blocking write) and reads it back (blocking
 * read) once per level; the graph and state buffers stay on the device throughout.
 */
public class Bfs extends KernelWorkload<Bfs.Input, int[]> {

  /** Edges of node v are {@code edges[starts[v] .. starts[v+1])}. */
  public record Input(int nodes, int[] starts, int[] edges) {}

  static final String SOURCE = """
      __kernel void bfs_expand(__global const int* starts, __global const int* edges,
                               __global int* frontier, __global int* next,
                               __global const int* visited, __global int* level, const int n) {
          int v = get_global_id(0);
          if (v >= n || !frontier[v]) return;
          frontier[v] = 0;
          int l = level[v] + 1;
          for (int e = starts[v]; e < starts[v + 1]; e++) {
              int w = edges[e];
              if (!visited[w]) {
                  level[w] = l;
                  next[w] = 1;
              }
          }
      }

      __kernel void bfs_advance(__global int* frontier, __global int* next,
                                __global int* visited, __global int* more, const int n) {
          int v = get_global_id(0);
          if (v >= n || !next[v]) return;
          frontier[v] = 1;
          visited[v] = 1;
          next[v] = 0;
          *more = 1;
      }
      """;

  public Bfs() {
    super("bfs",
        "level-synchronous BFS, kernels expand + advance per level, blocking flag write/read"
            + " per level",
        SOURCE);
  }

  /**
   * Mostly short edges (to nodes within a window) and a few long ones: a graph with many levels,
   * as a road network has, rather than the few of a random graph.
   */
  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(20_000, 4_000_000);
    int window = size.pick(50, 16);
    Random random = new Random(seed);
    int[] starts = new int[n + 1];
    int[] degree = new int[n];
    for (int v = 0; v < n; v++) {
      degree[v] = 1 + random.nextInt(6);
      starts[v + 1] = starts[v] + degree[v];
    }
    int[] edges = new int[starts[n]];
    for (int v = 0; v < n; v++) {
      for (int e = starts[v]; e < starts[v + 1]; e++) {
        int w = random.nextInt(5_000) == 0
            ? random.nextInt(n)
            : v + random.nextInt(2 * window + 1) - window;
        edges[e] = Math.floorMod(w, n);
      }
    }
    return new Input(n, starts, edges);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d nodes, %d edges", in.nodes(), in.edges().length);
  }

  @Override
  protected int[] compute(ClSession cl, Input in) {
    int n = in.nodes();
    int[] level = new int[n];
    Arrays.fill(level, -1);
    level[0] = 0;
    int[] start = new int[n];
    start[0] = 1;
    cl_mem starts = cl.buffer(CL_MEM_READ_ONLY, in.starts());
    cl_mem edges = cl.buffer(CL_MEM_READ_ONLY, in.edges());
    cl_mem frontier = cl.buffer(CL_MEM_READ_WRITE, start);
    cl_mem next = cl.buffer(CL_MEM_READ_WRITE, new int[n]);
    cl_mem visited = cl.buffer(CL_MEM_READ_WRITE, start);
    cl_mem levels = cl.buffer(CL_MEM_READ_WRITE, level);
    cl_mem more = cl.buffer(CL_MEM_READ_WRITE, new int[1]);

    cl_kernel expand = cl.kernel("bfs_expand");
    cl_kernel advance = cl.kernel("bfs_advance");
    cl.args(expand, starts, edges, frontier, next, visited, levels, n);
    cl.args(advance, frontier, next, visited, more, n);
    long[] global = {ClSession.roundUp(n, 256)};
    long[] local = {256};
    int[] flag = new int[1];
    do {
      flag[0] = 0;
      cl.write(more, flag);
      cl.launch(expand, global, local);
      cl.launch(advance, global, local);
      cl.read(more, flag);
    } while (flag[0] != 0);
    cl.read(levels, level);
    return level;
  }

  @Override
  protected int[] reference(Input in) {
    int[] level = new int[in.nodes()];
    Arrays.fill(level, -1);
    int[] queue = new int[in.nodes()];
    int head = 0;
    int tail = 0;
    level[0] = 0;
    queue[tail++] = 0;
    while (head < tail) {
      int v = queue[head++];
      for (int e = in.starts()[v]; e < in.starts()[v + 1]; e++) {
        int w = in.edges()[e];
        if (level[w] < 0) {
          level[w] = level[v] + 1;
          queue[tail++] = w;
        }
      }
    }
    return level;
  }

  @Override
  protected Check verify(Input in, int[] expected, int[] actual) {
    return Check.ints("level", expected, actual);
  }

  @Override
  protected long checksum(int[] result) {
    return new Checksum().add(result).value();
  }
}

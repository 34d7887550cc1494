package io.ava.bench.migration;

import static org.jocl.CL.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * The log-size workload: a plain JOCL loop of kernel launches as real programs write them, each
 * with a {@code clSetKernelArg} of a buffer (two buffers, alternately, as in a ping-pong) and one
 * of a scalar. A server that records every such call would grow its record log with the loop;
 * one that keeps only what replay needs would not.
 *
 * <p>At each checkpoint (a launch count; 0 is after setup) it finishes the queue, prints {@code
 * CHECKPOINT <n>} and waits until the file {@code <go-dir>/go-<n>} exists, so that the bench can
 * sample {@code ava-server status} while the session is alive and idle. At the end it checks the
 * last value each buffer got.
 *
 * <p>Arguments: {@code --launches N}, {@code --checkpoints 0,1000,...}, {@code --go-dir DIR},
 * {@code --wait-s S} (how long to wait for a go file), {@code --sync-every N} (a {@code clFinish}
 * every N launches; default 0, none: between checkpoints the program enqueues as fast as it can
 * and the server must hold it back), {@code --platform}, {@code --device}.
 */
public final class LaunchLoopWorkload {

  static final String SOURCE =
      "__kernel void tiny(__global int* out, int v) {\n"
          + "  if (get_global_id(0) == 0) out[0] = v;\n"
          + "}\n";

  long launches = 1_000_000;
  TreeSet<Long> checkpoints = new TreeSet<>();
  Path goDir;
  double waitS = 120;
  long syncEvery;
  int platformIndex;
  int deviceIndex;

  public static void main(String[] args) {
    ClSetup.main(() -> {
      LaunchLoopWorkload w = new LaunchLoopWorkload();
      w.parseArgs(args);
      w.run();
    });
  }

  void parseArgs(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
      String v = args[++i];
      switch (a) {
        case "--launches" -> launches = Long.parseLong(v);
        case "--checkpoints" -> {
          for (String c : v.split(",")) if (!c.isBlank()) checkpoints.add(Long.parseLong(c.trim()));
        }
        case "--go-dir" -> goDir = Path.of(v);
        case "--wait-s" -> waitS = Double.parseDouble(v);
        case "--sync-every" -> syncEvery = Long.parseLong(v);
        case "--platform" -> platformIndex = Integer.parseInt(v);
        case "--device" -> deviceIndex = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (launches < 2) throw new IllegalArgumentException("--launches must be >= 2");
    if (!checkpoints.isEmpty() && goDir == null) {
      throw new IllegalArgumentException("--checkpoints needs --go-dir");
    }
  }

  void run() {
    ClSetup cl = new ClSetup(platformIndex, deviceIndex, SOURCE);
    cl_kernel k = clCreateKernel(cl.program, "tiny", null);
    cl_mem[] out = {
      clCreateBuffer(cl.context, CL_MEM_READ_WRITE, Sizeof.cl_int, null, null),
      clCreateBuffer(cl.context, CL_MEM_READ_WRITE, Sizeof.cl_int, null, null)
    };
    Pointer[] pout = {Pointer.to(out[0]), Pointer.to(out[1])};
    int[] v = new int[1];
    Pointer pv = Pointer.to(v);
    long[] global = {64};
    long waited = 0;
    long start = System.nanoTime();
    for (long i = 0; i <= launches; i++) {
      if (checkpoints.contains(i)) {
        long w0 = System.nanoTime();
        checkpoint(cl, i);
        waited += System.nanoTime() - w0;
      }
      if (i == launches) break;
      v[0] = (int) i;
      clSetKernelArg(k, 0, Sizeof.cl_mem, pout[(int) (i & 1)]);
      clSetKernelArg(k, 1, Sizeof.cl_int, pv);
      clEnqueueNDRangeKernel(cl.queue, k, 1, null, global, null, 0, null, null);
      if (syncEvery > 0 && (i + 1) % syncEvery == 0) clFinish(cl.queue);
    }
    clFinish(cl.queue);
    double seconds = (System.nanoTime() - start - waited) / 1e9;
    for (int b = 0; b < 2; b++) {
      int[] got = new int[1];
      clEnqueueReadBuffer(cl.queue, out[b], CL_TRUE, 0, Sizeof.cl_int, Pointer.to(got), 0, null,
          null);
      long last = (launches - 1) % 2 == b ? launches - 1 : launches - 2;
      if (got[0] != (int) last) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "buffer %d holds %d after the loop, expected %d", b, got[0], last));
      }
    }
    clReleaseMemObject(out[0]);
    clReleaseMemObject(out[1]);
    clReleaseKernel(k);
    cl.close();
    ClSetup.result("launches", launches);
    ClSetup.result("launches_per_s", launches / seconds);
    ClSetup.result("verified", 1);
  }

  private void checkpoint(ClSetup cl, long n) {
    clFinish(cl.queue);
    System.out.println("CHECKPOINT " + n);
    System.out.flush();
    Path go = goDir.resolve("go-" + n);
    long deadline = System.nanoTime() + (long) (waitS * 1e9);
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + go + " within " + waitS + " s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted at checkpoint " + n);
      }
    }
  }
}

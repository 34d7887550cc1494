package io.ava.bench.migration;

import static org.jocl.CL.*;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * The downtime workload: a plain JOCL program (nothing of ava in it) that holds a given amount of
 * buffer state on the device and keeps calling, so that the session can be migrated under it.
 *
 * <ol>
 *   <li>setup: four buffers of size/4 each, filled on the device by kernel {@code fill} with
 *       {@code hash32(word index, seed)}: nothing of the state is uploaded from the client, so what a
 *       migration moves is device memory only; then {@code clFinish} and the line {@code
 *       SETUP_DONE}.
 *   <li>loop: per iteration {@code clSetKernelArg(fold, i)}, a one-work-item {@code fold} launch
 *       that folds a word of the state into a 4-byte accumulator, a blocking 4-byte read of the
 *       accumulator (checked against the same fold in Java), and a ~2 ms pause: 3 calls each.
 *       Then {@code LOOP_DONE}.
 *   <li>check: kernel {@code verify} recomputes every word of the state on the device and counts
 *       the words that differ (must be 0), and blocking reads of sampled ranges are compared with
 *       Java's {@code hash32}.
 * </ol>
 *
 * The bench sets AVA_MIGRATION_CALL_ID to a call of the loop, so the migration happens between
 * setup and the check, and everything checked after it was computed before it.
 *
 * <p>Arguments: {@code --mib N} (state size; {@code --calibrate} uses 16 KiB instead, does the
 * setup only and exits without releasing anything, so the agent's final call count is the number
 * of setup calls), {@code --iterations N}, {@code --migrate-after N} (only splits the iteration
 * times into before and after the migration), {@code --pause-us N}, {@code --seed N}, {@code
 * --platform}, {@code --device}. Output: the protocol of {@link
 * io.ava.bench.overhead.OverheadWorkload} plus the two marker lines.
 */
public final class StateWorkload {

  static final int BUFFERS = 4;

  static final String SOURCE =
      "uint hash32(uint x, uint seed) {\n"
          + "  x ^= seed; x *= 0x9E3779B1u; x ^= x >> 16; x *= 0x85EBCA6Bu; x ^= x >> 13;\n"
          + "  return x;\n"
          + "}\n"
          + "__kernel void fill(__global uint* buf, uint base, uint seed) {\n"
          + "  uint g = get_global_id(0);\n"
          + "  buf[g] = hash32(base + g, seed);\n"
          + "}\n"
          + "__kernel void fold(__global uint* acc, __global const uint* s0,\n"
          + "    __global const uint* s1, __global const uint* s2, __global const uint* s3,\n"
          + "    uint words, uint i) {\n"
          + "  uint k = (i * 0x9E3779B1u) % words;\n"
          + "  uint b = i & 3u;\n"
          + "  uint v = b == 0u ? s0[k] : b == 1u ? s1[k] : b == 2u ? s2[k] : s3[k];\n"
          + "  acc[0] = acc[0] * 31u + v + i;\n"
          + "}\n"
          + "__kernel void verify(__global const uint* buf, uint base, uint seed,\n"
          + "    __global uint* bad) {\n"
          + "  uint g = get_global_id(0);\n"
          + "  if (buf[g] != hash32(base + g, seed)) atomic_inc(bad);\n"
          + "}\n";

  long mib = 16;
  boolean calibrate;
  int iterations = 150;
  /** only for the report: iterations before this one ran on the source, after it on the target */
  int migrateAfter = -1;
  long pauseMicros = 2_000;
  int seed = 0x5eed;
  int platformIndex;
  int deviceIndex;

  public static void main(String[] args) {
    ClSetup.main(() -> {
      StateWorkload w = new StateWorkload();
      w.parseArgs(args);
      w.run();
    });
  }

  void parseArgs(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--calibrate")) {
        calibrate = true;
        continue;
      }
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
      String v = args[++i];
      switch (a) {
        case "--mib" -> mib = Long.parseLong(v);
        case "--iterations" -> iterations = Integer.parseInt(v);
        case "--migrate-after" -> migrateAfter = Integer.parseInt(v);
        case "--pause-us" -> pauseMicros = Long.parseLong(v);
        case "--seed" -> seed = Integer.parseInt(v);
        case "--platform" -> platformIndex = Integer.parseInt(v);
        case "--device" -> deviceIndex = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (mib <= 0 || iterations < 0) throw new IllegalArgumentException("bad --mib or --iterations");
  }

  /** Java's copy of the kernels' {@code hash32} (not {@code mix}: OpenCL has a built-in of that
   * name): uint arithmetic is int arithmetic mod 2^32. */
  static int hash32(int x, int seed) {
    x ^= seed;
    x *= 0x9E3779B1;
    x ^= x >>> 16;
    x *= 0x85EBCA6B;
    x ^= x >>> 13;
    return x;
  }

  /** Java's copy of kernel {@code fold}: the accumulator after iteration i. */
  static int fold(int acc, int i, long words, int seed) {
    int k = (int) Integer.remainderUnsigned(i * 0x9E3779B1, (int) words);
    int b = i & 3;
    int v = hash32((int) (b * words + k), seed);
    return acc * 31 + v + i;
  }

  void run() {
    // Calibration repeats the setup call for call, on 4 KiB buffers: same count, no waiting.
    long words = calibrate ? 1024 : (mib << 20) / 4 / BUFFERS;
    if (words * BUFFERS > 0xFFFF_FFFFL) throw new IllegalArgumentException("--mib too large");
    long bufferBytes = words * 4;
    ClSetup cl = new ClSetup(platformIndex, deviceIndex, SOURCE);
    long maxAlloc = cl.maxAlloc();
    String device = cl.deviceName();
    if (bufferBytes > maxAlloc) {
      throw new IllegalStateException("a buffer of " + bufferBytes + " bytes is over the device's "
          + "CL_DEVICE_MAX_MEM_ALLOC_SIZE " + maxAlloc);
    }
    cl_kernel fill = clCreateKernel(cl.program, "fill", null);
    cl_kernel fold = clCreateKernel(cl.program, "fold", null);
    cl_mem[] state = new cl_mem[BUFFERS];
    long[] global = {words};
    for (int b = 0; b < BUFFERS; b++) {
      state[b] = clCreateBuffer(cl.context, CL_MEM_READ_WRITE, bufferBytes, null, null);
      clSetKernelArg(fill, 0, Sizeof.cl_mem, Pointer.to(state[b]));
      clSetKernelArg(fill, 1, Sizeof.cl_uint, Pointer.to(new int[] {(int) (b * words)}));
      clSetKernelArg(fill, 2, Sizeof.cl_uint, Pointer.to(new int[] {seed}));
      clEnqueueNDRangeKernel(cl.queue, fill, 1, null, global, null, 0, null, null);
    }
    int[] acc = {0};
    cl_mem accMem = clCreateBuffer(cl.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
        Sizeof.cl_uint, Pointer.to(acc), null);
    clSetKernelArg(fold, 0, Sizeof.cl_mem, Pointer.to(accMem));
    for (int b = 0; b < BUFFERS; b++) {
      clSetKernelArg(fold, 1 + b, Sizeof.cl_mem, Pointer.to(state[b]));
    }
    clSetKernelArg(fold, 5, Sizeof.cl_uint, Pointer.to(new int[] {(int) words}));
    long t0 = System.nanoTime();
    clFinish(cl.queue);
    System.out.println("SETUP_DONE");
    if (calibrate) {
      // no release calls: the agent's final count is the setup's
      System.out.flush();
      return;
    }
    ClSetup.info("device", device);
    ClSetup.result("state_bytes", bufferBytes * BUFFERS);
    ClSetup.result("fill_ms", (System.nanoTime() - t0) / 1e6);

    int[] i1 = new int[1];
    Pointer pi = Pointer.to(i1);
    int[] got = new int[1];
    Pointer pgot = Pointer.to(got);
    long[] one = {1};
    long[] took = new long[iterations];
    int expected = 0;
    for (int i = 0; i < iterations; i++) {
      long s = System.nanoTime();
      i1[0] = i;
      clSetKernelArg(fold, 6, Sizeof.cl_uint, pi);
      clEnqueueNDRangeKernel(cl.queue, fold, 1, null, one, null, 0, null, null);
      clEnqueueReadBuffer(cl.queue, accMem, CL_TRUE, 0, Sizeof.cl_uint, pgot, 0, null, null);
      took[i] = System.nanoTime() - s;
      expected = fold(expected, i, words, seed);
      if (got[0] != expected) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "iteration %d: the accumulator is %08x, expected %08x", i, got[0], expected));
      }
      pause();
    }
    System.out.println("LOOP_DONE");
    if (iterations > 0) {
      long[] sorted = took.clone();
      Arrays.sort(sorted);
      int worst = 0;
      for (int i = 1; i < iterations; i++) if (took[i] > took[worst]) worst = i;
      ClSetup.result("iteration_median_ms", sorted[iterations / 2] / 1e6);
      ClSetup.result("iteration_max_ms", took[worst] / 1e6);
      ClSetup.result("iteration_max_index", worst);
      if (migrateAfter > 0 && migrateAfter + 1 < iterations) {
        // the call time of the loop on the source and on the target, the migration's one left out
        ClSetup.result("iteration_median_before_ms", median(took, 0, migrateAfter) / 1e6);
        ClSetup.result("iteration_median_after_ms",
            median(took, migrateAfter + 1, iterations) / 1e6);
      }
    }

    checkState(cl, state, words);
    clReleaseMemObject(accMem);
    for (cl_mem m : state) clReleaseMemObject(m);
    clReleaseKernel(fold);
    clReleaseKernel(fill);
    cl.close();
    ClSetup.result("verified", 1);
  }

  private static double median(long[] v, int from, int to) {
    long[] s = Arrays.copyOfRange(v, from, to);
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }

  private void pause() {
    long until = System.nanoTime() + pauseMicros * 1000;
    try {
      Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    while (System.nanoTime() < until) Thread.onSpinWait();
  }

  /** Every word on the device (kernel verify), and sampled ranges read back into Java. */
  private void checkState(ClSetup cl, cl_mem[] state, long words) {
    cl_kernel verify = clCreateKernel(cl.program, "verify", null);
    int[] bad = {0};
    cl_mem badMem = clCreateBuffer(cl.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
        Sizeof.cl_uint, Pointer.to(bad), null);
    clSetKernelArg(verify, 2, Sizeof.cl_uint, Pointer.to(new int[] {seed}));
    clSetKernelArg(verify, 3, Sizeof.cl_mem, Pointer.to(badMem));
    for (int b = 0; b < BUFFERS; b++) {
      clSetKernelArg(verify, 0, Sizeof.cl_mem, Pointer.to(state[b]));
      clSetKernelArg(verify, 1, Sizeof.cl_uint, Pointer.to(new int[] {(int) (b * words)}));
      clEnqueueNDRangeKernel(cl.queue, verify, 1, null, new long[] {words}, null, 0, null, null);
    }
    clEnqueueReadBuffer(cl.queue, badMem, CL_TRUE, 0, Sizeof.cl_uint, Pointer.to(bad), 0, null,
        null);
    if (bad[0] != 0) {
      throw new IllegalStateException(Integer.toUnsignedString(bad[0])
          + " words of the state differ from what the fill kernel wrote");
    }
    clReleaseMemObject(badMem);
    clReleaseKernel(verify);

    SplittableRandom rnd = new SplittableRandom(seed);
    int run = (int) Math.min(256, words);
    int[] got = new int[run];
    for (int b = 0; b < BUFFERS; b++) {
      for (int sample = 0; sample < 8; sample++) {
        // the first and the last words, then random ones
        long from = sample == 0 ? 0 : sample == 1 ? words - run : rnd.nextLong(words - run + 1);
        clEnqueueReadBuffer(cl.queue, state[b], CL_TRUE, from * 4, (long) run * 4,
            Pointer.to(got), 0, null, null);
        for (int j = 0; j < run; j++) {
          int want = hash32((int) (b * words + from + j), seed);
          if (got[j] != want) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                "buffer %d word %d is %08x, expected %08x", b, from + j, got[j], want));
          }
        }
      }
    }
  }
}

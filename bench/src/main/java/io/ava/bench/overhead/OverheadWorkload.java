package io.ava.bench.overhead;

import static org.jocl.CL.*;

import io.ava.bench.util.Stats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * The call-overhead workload: a plain JOCL program, run once natively and once under the ava agent
 * (the JVM it runs in is forked by {@link OverheadCommand}). It knows nothing about ava.
 *
 * <p>Output protocol (stdout, one item per line, parsed by the parent):
 *
 * <pre>
 *   INFO &lt;key&gt; &lt;free text&gt;
 *   RESULT &lt;key&gt; &lt;number&gt;
 *   WORKLOAD_ERROR &lt;free text&gt; (then exit status 1)
 * </pre>
 *
 * Arguments ({@code --name value}; all optional): {@code --phases a,b,c,d}, {@code --rtt-iters},
 * {@code --rtt-warmup}, {@code --async-calls}, {@code --async-warmup}, {@code --bulk-mib},
 * {@code --bulk-reps}, {@code --bulk-warmup}, {@code --launches}, {@code --launch-warmup},
 * {@code --launch-global}, {@code --phase-budget-s} (per-phase wall-clock cap on the timed loop,
 * plus a quarter of it for the warm-up: a phase that runs past it stops early and reports how
 * many iterations it did), {@code --platform}, {@code --device}, {@code --quick}.
 */
public final class OverheadWorkload {

  static final String KERNEL_SRC =
      "__kernel void tiny(__global int* out, int v) {\n"
          + "  if (get_global_id(0) == 0) out[0] = v;\n"
          + "}\n";

  // parameters (defaults = full run)
  Set<String> phases = new LinkedHashSet<>(Arrays.asList("a", "b", "c", "d"));
  int rttIters = 20_000;
  int rttWarmup = 5_000;
  int asyncCalls = 100_000;
  int asyncWarmup = 100_000;
  int bulkMiB = 64;
  int bulkReps = 5;
  int bulkWarmup = 1;
  int launches = 50_000;
  int launchWarmup = 20_000;
  long launchGlobal = 64;
  double phaseBudgetS = 15;
  int platformIndex = 0;
  int deviceIndex = 0;

  private cl_context context;
  private cl_command_queue queue;
  private cl_program program;
  private cl_kernel kernel;
  private cl_device_id device;

  public static void main(String[] args) {
    OverheadWorkload w = new OverheadWorkload();
    try {
      w.parseArgs(args);
      w.run();
    } catch (Throwable t) {
      String msg = String.valueOf(t).replace('\n', ' ');
      System.out.println("WORKLOAD_ERROR " + msg);
      System.out.flush();
      t.printStackTrace();
      System.exit(1);
    }
    System.out.flush();
    System.exit(0);
  }

  void parseArgs(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick")) {
        applyQuick();
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--phases":
          phases.clear();
          for (String p : v.split(",")) {
            String t = p.trim().toLowerCase(Locale.ROOT);
            if (!t.matches("[abcd]")) {
              throw new IllegalArgumentException("unknown phase " + p + " (a, b, c, d)");
            }
            phases.add(t);
          }
          break;
        case "--rtt-iters": rttIters = positive(a, v); break;
        case "--rtt-warmup": rttWarmup = nonNegative(a, v); break;
        case "--async-calls": asyncCalls = positive(a, v); break;
        case "--async-warmup": asyncWarmup = nonNegative(a, v); break;
        case "--bulk-mib": bulkMiB = positive(a, v); break;
        case "--bulk-reps": bulkReps = positive(a, v); break;
        case "--bulk-warmup": bulkWarmup = nonNegative(a, v); break;
        case "--launches": launches = positive(a, v); break;
        case "--launch-warmup": launchWarmup = nonNegative(a, v); break;
        case "--launch-global": launchGlobal = positive(a, v); break;
        case "--phase-budget-s": phaseBudgetS = Double.parseDouble(v); break;
        case "--platform": platformIndex = nonNegative(a, v); break;
        case "--device": deviceIndex = nonNegative(a, v); break;
        default: throw new IllegalArgumentException("unknown argument " + a);
      }
    }
  }

  /** The --quick counts: the whole native+remote run in about 20 s. */
  void applyQuick() {
    rttIters = 5_000;
    rttWarmup = 500;
    asyncCalls = 20_000;
    asyncWarmup = 2_000;
    bulkReps = 1;
    bulkWarmup = 1;
    launches = 10_000;
    launchWarmup = 1_000;
    phaseBudgetS = 4;
  }

  private static int positive(String name, String v) {
    int n = Integer.parseInt(v);
    if (n <= 0) throw new IllegalArgumentException(name + " must be > 0");
    return n;
  }

  private static int nonNegative(String name, String v) {
    int n = Integer.parseInt(v);
    if (n < 0) throw new IllegalArgumentException(name + " must be >= 0");
    return n;
  }

  void run() {
    CL.setExceptionsEnabled(true);
    setUp();
    try {
      if (phases.contains("a")) roundTrip();
      if (phases.contains("b")) asyncThroughput();
      if (phases.contains("c")) bulk();
      if (phases.contains("d")) launches();
    } finally {
      tearDown();
    }
    // Under the agent no OpenCL library may be loaded in this JVM; the parent checks this line.
    info("opencl_loaded_in_jvm", String.valueOf(openClLibraryLoaded()));
  }

  // ---------------------------------------------------------------------------------------------

  private void setUp() {
    int[] n = new int[1];
    clGetPlatformIDs(0, null, n);
    if (n[0] <= platformIndex) {
      throw new IllegalStateException("no OpenCL platform #" + platformIndex + " (" + n[0] + " found)");
    }
    cl_platform_id[] platforms = new cl_platform_id[n[0]];
    clGetPlatformIDs(n[0], platforms, null);
    cl_platform_id platform = platforms[platformIndex];

    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, n);
    if (n[0] <= deviceIndex) {
      throw new IllegalStateException("no OpenCL device #" + deviceIndex + " (" + n[0] + " found)");
    }
    cl_device_id[] devices = new cl_device_id[n[0]];
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, n[0], devices, null);
    device = devices[deviceIndex];
    info("platform", platformString(platform, CL_PLATFORM_NAME));
    info("device", deviceString(device, CL_DEVICE_NAME));
    info("device_version", deviceString(device, CL_DEVICE_VERSION));

    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL_CONTEXT_PLATFORM, platform);
    context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
    queue = clCreateCommandQueue(context, device, 0, null);
    program = clCreateProgramWithSource(context, 1, new String[] {KERNEL_SRC}, null, null);
    clBuildProgram(program, 0, null, null, null, null);
    kernel = clCreateKernel(program, "tiny", null);
    info("java", System.getProperty("java.version") + " " + System.getProperty("java.vm.name"));
    info("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
  }

  private void tearDown() {
    if (queue != null) clFinish(queue);
    if (kernel != null) clReleaseKernel(kernel);
    if (program != null) clReleaseProgram(program);
    if (queue != null) clReleaseCommandQueue(queue);
    if (context != null) clReleaseContext(context);
  }

  private long budgetNanos() {
    return (long) (phaseBudgetS * 1e9);
  }

  private long warmupDeadline() {
    return System.nanoTime() + budgetNanos() / 4;
  }

  // (a) blocking 4-byte clEnqueueReadBuffer ------------------------------------------------------

  private void roundTrip() {
    int[] host = {0x5eed1234};
    cl_mem mem =
        clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, Sizeof.cl_int,
            Pointer.to(host), null);
    try {
      int[] out = new int[1];
      Pointer pout = Pointer.to(out);
      long deadline = warmupDeadline();
      for (int i = 0; i < rttWarmup && System.nanoTime() < deadline; i++) {
        clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, Sizeof.cl_int, pout, 0, null, null);
      }
      if (out[0] != host[0] && rttWarmup > 0) {
        throw new IllegalStateException(
            "round trip read returned " + Integer.toHexString(out[0]) + ", expected "
                + Integer.toHexString(host[0]));
      }
      clFinish(queue);
      long[] samples = new long[rttIters];
      int done = 0;
      long start = System.nanoTime();
      deadline = start + budgetNanos();
      long t0 = start;
      while (done < rttIters) {
        clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, Sizeof.cl_int, pout, 0, null, null);
        long t1 = System.nanoTime();
        samples[done++] = t1 - t0;
        t0 = t1;
        if (t1 > deadline) break;
      }
      if (out[0] != host[0]) {
        throw new IllegalStateException("round trip read returned wrong data");
      }
      long[] s = Arrays.copyOf(samples, done);
      Arrays.sort(s);
      result("rtt_iters", done);
      result("rtt_median_us", Stats.percentileSorted(s, 50) / 1e3);
      result("rtt_p99_us", Stats.percentileSorted(s, 99) / 1e3);
      result("rtt_min_us", s[0] / 1e3);
      result("rtt_mean_us", Stats.mean(s) / 1e3);
      if (done < rttIters) info("rtt_truncated", "phase budget reached after " + done + " iterations");
    } finally {
      clReleaseMemObject(mem);
    }
  }

  // (b) async clSetKernelArg throughput ----------------------------------------------------------

  private void asyncThroughput() {
    cl_mem out = clCreateBuffer(context, CL_MEM_READ_WRITE, Sizeof.cl_int, null, null);
    try {
      clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(out));
      int[] v = new int[1];
      Pointer pv = Pointer.to(v);
      long deadline = warmupDeadline();
      for (int i = 0; i < asyncWarmup; i++) {
        v[0] = i;
        clSetKernelArg(kernel, 1, Sizeof.cl_int, pv);
        if ((i & 1023) == 0 && System.nanoTime() > deadline) break;
      }
      clFinish(queue);
      int done = 0;
      long start = System.nanoTime();
      deadline = start + budgetNanos();
      while (done < asyncCalls) {
        v[0] = done;
        clSetKernelArg(kernel, 1, Sizeof.cl_int, pv);
        done++;
        if ((done & 1023) == 0 && System.nanoTime() > deadline) break;
      }
      long issued = System.nanoTime();
      clFinish(queue);
      long end = System.nanoTime();
      result("async_calls", done);
      result("async_calls_per_s", done / ((end - start) / 1e9));
      result("async_issue_calls_per_s", done / ((issued - start) / 1e9));
      result("async_finish_us", (end - issued) / 1e3);
      if (done < asyncCalls) info("async_truncated", "phase budget reached after " + done + " calls");
    } finally {
      clReleaseMemObject(out);
    }
  }

  // (c) 64 MiB blocking write then blocking read -------------------------------------------------

  private void bulk() {
    long size = (long) bulkMiB << 20;
    if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("--bulk-mib too large");
    ByteBuffer src = ByteBuffer.allocateDirect((int) size).order(ByteOrder.nativeOrder());
    ByteBuffer dst = ByteBuffer.allocateDirect((int) size).order(ByteOrder.nativeOrder());
    for (int i = 0; i < size / 8; i++) {
      src.putLong(i * 8, i * 0x9E3779B97F4A7C15L);
    }
    cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
    try {
      Pointer psrc = Pointer.to(src);
      Pointer pdst = Pointer.to(dst);
      for (int i = 0; i < bulkWarmup; i++) {
        clEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, size, psrc, 0, null, null);
        clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, size, pdst, 0, null, null);
      }
      clFinish(queue);
      long[] w = new long[bulkReps];
      long[] r = new long[bulkReps];
      int done = 0;
      long deadline = System.nanoTime() + budgetNanos();
      while (done < bulkReps) {
        // change the data each rep so nothing can be skipped
        src.putLong(0, done);
        long t0 = System.nanoTime();
        clEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, size, psrc, 0, null, null);
        long t1 = System.nanoTime();
        clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, size, pdst, 0, null, null);
        long t2 = System.nanoTime();
        w[done] = t1 - t0;
        r[done] = t2 - t1;
        done++;
        if (t2 > deadline) break;
      }
      long mismatch = src.mismatch(dst);
      if (mismatch != -1) {
        throw new IllegalStateException("64 MiB read back differs from what was written at byte "
            + mismatch);
      }
      long[] ws = Arrays.copyOf(w, done);
      long[] rs = Arrays.copyOf(r, done);
      Arrays.sort(ws);
      Arrays.sort(rs);
      result("bulk_bytes", size);
      result("bulk_reps", done);
      result("bulk_write_mb_s", size / 1e6 / (Stats.percentileSorted(ws, 50) / 1e9));
      result("bulk_read_mb_s", size / 1e6 / (Stats.percentileSorted(rs, 50) / 1e9));
      result("bulk_write_best_mb_s", size / 1e6 / (ws[0] / 1e9));
      result("bulk_read_best_mb_s", size / 1e6 / (rs[0] / 1e9));
    } finally {
      clReleaseMemObject(mem);
    }
  }

  // (d) kernel launches per second ---------------------------------------------------------------

  private void launches() {
    cl_mem out = clCreateBuffer(context, CL_MEM_READ_WRITE, Sizeof.cl_int, null, null);
    try {
      clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(out));
      int[] v = new int[1];
      Pointer pv = Pointer.to(v);
      long[] global = {launchGlobal};
      long deadline = warmupDeadline();
      for (int i = 0; i < launchWarmup; i++) {
        v[0] = -1 - i;
        clSetKernelArg(kernel, 1, Sizeof.cl_int, pv);
        clEnqueueNDRangeKernel(queue, kernel, 1, null, global, null, 0, null, null);
        if ((i & 255) == 0 && System.nanoTime() > deadline) break;
      }
      clFinish(queue);
      int done = 0;
      long start = System.nanoTime();
      deadline = start + budgetNanos();
      while (done < launches) {
        v[0] = done;
        clSetKernelArg(kernel, 1, Sizeof.cl_int, pv);
        clEnqueueNDRangeKernel(queue, kernel, 1, null, global, null, 0, null, null);
        done++;
        if ((done & 255) == 0 && System.nanoTime() > deadline) break;
      }
      long issued = System.nanoTime();
      clFinish(queue);
      long end = System.nanoTime();
      int[] check = new int[1];
      clEnqueueReadBuffer(queue, out, CL_TRUE, 0, Sizeof.cl_int, Pointer.to(check), 0, null, null);
      if (check[0] != done - 1) {
        throw new IllegalStateException(
            "last kernel launch wrote " + check[0] + ", expected " + (done - 1));
      }
      result("launches", done);
      result("launches_per_s", done / ((end - start) / 1e9));
      result("launch_issue_per_s", done / ((issued - start) / 1e9));
      result("launch_finish_us", (end - issued) / 1e3);
      if (done < launches) info("launch_truncated", "phase budget reached after " + done + " launches");
    } finally {
      clReleaseMemObject(out);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static String deviceString(cl_device_id d, int param) {
    long[] size = new long[1];
    clGetDeviceInfo(d, param, 0, null, size);
    byte[] buf = new byte[(int) size[0]];
    clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
    return cString(buf);
  }

  private static String platformString(cl_platform_id p, int param) {
    long[] size = new long[1];
    clGetPlatformInfo(p, param, 0, null, size);
    byte[] buf = new byte[(int) size[0]];
    clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
    return cString(buf);
  }

  private static String cString(byte[] buf) {
    int len = 0;
    while (len < buf.length && buf[len] != 0) len++;
    return new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8).trim();
  }

  /** True when an OpenCL ICD loader or the JOCL native library is mapped into this process. */
  static boolean openClLibraryLoaded() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        if (line.contains("libOpenCL") || line.contains("libJOCL")) return true;
      }
      return false;
    } catch (IOException | RuntimeException e) {
      return false; // not Linux: cannot tell
    }
  }

  static void info(String key, String text) {
    System.out.println("INFO " + key + " " + text.replace('\n', ' '));
  }

  static void result(String key, double value) {
    System.out.println("RESULT " + key + " " + String.format(Locale.ROOT, "%.4f", value));
  }

  static void result(String key, long value) {
    System.out.println("RESULT " + key + " " + value);
  }
}

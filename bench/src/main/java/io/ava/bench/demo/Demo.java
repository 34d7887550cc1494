package io.ava.bench.demo;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * The demo program of {@code ./demo.sh}: a plain JOCL application (nothing of ava in it) that
 * runs a small vector pipeline on the first OpenCL device it finds and checks every result
 * against Java.
 *
 * <p>Per round, with x and y fixed input vectors and a, b scalars that change per round:
 *
 * <ol>
 *   <li>kernel {@code axpb}: {@code z[i] = a * x[i] + y[i] - b}
 *   <li>kernel {@code square}: {@code w[i] = z[i] * z[i]}
 *   <li>kernel {@code sum}: a {@code __local}-memory tree reduction of w into one 64-bit partial
 *       sum per work-group; the host adds the partial sums.
 * </ol>
 *
 * <p>It prints the platform and device it sees, what it computed, whether an OpenCL library is
 * loaded into its own JVM, and a last line {@code demo: OK} (exit 0), {@code demo: WRONG RESULT}
 * (exit 1) or {@code demo: FAILED ...} (an OpenCL error; exit 2). The lines that start with
 * {@code platform}, {@code device}, {@code round} and {@code checksum} are the same natively and
 * remotely; the others (timing, libraries) may differ.
 *
 * <p>Run: {@code java -cp bench/target/ava-bench.jar io.ava.bench.demo.Demo [elements] [rounds]}
 */
public final class Demo {

  static final String SOURCE =
      ""
          + "__kernel void axpb(__global const int* x, __global const int* y, __global int* z,\n"
          + "                   const int a, const int b, const int n) {\n"
          + "    int i = get_global_id(0);\n"
          + "    if (i < n) z[i] = a * x[i] + y[i] - b;\n"
          + "}\n"
          + "__kernel void square(__global const int* z, __global int* w, const int n) {\n"
          + "    int i = get_global_id(0);\n"
          + "    if (i < n) w[i] = z[i] * z[i];\n"
          + "}\n"
          + "__kernel void sum(__global const int* w, __global long* partial,\n"
          + "                  __local long* scratch, const int n) {\n"
          + "    int lid = get_local_id(0);\n"
          + "    int lsize = get_local_size(0);\n"
          + "    long acc = 0;\n"
          + "    for (int i = get_global_id(0); i < n; i += get_global_size(0)) acc += w[i];\n"
          + "    scratch[lid] = acc;\n"
          + "    barrier(CLK_LOCAL_MEM_FENCE);\n"
          + "    for (int s = lsize / 2; s > 0; s >>= 1) {\n"
          + "        if (lid < s) scratch[lid] += scratch[lid + s];\n"
          + "        barrier(CLK_LOCAL_MEM_FENCE);\n"
          + "    }\n"
          + "    if (lid == 0) partial[get_group_id(0)] = scratch[0];\n"
          + "}\n";

  static final int GROUPS = 64;

  private Demo() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    System.exit(run(System.out, n, rounds));
  }

  /** Runs the demo, printing to {@code out}; returns the exit code. */
  public static int run(PrintStream out, int n, int rounds) {
    long start = System.nanoTime();
    try {
      boolean ok = pipeline(out, n, rounds);
      out.printf("time: %d ms%n", (System.nanoTime() - start) / 1_000_000);
      out.println("native libraries in this JVM: " + nativeLibraries());
      out.println(ok ? "demo: OK" : "demo: WRONG RESULT");
      out.flush();
      return ok ? 0 : 1;
    } catch (CLException | LinkageError e) {
      out.println("native libraries in this JVM: " + nativeLibraries());
      out.println("demo: FAILED (" + e + ")");
      out.flush();
      return 2;
    }
  }

  private static boolean pipeline(PrintStream out, int n, int rounds) {
    setExceptionsEnabled(true);

    int[] numPlatforms = new int[1];
    clGetPlatformIDs(0, null, numPlatforms);
    if (numPlatforms[0] == 0) {
      throw new CLException("no OpenCL platform found", CL_DEVICE_NOT_FOUND);
    }
    cl_platform_id[] platforms = new cl_platform_id[numPlatforms[0]];
    clGetPlatformIDs(platforms.length, platforms, null);
    cl_platform_id platform = platforms[0];
    int[] numDevices = new int[1];
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, numDevices);
    cl_device_id[] devices = new cl_device_id[numDevices[0]];
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices.length, devices, null);
    cl_device_id device = devices[0];

    out.printf(
        "platform: %s (%s, %s; %d platform(s) visible)%n",
        platformString(platform, CL_PLATFORM_NAME),
        platformString(platform, CL_PLATFORM_VENDOR),
        firstWords(platformString(platform, CL_PLATFORM_VERSION), 3),
        platforms.length);
    out.printf(
        "device: %s (%s, %d compute units; %d device(s) on this platform)%n",
        deviceString(device, CL_DEVICE_NAME),
        firstWords(deviceString(device, CL_DEVICE_VERSION), 2),
        deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS),
        devices.length);

    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL_CONTEXT_PLATFORM, platform);
    cl_context context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
    cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, null, null);
    cl_program program = clCreateProgramWithSource(context, 1, new String[] {SOURCE}, null, null);
    clBuildProgram(program, 0, null, null, null, null);
    cl_kernel axpb = clCreateKernel(program, "axpb", null);
    cl_kernel square = clCreateKernel(program, "square", null);
    cl_kernel sum = clCreateKernel(program, "sum", null);

    // a power-of-two local size the device accepts for the reduction kernel
    long[] wgs = new long[1];
    clGetKernelWorkGroupInfo(
        sum, device, CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(wgs), null);
    int local = Integer.highestOneBit((int) Math.min(256, Math.max(1, wgs[0])));

    int[] x = new int[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = (int) ((i * 2654435761L) % 1000);
      y[i] = (i * 7) % 13;
    }
    long bytes = (long) n * Sizeof.cl_int;
    cl_mem xBuf =
        clCreateBuffer(
            context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, Pointer.to(x), null);
    cl_mem yBuf = clCreateBuffer(context, CL_MEM_READ_ONLY, bytes, null, null);
    clEnqueueWriteBuffer(queue, yBuf, CL_TRUE, 0, bytes, Pointer.to(y), 0, null, null);
    cl_mem zBuf = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
    cl_mem wBuf = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
    cl_mem partialBuf =
        clCreateBuffer(context, CL_MEM_WRITE_ONLY, (long) GROUPS * Sizeof.cl_long, null, null);

    clSetKernelArg(axpb, 0, Sizeof.cl_mem, Pointer.to(xBuf));
    clSetKernelArg(axpb, 1, Sizeof.cl_mem, Pointer.to(yBuf));
    clSetKernelArg(axpb, 2, Sizeof.cl_mem, Pointer.to(zBuf));
    clSetKernelArg(axpb, 5, Sizeof.cl_int, Pointer.to(new int[] {n}));
    clSetKernelArg(square, 0, Sizeof.cl_mem, Pointer.to(zBuf));
    clSetKernelArg(square, 1, Sizeof.cl_mem, Pointer.to(wBuf));
    clSetKernelArg(square, 2, Sizeof.cl_int, Pointer.to(new int[] {n}));
    clSetKernelArg(sum, 0, Sizeof.cl_mem, Pointer.to(wBuf));
    clSetKernelArg(sum, 1, Sizeof.cl_mem, Pointer.to(partialBuf));
    clSetKernelArg(sum, 2, (long) local * Sizeof.cl_long, null); // __local scratch
    clSetKernelArg(sum, 3, Sizeof.cl_int, Pointer.to(new int[] {n}));

    out.printf(
        "pipeline: z = a*x + y - b; w = z*z; sum(w) in __local memory"
            + " (%d elements, %d rounds, %d work-groups of %d)%n",
        n, rounds, GROUPS, local);

    long[] global = {((long) n + 63) / 64 * 64};
    boolean ok = true;
    long checksum = 0;
    int[] z = new int[n];
    long[] partial = new long[GROUPS];
    List<cl_event> events = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      int a = r + 1;
      int b = 3 * r;
      clSetKernelArg(axpb, 3, Sizeof.cl_int, Pointer.to(new int[] {a}));
      clSetKernelArg(axpb, 4, Sizeof.cl_int, Pointer.to(new int[] {b}));
      clEnqueueNDRangeKernel(queue, axpb, 1, null, global, null, 0, null, null);
      clEnqueueNDRangeKernel(queue, square, 1, null, global, null, 0, null, null);
      cl_event done = new cl_event();
      clEnqueueNDRangeKernel(
          queue,
          sum,
          1,
          null,
          new long[] {(long) GROUPS * local},
          new long[] {local},
          0,
          null,
          done);
      events.add(done);
      clWaitForEvents(1, new cl_event[] {done});
      clEnqueueReadBuffer(
          queue, partialBuf, CL_TRUE, 0, (long) GROUPS * Sizeof.cl_long, Pointer.to(partial), 0,
          null, null);
      clEnqueueReadBuffer(queue, zBuf, CL_TRUE, 0, bytes, Pointer.to(z), 0, null, null);

      long deviceSum = 0;
      for (long p : partial) {
        deviceSum += p;
      }
      long javaSum = 0;
      int zWrong = 0;
      for (int i = 0; i < n; i++) {
        int expected = a * x[i] + y[i] - b;
        javaSum += (long) expected * expected;
        if (z[i] != expected) {
          zWrong++;
        }
      }
      boolean roundOk = deviceSum == javaSum && zWrong == 0;
      ok &= roundOk;
      checksum = checksum * 31 + deviceSum;
      out.printf(
          "round %d: a=%d b=%d  z[0..2]=%d,%d,%d  sum(z*z) device=%d java=%d  z wrong=%d  %s%n",
          r, a, b, z[0], n > 1 ? z[1] : 0, n > 2 ? z[2] : 0, deviceSum, javaSum, zWrong,
          roundOk ? "ok" : "WRONG");
    }
    out.printf("checksum: %d%n", checksum);

    for (cl_event e : events) {
      clReleaseEvent(e);
    }
    for (cl_mem m : new cl_mem[] {xBuf, yBuf, zBuf, wBuf, partialBuf}) {
      clReleaseMemObject(m);
    }
    clReleaseKernel(axpb);
    clReleaseKernel(square);
    clReleaseKernel(sum);
    clReleaseProgram(program);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    return ok;
  }

  private static String platformString(cl_platform_id platform, int param) {
    long[] size = new long[1];
    clGetPlatformInfo(platform, param, 0, null, size);
    byte[] buffer = new byte[(int) size[0]];
    clGetPlatformInfo(platform, param, buffer.length, Pointer.to(buffer), null);
    return cString(buffer);
  }

  private static String deviceString(cl_device_id device, int param) {
    long[] size = new long[1];
    clGetDeviceInfo(device, param, 0, null, size);
    byte[] buffer = new byte[(int) size[0]];
    clGetDeviceInfo(device, param, buffer.length, Pointer.to(buffer), null);
    return cString(buffer);
  }

  private static int deviceInt(cl_device_id device, int param) {
    int[] value = new int[1];
    clGetDeviceInfo(device, param, Sizeof.cl_uint, Pointer.to(value), null);
    return value[0];
  }

  private static String firstWords(String s, int words) {
    String[] parts = s.trim().split("\\s+");
    return String.join(" ", Arrays.copyOf(parts, Math.min(words, parts.length)));
  }

  private static String cString(byte[] buffer) {
    int len = 0;
    while (len < buffer.length && buffer[len] != 0) {
      len++;
    }
    return new String(buffer, 0, len, StandardCharsets.UTF_8).trim();
  }

  /** Which OpenCL-related native libraries this process has mapped (Linux /proc/self/maps). */
  static String nativeLibraries() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return "unknown (no /proc/self/maps)";
    }
    boolean openCl = false;
    boolean jocl = false;
    try {
      for (String line : Files.readAllLines(maps)) {
        openCl |= line.contains("libOpenCL");
        jocl |= line.contains("JOCL");
      }
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return "libOpenCL " + (openCl ? "loaded" : "not loaded") + ", libJOCL "
        + (jocl ? "loaded" : "not loaded");
  }
}

package io.ava.bench.migration;

import static org.jocl.CL.*;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * The OpenCL setup the migration workloads share: one device, a context, an in-order queue and a
 * program built from source. The call sequence is fixed, so that the agent's call count after it
 * is the same from run to run (the downtime part relies on that to place the migration).
 */
final class ClSetup implements AutoCloseable {
  final cl_device_id device;
  final cl_context context;
  final cl_command_queue queue;
  final cl_program program;

  ClSetup(int platformIndex, int deviceIndex, String source) {
    CL.setExceptionsEnabled(true);
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
    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL_CONTEXT_PLATFORM, platform);
    context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
    queue = clCreateCommandQueue(context, device, 0, null);
    program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
    clBuildProgram(program, 0, null, null, null, null);
  }

  long maxAlloc() {
    long[] v = new long[1];
    clGetDeviceInfo(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, Long.BYTES, Pointer.to(v), null);
    return v[0];
  }

  String deviceName() {
    long[] size = new long[1];
    clGetDeviceInfo(device, CL_DEVICE_NAME, 0, null, size);
    byte[] buf = new byte[(int) size[0]];
    clGetDeviceInfo(device, CL_DEVICE_NAME, buf.length, Pointer.to(buf), null);
    int len = 0;
    while (len < buf.length && buf[len] != 0) len++;
    return new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8).trim();
  }

  @Override
  public void close() {
    clFinish(queue);
    clReleaseProgram(program);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
  }

  static void info(String key, String text) {
    System.out.println("INFO " + key + " " + text.replace('\n', ' '));
  }

  static void result(String key, double value) {
    System.out.println("RESULT " + key + " " + String.format(java.util.Locale.ROOT, "%.4f", value));
  }

  /** Runs a workload's main body with the protocol's error line and exit status. */
  static void main(Runnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      System.out.println("WORKLOAD_ERROR " + String.valueOf(t).replace('\n', ' '));
      System.out.flush();
      t.printStackTrace();
      System.exit(1);
    }
    System.out.flush();
    System.exit(0);
  }
}

package io.ava.bench.workloads;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * The OpenCL boilerplate every workload shares, in plain JOCL ({@code org.jocl.CL} only, so the
 * ava agent can remote it): a context and an in-order profiling queue on the first device of
 * the first platform (as the demo does), one program built from the workload's source, and
 * helpers for buffers, kernel arguments, launches and transfers.
 *
 * <p>The session owns every object it hands out and releases them all in {@link #close()}
 * (events, buffers, kernels, program, queue, context, in that order), also when the run failed
 * half-way; a workload only releases events itself where it makes many of them in a loop.
 */
public final class ClSession implements AutoCloseable {

  /** A {@code __local} kernel argument of the given size in bytes. */
  public record Local(long bytes) {}

  private final cl_context context;
  private final cl_command_queue queue;
  private final cl_program program;
  private final List<cl_kernel> kernels = new ArrayList<>();
  private final List<cl_mem> buffers = new ArrayList<>();
  private final Set<cl_event> events = new LinkedHashSet<>();
  private long profiledNanos;

  private ClSession(cl_context context, cl_command_queue queue, cl_program program) {
    this.context = context;
    this.queue = queue;
    this.program = program;
  }

  /** Opens a session and builds {@code source}; on failure releases what it had created. */
  public static ClSession open(String source) {
    setExceptionsEnabled(true);
    cl_platform_id platform = firstPlatform();
    cl_device_id device = firstDevice(platform);
    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL_CONTEXT_PLATFORM, platform);
    cl_context context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
    cl_command_queue queue = null;
    cl_program program = null;
    try {
      // clCreateCommandQueue (1.x) rather than ...WithProperties: every driver has it
      queue = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, null);
      program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
      clBuildProgram(program, 1, new cl_device_id[] {device}, null, null, null);
      return new ClSession(context, queue, program);
    } catch (RuntimeException e) {
      if (program != null) {
        clReleaseProgram(program);
      }
      if (queue != null) {
        clReleaseCommandQueue(queue);
      }
      clReleaseContext(context);
      throw e;
    }
  }

  private static cl_platform_id firstPlatform() {
    int[] count = new int[1];
    clGetPlatformIDs(0, null, count);
    if (count[0] == 0) {
      throw new CLException("no OpenCL platform found", CL_DEVICE_NOT_FOUND);
    }
    cl_platform_id[] platforms = new cl_platform_id[count[0]];
    clGetPlatformIDs(platforms.length, platforms, null);
    return platforms[0];
  }

  private static cl_device_id firstDevice(cl_platform_id platform) {
    int[] count = new int[1];
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, count);
    cl_device_id[] devices = new cl_device_id[count[0]];
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices.length, devices, null);
    return devices[0];
  }

  // ---- kernels ---------------------------------------------------------------------------------

  public cl_kernel kernel(String name) {
    cl_kernel k = clCreateKernel(program, name, null);
    kernels.add(k);
    return k;
  }

  /**
   * Sets arguments 0.. of {@code kernel}: a {@link cl_mem}, {@link Integer} (cl_int),
   * {@link Float} (cl_float) or {@link Local} each.
   */
  public void args(cl_kernel kernel, Object... values) {
    for (int i = 0; i < values.length; i++) {
      arg(kernel, i, values[i]);
    }
  }

  /** Sets one argument, as {@link #args}: for the arguments that change between launches. */
  public void arg(cl_kernel kernel, int index, Object value) {
    if (value instanceof cl_mem m) {
      clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(m));
    } else if (value instanceof Integer v) {
      clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] {v}));
    } else if (value instanceof Float v) {
      clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[] {v}));
    } else if (value instanceof Local l) {
      clSetKernelArg(kernel, index, l.bytes(), null);
    } else {
      throw new IllegalArgumentException("argument " + index + ": unsupported " + value);
    }
  }

  /** Launches without an event: the queue is in order, so later commands see the results. */
  public void launch(cl_kernel kernel, long[] global, long[] local) {
    clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, null);
  }

  /**
   * Launches with a global offset (may be null) after {@code waitFor}, and returns the launch's
   * event (owned by the session; {@link #release} it when making many).
   */
  public cl_event launch(cl_kernel kernel, long[] offset, long[] global, long[] local,
      cl_event... waitFor) {
    cl_event event = new cl_event();
    clEnqueueNDRangeKernel(queue, kernel, global.length, offset, global, local, waitFor.length,
        waitFor.length == 0 ? null : waitFor, event);
    events.add(event);
    return event;
  }

  public static long roundUp(long n, long multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }

  // ---- buffers and transfers -------------------------------------------------------------

  public cl_mem buffer(long flags, long bytes) {
    cl_mem m = clCreateBuffer(context, flags, bytes, null, null);
    buffers.add(m);
    return m;
  }

  /** A buffer initialised from {@code data} (CL_MEM_COPY_HOST_PTR). */
  public cl_mem buffer(long flags, float[] data) {
    return track(clCreateBuffer(context, flags | CL_MEM_COPY_HOST_PTR,
        (long) data.length * Sizeof.cl_float, Pointer.to(data), null));
  }

  public cl_mem buffer(long flags, int[] data) {
    return track(clCreateBuffer(context, flags | CL_MEM_COPY_HOST_PTR,
        (long) data.length * Sizeof.cl_int, Pointer.to(data), null));
  }

  private cl_mem track(cl_mem m) {
    buffers.add(m);
    return m;
  }

  /** Blocking write of the whole array at offset 0. */
  public void write(cl_mem mem, float[] data) {
    clEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_float,
        Pointer.to(data), 0, null, null);
  }

  public void write(cl_mem mem, int[] data) {
    clEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_int,
        Pointer.to(data), 0, null, null);
  }

  /** Blocking read of {@code data.length} values from offset 0. */
  public void read(cl_mem mem, float[] data) {
    clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_float,
        Pointer.to(data), 0, null, null);
  }

  public void read(cl_mem mem, int[] data) {
    clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_int,
        Pointer.to(data), 0, null, null);
  }

  /**
   * Non-blocking write of the whole direct buffer (JOCL allows non-blocking transfers only from
   * direct buffers); the host must not touch it until the returned event completes.
   */
  public cl_event writeAsync(cl_mem mem, ByteBuffer data, cl_event... waitFor) {
    cl_event event = new cl_event();
    clEnqueueWriteBuffer(queue, mem, CL_FALSE, 0, data.capacity(), Pointer.to(data),
        waitFor.length, waitFor.length == 0 ? null : waitFor, event);
    events.add(event);
    return event;
  }

  /** Non-blocking read filling the whole direct buffer; valid once the event completes. */
  public cl_event readAsync(cl_mem mem, ByteBuffer data, cl_event... waitFor) {
    cl_event event = new cl_event();
    clEnqueueReadBuffer(queue, mem, CL_FALSE, 0, data.capacity(), Pointer.to(data),
        waitFor.length, waitFor.length == 0 ? null : waitFor, event);
    events.add(event);
    return event;
  }

  // ---- events and synchronisation --------------------------------------------------------

  public void await(cl_event... wait) {
    clWaitForEvents(wait.length, wait);
  }

  public void finish() {
    clFinish(queue);
  }

  /**
   * Waits for {@code done} and adds their device times (END - START of the profiling info) to
   * {@link #profiledNanos()}; returns their sum.
   */
  public long profile(cl_event... done) {
    await(done);
    long sum = 0;
    long[] start = new long[1];
    long[] end = new long[1];
    for (cl_event event : done) {
      clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong,
          Pointer.to(start), null);
      clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, Sizeof.cl_ulong,
          Pointer.to(end), null);
      sum += Math.max(0, end[0] - start[0]);
    }
    profiledNanos += sum;
    return sum;
  }

  public long profiledNanos() {
    return profiledNanos;
  }

  /** {@link #profile} then {@link #release}: the end of a loop's step that made these events. */
  public long profileAndRelease(cl_event... done) {
    long sum = profile(done);
    release(done);
    return sum;
  }

  /** Releases events early, for loops that make many; close() releases the rest. */
  public void release(cl_event... done) {
    for (cl_event event : done) {
      if (events.remove(event)) {
        clReleaseEvent(event);
      }
    }
  }

  /** Finishes the queue, then releases everything this session created. */
  @Override
  public void close() {
    try {
      clFinish(queue);
    } finally {
      for (cl_event e : events) {
        clReleaseEvent(e);
      }
      events.clear();
      for (cl_mem m : buffers) {
        clReleaseMemObject(m);
      }
      buffers.clear();
      for (cl_kernel k : kernels) {
        clReleaseKernel(k);
      }
      kernels.clear();
      clReleaseProgram(program);
      clReleaseCommandQueue(queue);
      clReleaseContext(context);
    }
  }
}

package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

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
 * Creates a context, queues, buffers, a program and kernels, prints "ready", then keeps launching kernels for
 * a while (first argument: seconds, default 20). Used to kill a client in the middle of its work; not part of
 * the native-versus-remote comparison because how many launches fit in the time varies.
 */
public class LongRunning {

    static final String SOURCE = ""
        + "__kernel void advance(__global float* a, __global const float* b) { int i = get_global_id(0); a[i] = a[i] * 0.5f + b[i]; }\n"
        + "__kernel void blend(__global float* a, __global float* c) { int i = get_global_id(0); c[i] = a[i] - c[i]; }\n";

    public static void main(String[] args) {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 20;
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_command_queue q1 = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_command_queue q2 = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        cl_kernel step = clCreateKernel(program, "advance", null);
        cl_kernel mix = clCreateKernel(program, "blend", null);
        int n = 1 << 16;
        long bytes = (long) Sizeof.cl_float * n;
        float[] init = new float[n];
        for (int i = 0; i < n; i++) {
            init[i] = i % 13;
        }
        cl_mem a = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, Pointer.to(init), null);
        cl_mem b = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, Pointer.to(init), null);
        cl_mem c = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, null, null);
        cl_mem d = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, null, null);
        clSetKernelArg(step, 0, Sizeof.cl_mem, Pointer.to(a));
        clSetKernelArg(step, 1, Sizeof.cl_mem, Pointer.to(b));
        clSetKernelArg(mix, 0, Sizeof.cl_mem, Pointer.to(a));
        clSetKernelArg(mix, 1, Sizeof.cl_mem, Pointer.to(c));
        clEnqueueFillBuffer(q2, d, Pointer.to(new float[] {1f}), Sizeof.cl_float, 0, bytes, 0, null, null);
        clFinish(q1);
        clFinish(q2);
        out("ready");

        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long launches = 0;
        float[] probe = new float[4];
        while (System.nanoTime() < deadline) {
            clEnqueueNDRangeKernel(q1, step, 1, null, new long[] {n}, null, 0, null, null);
            clEnqueueNDRangeKernel(q1, mix, 1, null, new long[] {n}, null, 0, null, null);
            launches += 2;
            if (launches % 64 == 0) {
                clEnqueueReadBuffer(q1, c, CL_TRUE, 0, Sizeof.cl_float * 4L, Pointer.to(probe), 0, null, null);
            }
        }
        clFinish(q1);
        System.err.println("launches: " + launches);
        for (cl_mem m : new cl_mem[] {a, b, c, d}) {
            clReleaseMemObject(m);
        }
        clReleaseKernel(step);
        clReleaseKernel(mix);
        clReleaseProgram(program);
        clReleaseCommandQueue(q1);
        clReleaseCommandQueue(q2);
        clReleaseContext(ctx);
        out("done");
    }
}

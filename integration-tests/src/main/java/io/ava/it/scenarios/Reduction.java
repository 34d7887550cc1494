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

/** A parallel sum reduction in __local memory, run in passes until one value is left; verified against Java. */
public class Reduction {

    static final String SOURCE = ""
        + "__kernel void reduce(__global const float* in, __global float* out, __local float* scratch, const int n) {\n"
        + "    int gid = get_global_id(0);\n"
        + "    int lid = get_local_id(0);\n"
        + "    int lsize = get_local_size(0);\n"
        + "    scratch[lid] = gid < n ? in[gid] : 0.0f;\n"
        + "    barrier(CLK_LOCAL_MEM_FENCE);\n"
        + "    for (int s = lsize / 2; s > 0; s >>= 1) {\n"
        + "        if (lid < s) scratch[lid] += scratch[lid + s];\n"
        + "        barrier(CLK_LOCAL_MEM_FENCE);\n"
        + "    }\n"
        + "    if (lid == 0) out[get_group_id(0)] = scratch[0];\n"
        + "}\n"
        + "__kernel void reduce_int(__global const int* in, __global int* out, __local int* scratch, const int n) {\n"
        + "    int gid = get_global_id(0);\n"
        + "    int lid = get_local_id(0);\n"
        + "    int lsize = get_local_size(0);\n"
        + "    scratch[lid] = gid < n ? in[gid] : 0;\n"
        + "    barrier(CLK_LOCAL_MEM_FENCE);\n"
        + "    for (int s = lsize / 2; s > 0; s >>= 1) {\n"
        + "        if (lid < s) scratch[lid] += scratch[lid + s];\n"
        + "        barrier(CLK_LOCAL_MEM_FENCE);\n"
        + "    }\n"
        + "    if (lid == 0) out[get_group_id(0)] = scratch[0];\n"
        + "}\n";

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        cl_kernel reduce = clCreateKernel(program, "reduce", null);
        cl_kernel reduceInt = clCreateKernel(program, "reduce_int", null);

        final int n = 1 << 20;
        final int localSize = 128;

        // floats that sum exactly (multiples of 1/4 with small magnitude), so the order of additions cannot matter
        float[] data = new float[n];
        double javaSum = 0;
        for (int i = 0; i < n; i++) {
            data[i] = ((i * 37) % 41 - 20) * 0.25f;
            javaSum += data[i];
        }
        float deviceSum = reduceFloats(ctx, queue, reduce, data, localSize);
        out("float elements: " + n + ", local size: " + localSize);
        out("java sum: " + javaSum);
        out("device sum: " + deviceSum);
        check("float reduction equals Java", deviceSum == (float) javaSum);

        // ints, with a different local size per run, to vary the local memory argument size
        int[] ints = new int[300_001];
        long javaIntSum = 0;
        for (int i = 0; i < ints.length; i++) {
            ints[i] = (int) ((i * 2654435761L) % 1000) - 500;
            javaIntSum += ints[i];
        }
        for (int ls : new int[] {32, 64, 256}) {
            long deviceIntSum = reduceInts(ctx, queue, reduceInt, ints, ls);
            expect("int reduction with local size " + ls, javaIntSum, deviceIntSum);
        }

        clReleaseKernel(reduce);
        clReleaseKernel(reduceInt);
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("Reduction");
    }

    static float reduceFloats(cl_context ctx, cl_command_queue queue, cl_kernel kernel, float[] data, int localSize) {
        int n = data.length;
        cl_mem in = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * n, Pointer.to(data), null);
        int passes = 0;
        while (n > 1) {
            int groups = (n + localSize - 1) / localSize;
            cl_mem out = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_float * groups, null, null);
            clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(in));
            clSetKernelArg(kernel, 1, Sizeof.cl_mem, Pointer.to(out));
            clSetKernelArg(kernel, 2, (long) Sizeof.cl_float * localSize, null);
            clSetKernelArg(kernel, 3, Sizeof.cl_int, Pointer.to(new int[] {n}));
            clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {(long) groups * localSize}, new long[] {localSize}, 0, null, null);
            clReleaseMemObject(in);
            in = out;
            n = groups;
            passes++;
        }
        float[] result = new float[1];
        clEnqueueReadBuffer(queue, in, CL_TRUE, 0, Sizeof.cl_float, Pointer.to(result), 0, null, null);
        clReleaseMemObject(in);
        out("float reduction passes: " + passes);
        return result[0];
    }

    static long reduceInts(cl_context ctx, cl_command_queue queue, cl_kernel kernel, int[] data, int localSize) {
        int n = data.length;
        int groups = (n + localSize - 1) / localSize;
        cl_mem in = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_int * n, Pointer.to(data), null);
        cl_mem out = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_int * groups, null, null);
        clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(in));
        clSetKernelArg(kernel, 1, Sizeof.cl_mem, Pointer.to(out));
        clSetKernelArg(kernel, 2, (long) Sizeof.cl_int * localSize, null);
        clSetKernelArg(kernel, 3, Sizeof.cl_int, Pointer.to(new int[] {n}));
        clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {(long) groups * localSize}, new long[] {localSize}, 0, null, null);
        int[] partial = new int[groups];
        clEnqueueReadBuffer(queue, out, CL_TRUE, 0, (long) Sizeof.cl_int * groups, Pointer.to(partial), 0, null, null);
        long total = 0;
        for (int p : partial) {
            total += p;
        }
        clReleaseMemObject(in);
        clReleaseMemObject(out);
        out("int reduction with local size " + localSize + ": " + groups + " partial sums");
        return total;
    }
}

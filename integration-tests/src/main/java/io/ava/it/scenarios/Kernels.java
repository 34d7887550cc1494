package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

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

/** Kernels: creation, every kind of argument, info queries, arg info, refcounts, argument errors. */
public class Kernels {

    static final String SOURCE = ""
        + "__kernel void axpb(__global const float* x, __global float* y, const float a, const int b) {\n"
        + "    int i = get_global_id(0);\n"
        + "    y[i] = a * x[i] + (float) b;\n"
        + "}\n"
        + "__kernel void blocksum(__global const int* in, __global int* out, __local int* scratch) {\n"
        + "    int l = get_local_id(0);\n"
        + "    scratch[l] = in[get_global_id(0)];\n"
        + "    barrier(CLK_LOCAL_MEM_FENCE);\n"
        + "    if (l == 0) {\n"
        + "        int s = 0;\n"
        + "        for (int j = 0; j < (int) get_local_size(0); j++) s += scratch[j];\n"
        + "        out[get_group_id(0)] = s;\n"
        + "    }\n"
        + "}\n"
        + "typedef struct { int count; float scale; } params_t;\n"
        + "__kernel void withStruct(__global float* y, params_t p, uchar flag, long big) {\n"
        + "    int i = get_global_id(0);\n"
        + "    y[i] = (i < p.count ? p.scale : 0.0f) + (float) flag + (float) (big >> 40);\n"
        + "}\n";

    static String argInfoString(cl_kernel kernel, int index, int param) {
        long[] size = new long[1];
        clGetKernelArgInfo(kernel, index, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        clGetKernelArgInfo(kernel, index, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    static int argInfoInt(cl_kernel kernel, int index, int param) {
        int[] v = new int[1];
        clGetKernelArgInfo(kernel, index, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static long argInfoLong(cl_kernel kernel, int index, int param) {
        long[] v = new long[1];
        clGetKernelArgInfo(kernel, index, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 1, new cl_device_id[] {device}, "-cl-kernel-arg-info", null, null);

        // 1. clCreateKernel and info
        cl_kernel axpb = clCreateKernel(program, "axpb", null);
        out("axpb CL_KERNEL_FUNCTION_NAME: " + kernelString(axpb, CL_KERNEL_FUNCTION_NAME));
        expect("axpb CL_KERNEL_NUM_ARGS", 4, kernelInt(axpb, CL_KERNEL_NUM_ARGS));
        cl_program kprog = new cl_program();
        clGetKernelInfo(axpb, CL_KERNEL_PROGRAM, Sizeof.cl_program, Pointer.to(kprog), null);
        check("axpb CL_KERNEL_PROGRAM equals program", program.equals(kprog));
        cl_context kctx = new cl_context();
        clGetKernelInfo(axpb, CL_KERNEL_CONTEXT, Sizeof.cl_context, Pointer.to(kctx), null);
        check("axpb CL_KERNEL_CONTEXT equals context", ctx.equals(kctx));

        // work group info
        long[] wg = new long[1];
        clGetKernelWorkGroupInfo(axpb, device, CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(wg), null);
        out("axpb CL_KERNEL_WORK_GROUP_SIZE: " + wg[0]);
        check("work group size <= device max", wg[0] > 0 && wg[0] <= deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
        long[] multiple = new long[1];
        clGetKernelWorkGroupInfo(axpb, device, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Sizeof.size_t, Pointer.to(multiple), null);
        out("axpb CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE: " + multiple[0]);
        long[] localMem = new long[1];
        clGetKernelWorkGroupInfo(axpb, device, CL_KERNEL_LOCAL_MEM_SIZE, Sizeof.cl_long, Pointer.to(localMem), null);
        out("axpb CL_KERNEL_LOCAL_MEM_SIZE: " + localMem[0]);

        // arg info (built with -cl-kernel-arg-info)
        for (int i = 0; i < 4; i++) {
            out("axpb arg " + i + ": name=" + argInfoString(axpb, i, CL_KERNEL_ARG_NAME)
                + " type=" + argInfoString(axpb, i, CL_KERNEL_ARG_TYPE_NAME)
                + " address=" + Integer.toHexString(argInfoInt(axpb, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER))
                + " access=" + Integer.toHexString(argInfoInt(axpb, i, CL_KERNEL_ARG_ACCESS_QUALIFIER))
                + " typequal=" + argInfoLong(axpb, i, CL_KERNEL_ARG_TYPE_QUALIFIER));
        }

        // 2. mem, float and int arguments
        int n = 64;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        cl_mem xBuf = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * n, Pointer.to(x), null);
        cl_mem yBuf = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_float * n, null, null);
        clSetKernelArg(axpb, 0, Sizeof.cl_mem, Pointer.to(xBuf));
        clSetKernelArg(axpb, 1, Sizeof.cl_mem, Pointer.to(yBuf));
        clSetKernelArg(axpb, 2, Sizeof.cl_float, Pointer.to(new float[] {2.5f}));
        clSetKernelArg(axpb, 3, Sizeof.cl_int, Pointer.to(new int[] {-3}));
        clEnqueueNDRangeKernel(queue, axpb, 1, null, new long[] {n}, null, 0, null, null);
        float[] y = new float[n];
        clEnqueueReadBuffer(queue, yBuf, CL_TRUE, 0, (long) Sizeof.cl_float * n, Pointer.to(y), 0, null, null);
        out("axpb y[0..4]: " + y[0] + " " + y[1] + " " + y[2] + " " + y[3]);
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            ok &= y[i] == 2.5f * i - 3;
        }
        check("axpb result", ok);

        // the argument values are copied at clSetKernelArg: changing the array later has no effect
        float[] a = {10f};
        clSetKernelArg(axpb, 2, Sizeof.cl_float, Pointer.to(a));
        a[0] = 1000f;
        // a scalar from a direct buffer
        ByteBuffer bDirect = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        bDirect.putInt(0, 7);
        clSetKernelArg(axpb, 3, Sizeof.cl_int, Pointer.to(bDirect));
        clEnqueueNDRangeKernel(queue, axpb, 1, null, new long[] {n}, null, 0, null, null);
        clEnqueueReadBuffer(queue, yBuf, CL_TRUE, 0, (long) Sizeof.cl_float * n, Pointer.to(y), 0, null, null);
        out("axpb with a=10 (array changed after set), b=7: y[5]=" + y[5]);
        check("argument value captured at set time", y[5] == 57f);

        // 3. local memory argument
        cl_kernel blocksum = clCreateKernel(program, "blocksum", null);
        int[] ints = new int[256];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = i % 17;
        }
        cl_mem in = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, Sizeof.cl_int * 256L, Pointer.to(ints), null);
        cl_mem sums = clCreateBuffer(ctx, CL_MEM_READ_WRITE, Sizeof.cl_int * 8L, null, null);
        clSetKernelArg(blocksum, 0, Sizeof.cl_mem, Pointer.to(in));
        clSetKernelArg(blocksum, 1, Sizeof.cl_mem, Pointer.to(sums));
        clSetKernelArg(blocksum, 2, Sizeof.cl_int * 32L, null);
        clEnqueueNDRangeKernel(queue, blocksum, 1, null, new long[] {256}, new long[] {32}, 0, null, null);
        int[] blockSums = new int[8];
        clEnqueueReadBuffer(queue, sums, CL_TRUE, 0, Sizeof.cl_int * 8L, Pointer.to(blockSums), 0, null, null);
        out("blocksum: " + Arrays.toString(blockSums));
        int[] expected = new int[8];
        for (int i = 0; i < 256; i++) {
            expected[i / 32] += ints[i];
        }
        check("blocksum result", Arrays.equals(expected, blockSums));
        out("blocksum arg 2 address qualifier is local: " + (argInfoInt(blocksum, 2, CL_KERNEL_ARG_ADDRESS_QUALIFIER) == CL_KERNEL_ARG_ADDRESS_LOCAL));

        // 4. struct, uchar and long arguments as plain bytes
        cl_kernel withStruct = clCreateKernel(program, "withStruct", null);
        ByteBuffer params = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        params.putInt(0, 3).putFloat(4, 0.5f);
        clSetKernelArg(withStruct, 0, Sizeof.cl_mem, Pointer.to(yBuf));
        clSetKernelArg(withStruct, 1, 8, Pointer.to(params));
        clSetKernelArg(withStruct, 2, Sizeof.cl_uchar, Pointer.to(new byte[] {2}));
        clSetKernelArg(withStruct, 3, Sizeof.cl_long, Pointer.to(new long[] {5L << 40}));
        clEnqueueNDRangeKernel(queue, withStruct, 1, null, new long[] {8}, null, 0, null, null);
        clEnqueueReadBuffer(queue, yBuf, CL_TRUE, 0, Sizeof.cl_float * 8L, Pointer.to(y), 0, null, null);
        out("withStruct y[0..4]: " + y[0] + " " + y[1] + " " + y[2] + " " + y[3]);
        check("withStruct result", y[2] == 7.5f && y[3] == 7f);
        out("withStruct arg 1 type name: " + argInfoString(withStruct, 1, CL_KERNEL_ARG_TYPE_NAME));

        // 5. clCreateKernelsInProgram
        int[] numKernels = new int[1];
        clCreateKernelsInProgram(program, 0, null, numKernels);
        expect("clCreateKernelsInProgram count", 3, numKernels[0]);
        cl_kernel[] all = new cl_kernel[numKernels[0]];
        clCreateKernelsInProgram(program, all.length, all, null);
        Map<String, Integer> byName = new TreeMap<>();
        for (cl_kernel k : all) {
            byName.put(kernelString(k, CL_KERNEL_FUNCTION_NAME), kernelInt(k, CL_KERNEL_NUM_ARGS));
        }
        out("kernels in program (name=numArgs): " + byName);
        check("new kernel objects are distinct from axpb", !Arrays.asList(all).contains(axpb));

        // 6. retain/release
        expect("axpb reference count", 1, kernelInt(axpb, CL_KERNEL_REFERENCE_COUNT));
        clRetainKernel(axpb);
        expect("axpb reference count after retain", 2, kernelInt(axpb, CL_KERNEL_REFERENCE_COUNT));
        clReleaseKernel(axpb);
        expect("axpb reference count after release", 1, kernelInt(axpb, CL_KERNEL_REFERENCE_COUNT));
        // a kernel keeps its program alive
        int[] progRefs = new int[1];
        clGetProgramInfo(program, CL_PROGRAM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(progRefs), null);
        out("program reference count with kernels alive: " + progRefs[0]);

        // 7. argument errors, exceptions on
        out("set int arg with 2 bytes (exceptions on): "
            + thrown(() -> clSetKernelArg(axpb, 3, 2, Pointer.to(new short[] {1}))));
        out("set arg index 4 of 4 (exceptions on): " + thrown(() -> clSetKernelArg(axpb, 4, Sizeof.cl_int, Pointer.to(new int[] {1}))));
        out("create kernel with a bad name (exceptions on): " + thrown(() -> clCreateKernel(program, "no_such_kernel", null)));
        out("local arg with a non-null value (exceptions on): "
            + thrown(() -> clSetKernelArg(blocksum, 2, Sizeof.cl_int * 32L, Pointer.to(new int[32]))));
        out("arg info index out of range (exceptions on): "
            + thrown(() -> clGetKernelArgInfo(axpb, 9, CL_KERNEL_ARG_NAME, 0, null, new long[1])));
        out("kernel info bad param (exceptions on): "
            + thrown(() -> clGetKernelInfo(axpb, 0x7FFF, 8, Pointer.to(new long[1]), null)));

        // exceptions off
        exceptions(false);
        expectError("set int arg with 2 bytes (exceptions off)", CL_INVALID_ARG_SIZE, clSetKernelArg(axpb, 3, 2, Pointer.to(new short[] {1})));
        expectError("set arg index 4 of 4 (exceptions off)", CL_INVALID_ARG_INDEX,
            clSetKernelArg(axpb, 4, Sizeof.cl_int, Pointer.to(new int[] {1})));
        int[] err = new int[1];
        cl_kernel bad = clCreateKernel(program, "no_such_kernel", err);
        expectError("create kernel with a bad name (exceptions off)", CL_INVALID_KERNEL_NAME, err[0]);
        out("create kernel with a bad name returned null: " + (bad == null));
        int rc = clSetKernelArg(blocksum, 2, Sizeof.cl_int * 32L, Pointer.to(new int[32]));
        out("local arg with a non-null value (exceptions off): " + stringFor_errorCode(rc));
        rc = clGetKernelArgInfo(axpb, 9, CL_KERNEL_ARG_NAME, 0, null, new long[1]);
        out("arg info index out of range (exceptions off): " + stringFor_errorCode(rc));
        rc = clSetKernelArg(axpb, 0, Sizeof.cl_mem, null);
        out("set global buffer arg to null (exceptions off): " + stringFor_errorCode(rc));
        exceptions(true);

        // after the failed sets the kernel still works with its old arguments
        clSetKernelArg(axpb, 0, Sizeof.cl_mem, Pointer.to(xBuf));
        clEnqueueNDRangeKernel(queue, axpb, 1, null, new long[] {n}, null, 0, null, null);
        clEnqueueReadBuffer(queue, yBuf, CL_TRUE, 0, (long) Sizeof.cl_float * n, Pointer.to(y), 0, null, null);
        check("axpb still works after failed sets", y[5] == 57f);

        for (cl_kernel k : all) {
            clReleaseKernel(k);
        }
        clReleaseKernel(axpb);
        clReleaseKernel(blocksum);
        clReleaseKernel(withStruct);
        for (cl_mem m : new cl_mem[] {xBuf, yBuf, in, sums}) {
            clReleaseMemObject(m);
        }
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("Kernels");
    }
}

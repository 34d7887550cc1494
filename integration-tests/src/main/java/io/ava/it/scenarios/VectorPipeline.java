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
 * A full pipeline: several buffers and kernels, repeated launches whose outputs feed the next launch,
 * results verified against the same computation in Java, and a checksum.
 */
public class VectorPipeline {

    static final String SOURCE = ""
        + "__kernel void vadd(__global const float* a, __global const float* b, __global float* c, const int n) {\n"
        + "    int i = get_global_id(0);\n"
        + "    if (i < n) c[i] = a[i] + b[i];\n"
        + "}\n"
        + "__kernel void vmul(__global const float* a, __global const float* b, __global float* c, const int n) {\n"
        + "    int i = get_global_id(0);\n"
        + "    if (i < n) c[i] = a[i] * b[i];\n"
        + "}\n"
        + "__kernel void saxpy(const float alpha, __global const float* x, __global float* y, const int n) {\n"
        + "    int i = get_global_id(0);\n"
        + "    if (i < n) y[i] = alpha * x[i] + y[i];\n"
        + "}\n";

    static final int N = 100_003; // not a multiple of any work-group size
    static final int ROUNDS = 20;

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
        cl_kernel vadd = clCreateKernel(program, "vadd", null);
        cl_kernel vmul = clCreateKernel(program, "vmul", null);
        cl_kernel saxpy = clCreateKernel(program, "saxpy", null);

        float[] a = new float[N];
        float[] b = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (i % 97) * 0.25f;
            b[i] = ((i * 7) % 89) * 0.5f - 11f;
        }
        long bytes = (long) Sizeof.cl_float * N;
        cl_mem bufA = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, Pointer.to(a), null);
        cl_mem bufB = clCreateBuffer(ctx, CL_MEM_READ_ONLY, bytes, null, null);
        clEnqueueWriteBuffer(queue, bufB, CL_TRUE, 0, bytes, Pointer.to(b), 0, null, null);
        cl_mem sum = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, null, null);
        cl_mem prod = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, null, null);
        cl_mem acc = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, null, null);
        clEnqueueFillBuffer(queue, acc, Pointer.to(new float[] {0f}), Sizeof.cl_float, 0, bytes, 0, null, null);

        int[] n = {N};
        long local = 64;
        long global = (N + local - 1) / local * local;

        clSetKernelArg(vadd, 0, Sizeof.cl_mem, Pointer.to(bufA));
        clSetKernelArg(vadd, 1, Sizeof.cl_mem, Pointer.to(bufB));
        clSetKernelArg(vadd, 2, Sizeof.cl_mem, Pointer.to(sum));
        clSetKernelArg(vadd, 3, Sizeof.cl_int, Pointer.to(n));
        clSetKernelArg(vmul, 0, Sizeof.cl_mem, Pointer.to(sum));
        clSetKernelArg(vmul, 1, Sizeof.cl_mem, Pointer.to(bufB));
        clSetKernelArg(vmul, 2, Sizeof.cl_mem, Pointer.to(prod));
        clSetKernelArg(vmul, 3, Sizeof.cl_int, Pointer.to(n));
        clSetKernelArg(saxpy, 1, Sizeof.cl_mem, Pointer.to(prod));
        clSetKernelArg(saxpy, 2, Sizeof.cl_mem, Pointer.to(acc));
        clSetKernelArg(saxpy, 3, Sizeof.cl_int, Pointer.to(n));

        // Java reference, same float operations in the same order
        float[] jSum = new float[N];
        float[] jProd = new float[N];
        float[] jAcc = new float[N];
        for (int i = 0; i < N; i++) {
            jSum[i] = a[i] + b[i];
            jProd[i] = jSum[i] * b[i];
        }

        for (int round = 0; round < ROUNDS; round++) {
            float alpha = 1f / (round + 1);
            // c = a + b; p = c * b; acc = alpha * p + acc
            clEnqueueNDRangeKernel(queue, vadd, 1, null, new long[] {global}, new long[] {local}, 0, null, null);
            clEnqueueNDRangeKernel(queue, vmul, 1, null, new long[] {global}, new long[] {local}, 0, null, null);
            clSetKernelArg(saxpy, 0, Sizeof.cl_float, Pointer.to(new float[] {alpha}));
            clEnqueueNDRangeKernel(queue, saxpy, 1, null, new long[] {global}, null, 0, null, null);
            for (int i = 0; i < N; i++) {
                jAcc[i] = alpha * jProd[i] + jAcc[i];
            }
            if (round % 5 == 4) {
                // intermediate check in the middle of the pipeline
                float[] partial = new float[16];
                clEnqueueReadBuffer(queue, acc, CL_TRUE, Sizeof.cl_float * 1000L, Sizeof.cl_float * 16L, Pointer.to(partial), 0, null, null);
                boolean ok = true;
                for (int i = 0; i < 16; i++) {
                    ok &= Math.abs(partial[i] - jAcc[1000 + i]) <= 1e-3f * Math.max(1f, Math.abs(jAcc[1000 + i]));
                }
                check("round " + round + " partial acc[1000..1016] matches Java", ok);
            }
        }
        clFinish(queue);

        float[] result = new float[N];
        clEnqueueReadBuffer(queue, acc, CL_TRUE, 0, bytes, Pointer.to(result), 0, null, null);
        float[] prodOut = new float[N];
        clEnqueueReadBuffer(queue, prod, CL_TRUE, 0, bytes, Pointer.to(prodOut), 0, null, null);

        int mismatches = 0;
        double maxRel = 0;
        for (int i = 0; i < N; i++) {
            if (prodOut[i] != jProd[i]) {
                mismatches++;
            }
            double rel = Math.abs(result[i] - jAcc[i]) / Math.max(1.0, Math.abs(jAcc[i]));
            maxRel = Math.max(maxRel, rel);
        }
        expect("elementwise product mismatches", 0, mismatches);
        check("accumulator within 1e-4 relative of Java", maxRel < 1e-4);

        // checksums from the device results (exact float bits, so any difference shows)
        long bitsChecksum = 0;
        double sumChecksum = 0;
        for (int i = 0; i < N; i++) {
            bitsChecksum = bitsChecksum * 31 + Float.floatToIntBits(result[i]);
            sumChecksum += result[i];
        }
        out("elements: " + N + ", rounds: " + ROUNDS);
        out("acc[0]=" + result[0] + " acc[12345]=" + result[12345] + " acc[N-1]=" + result[N - 1]);
        out("checksum (bits): " + Long.toHexString(bitsChecksum));
        out("checksum (sum): " + String.format("%.3f", sumChecksum));

        for (cl_mem m : new cl_mem[] {bufA, bufB, sum, prod, acc}) {
            clReleaseMemObject(m);
        }
        clReleaseKernel(vadd);
        clReleaseKernel(vmul);
        clReleaseKernel(saxpy);
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("VectorPipeline");
    }
}

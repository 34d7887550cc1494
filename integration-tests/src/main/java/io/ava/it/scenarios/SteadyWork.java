package io.ava.it.scenarios;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import static io.ava.it.scenarios.Support.out;
import static org.jocl.CL.*;

/**
 * A steady workload to migrate while it runs: prints "ready" once its objects exist, then runs
 * kernels for a number of iterations, pausing between them, and prints checksums that do not
 * depend on timing. Arguments: iterations (default 300), MiB of extra device state filled on the
 * device (default 1), pause per iteration in ms (default 5).
 */
public class SteadyWork {
    static final String SOURCE = ""
        + "__kernel void advance(__global float* a, __global const float* b) { int i = get_global_id(0); a[i] = a[i] * 0.5f + b[i]; }\n"
        + "__kernel void pattern(__global uint* s, uint seed) { uint i = get_global_id(0); s[i] = (i + seed) * 2654435761u; }\n";

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        long stateMiB = args.length > 1 ? Long.parseLong(args[1]) : 1;
        long pauseMs = args.length > 2 ? Long.parseLong(args[2]) : 5;
        Conf c = Conf.open();
        int n = 4096;
        float[] init = new float[n];
        for (int i = 0; i < n; i++) {
            init[i] = i % 7;
        }
        cl_mem a = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * n, Pointer.to(init), null);
        cl_mem b = clCreateBuffer(c.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * n, Pointer.to(init), null);
        long stateBytes = stateMiB << 20;
        cl_mem state = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, stateBytes, null, null);
        org.jocl.cl_program program = Support.buildProgram(c.ctx, c.device, SOURCE, "");
        cl_kernel step = clCreateKernel(program, "advance", null);
        cl_kernel pattern = clCreateKernel(program, "pattern", null);
        clReleaseProgram(program); // the kernels keep it: a migration must still rebuild it
        clSetKernelArg(step, 0, Sizeof.cl_mem, Pointer.to(a));
        clSetKernelArg(step, 1, Sizeof.cl_mem, Pointer.to(b));
        clSetKernelArg(pattern, 0, Sizeof.cl_mem, Pointer.to(state));
        clSetKernelArg(pattern, 1, Sizeof.cl_uint, Pointer.to(new int[] {12345}));
        clEnqueueNDRangeKernel(c.queue, pattern, 1, null, new long[] {stateBytes / 4}, null, 0, null, null);
        clFinish(c.queue);
        out("ready");
        float[] probe = new float[4];
        for (int it = 1; it <= iterations; it++) {
            clEnqueueNDRangeKernel(c.queue, step, 1, null, new long[] {n}, null, 0, null, null);
            if (it % 50 == 0) {
                clEnqueueReadBuffer(c.queue, a, CL_TRUE, 0, 16, Pointer.to(probe), 0, null, null);
                out("iteration " + it + ": " + probe[0] + " " + probe[1] + " " + probe[2] + " " + probe[3]);
            }
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
        }
        float[] result = new float[n];
        clEnqueueReadBuffer(c.queue, a, CL_TRUE, 0, (long) Sizeof.cl_float * n, Pointer.to(result), 0, null, null);
        double sum = 0;
        for (float f : result) {
            sum += f;
        }
        out(String.format(java.util.Locale.ROOT, "sum after %d iterations: %.4f", iterations, sum));
        // the extra state moved with the session: samples at its start, middle and end
        int[] sample = new int[4];
        long checksum = 0;
        for (long off : new long[] {0, stateBytes / 2, stateBytes - 16}) {
            clEnqueueReadBuffer(c.queue, state, CL_TRUE, off, 16, Pointer.to(sample), 0, null, null);
            for (int v : sample) {
                checksum = checksum * 31 + v;
            }
        }
        out("state samples checksum: " + checksum);
        clReleaseMemObject(a);
        clReleaseMemObject(b);
        clReleaseMemObject(state);
        clReleaseKernel(step);
        clReleaseKernel(pattern);
        c.close();
        Support.finish("SteadyWork");
    }
}

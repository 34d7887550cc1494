package io.ava.it.scenarios;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static io.ava.it.scenarios.Support.out;
import static org.jocl.CL.*;

/**
 * Many calls and large transfers for a while, to survive dropped connections: per iteration a
 * 1 MiB write (bulk input), pipelined kernel launches and small writes, a blocking 1 MiB read (bulk
 * output), a non-blocking 1 MiB read waited for with its event, and a checksum line. Prints "ready"
 * once its objects exist. Arguments: iterations (default 200), pause per iteration in ms (default 20).
 */
public class TransferLoop {
    static final String SOURCE = ""
        + "__kernel void mix_step(__global float* a, __global const float* b, float k) { int i = get_global_id(0); a[i] = a[i] * 0.5f + b[i] * k; }\n";

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long pauseMs = args.length > 1 ? Long.parseLong(args[1]) : 20;
        Conf c = Conf.open();
        int n = 256 * 1024; // 1 MiB of floats: above the inline limit, so bulk in both directions
        long bytes = (long) Sizeof.cl_float * n;
        cl_mem a = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, bytes, null, null);
        cl_mem b = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, bytes, null, null);
        org.jocl.cl_program program = Support.buildProgram(c.ctx, c.device, SOURCE, "");
        cl_kernel step = clCreateKernel(program, "mix_step", null);
        clSetKernelArg(step, 0, Sizeof.cl_mem, Pointer.to(a));
        clSetKernelArg(step, 1, Sizeof.cl_mem, Pointer.to(b));
        float[] host = new float[n];
        float[] back = new float[n];
        ByteBuffer direct = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        float[] zero = new float[n];
        ByteBuffer[] smalls = new ByteBuffer[8];
        for (int k = 0; k < 8; k++) {
            smalls[k] = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        }
        clEnqueueWriteBuffer(c.queue, a, CL_TRUE, 0, bytes, Pointer.to(zero), 0, null, null);
        clFinish(c.queue);
        out("ready");
        for (int it = 1; it <= iterations; it++) {
            for (int i = 0; i < n; i++) {
                host[i] = (i * 31 + it) % 101;
            }
            clEnqueueWriteBuffer(c.queue, b, CL_TRUE, 0, bytes, Pointer.to(host), 0, null, null);
            for (int k = 0; k < 8; k++) {
                clSetKernelArg(step, 2, Sizeof.cl_float, Pointer.to(new float[] {0.25f * (k + 1)}));
                clEnqueueNDRangeKernel(c.queue, step, 1, null, new long[] {n}, null, 0, null, null);
                // non-blocking: each its own direct buffer, untouched until the blocking read below
                smalls[k].putFloat(0, it).putFloat(4, k);
                clEnqueueWriteBuffer(c.queue, b, CL_FALSE, 4L * (k * 2), 8, Pointer.to(smalls[k]), 0, null, null);
            }
            clEnqueueReadBuffer(c.queue, a, CL_TRUE, 0, bytes, Pointer.to(back), 0, null, null);
            cl_event ev = new cl_event();
            clEnqueueReadBuffer(c.queue, b, CL_FALSE, 0, bytes, Pointer.to(direct), 0, null, ev);
            clWaitForEvents(1, new cl_event[] {ev});
            clReleaseEvent(ev);
            double sum = 0;
            for (float f : back) {
                sum += f;
            }
            FloatBuffer fb = direct.asFloatBuffer();
            double sumB = 0;
            for (int i = 0; i < n; i++) {
                sumB += fb.get(i);
            }
            out(String.format(java.util.Locale.ROOT, "iteration %d: a %.3f b %.1f", it, sum, sumB));
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
        }
        clReleaseMemObject(a);
        clReleaseMemObject(b);
        clReleaseKernel(step);
        clReleaseProgram(program);
        c.close();
        Support.finish("TransferLoop");
    }
}

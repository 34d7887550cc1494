package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/** Profiling info on a profiling queue: queued <= submit <= start <= end for several command kinds; booleans only. */
public class EventProfiling {

    static final String SOURCE = "__kernel void inc(__global int* a) { a[get_global_id(0)] += 1; }\n";

    static long prof(cl_event e, int param) {
        long[] v = new long[1];
        clGetEventProfilingInfo(e, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    static long[] all(String label, cl_event e) {
        long q = prof(e, CL_PROFILING_COMMAND_QUEUED);
        long s = prof(e, CL_PROFILING_COMMAND_SUBMIT);
        long st = prof(e, CL_PROFILING_COMMAND_START);
        long en = prof(e, CL_PROFILING_COMMAND_END);
        check(label + ": queued<=submit<=start<=end", q <= s && s <= st && st <= en);
        check(label + ": queued>0", q > 0);
        return new long[] {q, s, st, en};
    }

    public static void main(String[] args) {
        Conf c = Conf.open(CL_QUEUE_PROFILING_ENABLE);
        cl_program program = c.build(SOURCE);
        cl_kernel inc = clCreateKernel(program, "inc", null);
        int n = 1 << 16;
        cl_mem buf = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 4L * n, null, null);
        clSetKernelArg(inc, 0, Sizeof.cl_mem, Pointer.to(buf));

        cl_event fill = new cl_event();
        clEnqueueFillBuffer(c.queue, buf, Pointer.to(new int[] {5}), 4, 0, 4L * n, 0, null, fill);
        cl_event kernel = new cl_event();
        clEnqueueNDRangeKernel(c.queue, inc, 1, null, new long[] {n}, null, 0, null, kernel);
        int[] host = new int[n];
        cl_event read = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_TRUE, 0, 4L * n, Pointer.to(host), 0, null, read);
        cl_event marker = new cl_event();
        clEnqueueMarkerWithWaitList(c.queue, 0, null, marker);
        clFinish(c.queue);

        long[] f = all("fill", fill);
        long[] k = all("kernel", kernel);
        long[] r = all("read", read);
        all("marker", marker);
        check("in-order queue: fill ended before the kernel started", f[3] <= k[2]);
        check("in-order queue: kernel ended before the read started", k[3] <= r[2]);
        check("kernel result", host[0] == 6 && host[n - 1] == 6);

        // size query and too-small buffer
        long[] size = new long[1];
        clGetEventProfilingInfo(kernel, CL_PROFILING_COMMAND_END, 0, null, size);
        expect("profiling value size", 8L, size[0]);
        out("profiling into 4 bytes (exceptions on): " + thrown(() -> clGetEventProfilingInfo(kernel, CL_PROFILING_COMMAND_END, 4,
            Pointer.to(new int[1]), null)));

        // a queue without profiling
        cl_command_queue plain = c.newQueue(0);
        cl_event pe = new cl_event();
        clEnqueueNDRangeKernel(plain, inc, 1, null, new long[] {n}, null, 0, null, pe);
        clFinish(plain);
        out("profiling on a non-profiling queue (exceptions on): " + thrown(() -> prof(pe, CL_PROFILING_COMMAND_START)));
        exceptions(false);
        expectError("profiling on a non-profiling queue (exceptions off)", CL_PROFILING_INFO_NOT_AVAILABLE,
            clGetEventProfilingInfo(pe, CL_PROFILING_COMMAND_START, 8, Pointer.to(new long[1]), null));
        exceptions(true);

        // CL_PROFILING_COMMAND_COMPLETE (OpenCL 2.0): print whether it works and relates
        exceptions(false);
        long[] complete = new long[1];
        int rc = clGetEventProfilingInfo(kernel, CL_PROFILING_COMMAND_COMPLETE, 8, Pointer.to(complete), null);
        out("CL_PROFILING_COMMAND_COMPLETE: " + stringFor_errorCode(rc) + (rc == CL_SUCCESS ? ", end<=complete " + (k[3] <= complete[0]) : ""));
        exceptions(true);

        // after clWaitForEvents (the agent answers from the times the wait's reply brought): the same answers
        cl_event waited = new cl_event();
        clEnqueueNDRangeKernel(c.queue, inc, 1, null, new long[] {n}, null, 0, null, waited);
        clWaitForEvents(1, new cl_event[] {waited});
        long[] w = all("kernel after a wait", waited);
        check("waited kernel started after the read ended", r[3] <= w[2]);
        check("the same value twice", prof(waited, CL_PROFILING_COMMAND_END) == w[3]);
        size[0] = 0;
        clGetEventProfilingInfo(waited, CL_PROFILING_COMMAND_START, 0, null, size);
        expect("profiling value size after a wait", 8L, size[0]);
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
        clGetEventProfilingInfo(waited, CL_PROFILING_COMMAND_END, 8, Pointer.to(direct), null);
        check("END into a direct buffer after a wait", direct.getLong(0) == w[3]);
        out("profiling into 4 bytes after a wait (exceptions on): " + thrown(() -> clGetEventProfilingInfo(waited,
            CL_PROFILING_COMMAND_END, 4, Pointer.to(new int[1]), null)));
        exceptions(false);
        out("an unknown profiling parameter after a wait: "
            + stringFor_errorCode(clGetEventProfilingInfo(waited, 0x1290, 8, Pointer.to(new long[1]), null)));
        exceptions(true);

        release(fill, kernel, read, marker, pe, waited);
        clReleaseCommandQueue(plain);
        clReleaseKernel(inc);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        c.close();
        finish("EventProfiling");
    }
}

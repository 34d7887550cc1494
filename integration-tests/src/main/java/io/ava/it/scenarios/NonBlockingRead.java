package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Non-blocking reads into direct buffers: the data is looked at only after something the application can observe
 * says the read is done (clWaitForEvents, clFinish, event status CL_COMPLETE, a later blocking call on the queue).
 */
public class NonBlockingRead {

    static final String SOURCE = ""
        + "__kernel void fill(__global int* a, const int base) {\n"
        + "    int i = get_global_id(0);\n"
        + "    int v = base;\n"
        + "    for (int k = 0; k < 200; k++) v = (v * 31 + i) % 1000003;\n"
        + "    a[i] = v;\n"
        + "}\n";

    static int expected(int i, int base) {
        int v = base;
        for (int k = 0; k < 200; k++) {
            v = (v * 31 + i) % 1000003;
        }
        return v;
    }

    static boolean matches(ByteBuffer b, int n, int base) {
        for (int i = 0; i < n; i++) {
            if (b.getInt(i * 4) != expected(i, base)) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel fill = clCreateKernel(program, "fill", null);
        int n = 1 << 14;
        long bytes = (long) Sizeof.cl_int * n;
        cl_mem buf = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, bytes, null, null);
        clSetKernelArg(fill, 0, Sizeof.cl_mem, Pointer.to(buf));

        // 1. completed through clWaitForEvents
        clSetKernelArg(fill, 1, Sizeof.cl_int, Pointer.to(new int[] {1}));
        clEnqueueNDRangeKernel(c.queue, fill, 1, null, new long[] {n}, null, 0, null, null);
        ByteBuffer a = direct((int) bytes);
        cl_event ea = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, bytes, Pointer.to(a), 0, null, ea);
        clWaitForEvents(1, new cl_event[] {ea});
        expect("after clWaitForEvents: read event status", "CL_COMPLETE", status(ea));
        check("after clWaitForEvents: data is the kernel's", matches(a, n, 1));
        out("after clWaitForEvents: first ints " + Arrays.toString(ints(a, 4)));

        // 2. completed through clFinish
        clSetKernelArg(fill, 1, Sizeof.cl_int, Pointer.to(new int[] {2}));
        clEnqueueNDRangeKernel(c.queue, fill, 1, null, new long[] {n}, null, 0, null, null);
        ByteBuffer b = direct((int) bytes);
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, bytes, Pointer.to(b), 0, null, null);
        clFinish(c.queue);
        check("after clFinish: data is the kernel's", matches(b, n, 2));
        out("after clFinish: first ints " + Arrays.toString(ints(b, 4)));

        // 3. completed through polling the event status
        clSetKernelArg(fill, 1, Sizeof.cl_int, Pointer.to(new int[] {3}));
        clEnqueueNDRangeKernel(c.queue, fill, 1, null, new long[] {n}, null, 0, null, null);
        ByteBuffer d = direct((int) bytes);
        cl_event ed = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, bytes, Pointer.to(d), 0, null, ed);
        clFlush(c.queue);
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean complete = false;
        while (System.nanoTime() < deadline) {
            if (eventInt(ed, CL_EVENT_COMMAND_EXECUTION_STATUS) == CL_COMPLETE) {
                complete = true;
                break;
            }
            Thread.yield();
        }
        check("polled status reached CL_COMPLETE", complete);
        check("after polling to CL_COMPLETE: data is the kernel's", matches(d, n, 3));

        // 4. completed through a later blocking call on the same (in-order) queue
        clSetKernelArg(fill, 1, Sizeof.cl_int, Pointer.to(new int[] {4}));
        clEnqueueNDRangeKernel(c.queue, fill, 1, null, new long[] {n}, null, 0, null, null);
        ByteBuffer e = direct((int) bytes);
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, bytes, Pointer.to(e), 0, null, null);
        int[] one = new int[1];
        clEnqueueReadBuffer(c.queue, buf, CL_TRUE, 0, Sizeof.cl_int, Pointer.to(one), 0, null, null);
        check("after a later blocking read: data is the kernel's", matches(e, n, 4));
        expect("the blocking read itself", expected(0, 4), one[0]);

        // 5. several non-blocking reads of parts, with a byte offset into the destination, then one wait
        ByteBuffer parts = direct((int) bytes);
        cl_event[] evs = new cl_event[4];
        long quarter = bytes / 4;
        for (int i = 0; i < 4; i++) {
            evs[i] = new cl_event();
            clEnqueueReadBuffer(c.queue, buf, CL_FALSE, quarter * i, quarter, Pointer.to(parts).withByteOffset(quarter * i), 0, null, evs[i]);
        }
        clWaitForEvents(4, evs);
        check("four partial non-blocking reads assemble the whole buffer", matches(parts, n, 4));

        // 6. a non-blocking write from a direct buffer, then a non-blocking read back, then clFinish
        ByteBuffer src = direct(64);
        for (int i = 0; i < 16; i++) {
            src.putInt(i * 4, 1000 + i);
        }
        clEnqueueWriteBuffer(c.queue, buf, CL_FALSE, 0, 64, Pointer.to(src), 0, null, null);
        ByteBuffer dst = direct(64);
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, 64, Pointer.to(dst), 0, null, null);
        clFinish(c.queue);
        out("non-blocking write then non-blocking read: " + Arrays.toString(ints(dst, 16)));
        check("write/read round trip", dst.getInt(60) == 1015);

        // 7. a non-blocking read into a heap array: JOCL's own check
        out("non-blocking read into an int[] (exceptions on): " + describe(() ->
            clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, 16, Pointer.to(new int[4]), 0, null, null)));
        clFinish(c.queue);

        release(ea, ed);
        release(evs);
        clReleaseKernel(fill);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        c.close();
        finish("NonBlockingRead");
    }

    static String describe(Runnable r) {
        try {
            String t = thrown(r);
            return t;
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
    }
}

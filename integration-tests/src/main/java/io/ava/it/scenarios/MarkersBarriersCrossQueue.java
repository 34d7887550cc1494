package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Markers and barriers with and without wait lists, the OpenCL 1.1 clEnqueueMarker/clEnqueueBarrier/
 * clEnqueueWaitForEvents, and events of queue A in queue B's wait lists. Ordering is checked through the data.
 */
public class MarkersBarriersCrossQueue {

    static final String SOURCE = ""
        + "__kernel void stage(__global int* a, const int mul, const int add) {\n"
        + "    int i = get_global_id(0);\n"
        + "    a[i] = a[i] * mul + add;\n"
        + "}\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_command_queue qa = c.queue;
        cl_command_queue qb = c.newQueue(0);
        cl_command_queue ooo = c.newQueue(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
        cl_program program = c.build(SOURCE);
        cl_kernel ka = clCreateKernel(program, "stage", null);
        cl_kernel kb = clCreateKernel(program, "stage", null);
        int n = 4096;
        cl_mem buf = c.ints(new int[n]);

        // 1. A: x*2+1, then B (waiting on A's event): x*3+2, then A (waiting on B's): x*5+3 => ((1)*3+2)*5+3 = 28
        clSetKernelArg(ka, 0, Sizeof.cl_mem, Pointer.to(buf));
        clSetKernelArg(kb, 0, Sizeof.cl_mem, Pointer.to(buf));
        cl_event a1 = new cl_event();
        setArgs(ka, 2, 1);
        clEnqueueNDRangeKernel(qa, ka, 1, null, new long[] {n}, null, 0, null, a1);
        cl_event b1 = new cl_event();
        setArgs(kb, 3, 2);
        clEnqueueNDRangeKernel(qb, kb, 1, null, new long[] {n}, null, 1, new cl_event[] {a1}, b1);
        cl_event a2 = new cl_event();
        clEnqueueBarrierWithWaitList(qa, 1, new cl_event[] {b1}, null);
        setArgs(ka, 5, 3);
        clEnqueueNDRangeKernel(qa, ka, 1, null, new long[] {n}, null, 0, null, a2);
        clFinish(qa);
        clFinish(qb);
        int[] r = c.read(buf, n);
        out("A then B then A (cross-queue waits): a[0]=" + r[0] + " a[n-1]=" + r[n - 1]);
        check("cross-queue order", r[0] == 28 && r[n - 1] == 28);

        // 2. markers: a marker on B waiting for A's events gates a read on B
        cl_event a3 = new cl_event();
        setArgs(ka, 1, 100);
        clEnqueueNDRangeKernel(qa, ka, 1, null, new long[] {n}, null, 0, null, a3);
        cl_event mb = new cl_event();
        clEnqueueMarkerWithWaitList(qb, 1, new cl_event[] {a3}, mb);
        int[] one = new int[1];
        clEnqueueReadBuffer(qb, buf, CL_TRUE, 0, 4, Pointer.to(one), 1, new cl_event[] {mb}, null);
        expect("read on B after marker waiting for A", 128, one[0]);
        expect("marker command type", "CL_COMMAND_MARKER", stringFor_cl_command_type(eventInt(mb, CL_EVENT_COMMAND_TYPE)));
        expect("marker status", "CL_COMPLETE", status(mb));

        // 3. an out-of-order queue: two kernels ordered only by a barrier
        cl_kernel ko = clCreateKernel(program, "stage", null);
        clSetKernelArg(ko, 0, Sizeof.cl_mem, Pointer.to(buf));
        setArgs(ko, 2, 0);
        clEnqueueNDRangeKernel(ooo, ko, 1, null, new long[] {n}, null, 0, null, null);
        cl_event bar = new cl_event();
        clEnqueueBarrierWithWaitList(ooo, 0, null, bar);
        setArgs(ko, 1, -6);
        clEnqueueNDRangeKernel(ooo, ko, 1, null, new long[] {n}, null, 0, null, null);
        clFinish(ooo);
        r = c.read(buf, n);
        out("out-of-order queue with a barrier: a[0]=" + r[0] + " a[n-1]=" + r[n - 1]);
        check("barrier ordered the out-of-order queue", r[0] == 250 && r[n - 1] == 250);
        expect("barrier command type", "CL_COMMAND_BARRIER", stringFor_cl_command_type(eventInt(bar, CL_EVENT_COMMAND_TYPE)));

        // 4. OpenCL 1.1 style: clEnqueueMarker, clEnqueueBarrier (clEnqueueWaitForEvents is left out: PoCL 3.1
        // aborts the process with "The entire clEnqueueWaitForEvents call is unimplemented", exit code 2)
        cl_event old = new cl_event();
        clEnqueueMarker(qa, old);
        clEnqueueBarrierWithWaitList(qb, 1, new cl_event[] {old}, null);
        clEnqueueBarrier(qb);
        clEnqueueWriteBuffer(qb, buf, CL_TRUE, 0, 8, Pointer.to(new int[] {-1, -2}), 0, null, null);
        out("after 1.1-style marker/barrier: " + Arrays.toString(Arrays.copyOf(c.read(buf, 3), 3)));
        expect("1.1 marker command type", "CL_COMMAND_MARKER", stringFor_cl_command_type(eventInt(old, CL_EVENT_COMMAND_TYPE)));

        // 5. a barrier gated by a user event holds back a kernel on the same queue
        cl_event gate = clCreateUserEvent(c.ctx, null);
        clEnqueueBarrierWithWaitList(qb, 1, new cl_event[] {gate}, null);
        setArgs(kb, 0, 77);
        cl_event gated = new cl_event();
        clEnqueueNDRangeKernel(qb, kb, 1, null, new long[] {n}, null, 0, null, gated);
        clFlush(qb);
        sleep(50);
        out("kernel behind a gated barrier complete before the gate: " + (eventInt(gated, CL_EVENT_COMMAND_EXECUTION_STATUS) == CL_COMPLETE));
        clSetUserEventStatus(gate, CL_COMPLETE);
        clFinish(qb);
        expect("after the gate", 77, c.read(buf, 1)[0]);

        // errors: an event of another context in a barrier's wait list
        out("marker wait list count 1 with a null list (exceptions on): " + thrown(() -> clEnqueueMarkerWithWaitList(qa, 1, null, null)));
        out("barrier wait list count 0 with a non-null list (exceptions on): "
            + thrown(() -> clEnqueueBarrierWithWaitList(qa, 0, new cl_event[] {a1}, null)));

        release(a1, b1, a2, a3, mb, bar, old, gate, gated);
        release(ka, kb, ko);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        clReleaseCommandQueue(qb);
        clReleaseCommandQueue(ooo);
        c.close();
        finish("MarkersBarriersCrossQueue");
    }

    static void setArgs(cl_kernel k, int mul, int add) {
        clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {mul}));
        clSetKernelArg(k, 2, Sizeof.cl_int, Pointer.to(new int[] {add}));
    }
}

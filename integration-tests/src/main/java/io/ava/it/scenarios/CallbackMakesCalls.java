package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Event callbacks that make OpenCL calls themselves: query the event's info, do a blocking read on another queue,
 * enqueue a write on another queue and set a user event that gates the main thread's next command.
 */
public class CallbackMakesCalls {

    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        cl_command_queue other = c.newQueue(0);
        cl_program program = c.build("__kernel void plus(__global int* a, const int v) { a[get_global_id(0)] += v; }\n");
        cl_kernel plus = clCreateKernel(program, "plus", null);
        cl_mem buf = c.ints(1, 2, 3, 4);
        cl_mem side = c.ints(0, 0, 0, 0);
        List<String> records = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(2);
        cl_event gate = clCreateUserEvent(c.ctx, null);

        clSetKernelArg(plus, 0, Sizeof.cl_mem, Pointer.to(buf));
        clSetKernelArg(plus, 1, Sizeof.cl_int, Pointer.to(new int[] {100}));
        cl_event k = new cl_event();
        clEnqueueNDRangeKernel(c.queue, plus, 1, null, new long[] {4}, null, 0, null, k);

        // callback 1: info of its event, a blocking read on another queue, a write on that queue, then opens the gate
        clSetEventCallback(k, CL_COMPLETE, (event, status, data) -> {
            try {
                int[] type = new int[1];
                clGetEventInfo(event, CL_EVENT_COMMAND_TYPE, Sizeof.cl_int, Pointer.to(type), null);
                int[] seen = new int[4];
                clEnqueueReadBuffer(other, buf, CL_TRUE, 0, 16, Pointer.to(seen), 0, null, null);
                clEnqueueWriteBuffer(other, side, CL_TRUE, 0, 16, Pointer.to(seen), 0, null, null);
                records.add("callback 1: event type " + stringFor_cl_command_type(type[0]) + ", read " + java.util.Arrays.toString(seen));
                clSetUserEventStatus(gate, CL_COMPLETE);
            } catch (RuntimeException e) {
                records.add("callback 1 failed: " + e);
            }
            done.countDown();
        }, null);

        // the main queue's next command waits for the gate the callback opens
        cl_event gated = new cl_event();
        clSetKernelArg(plus, 1, Sizeof.cl_int, Pointer.to(new int[] {1000}));
        clEnqueueNDRangeKernel(c.queue, plus, 1, null, new long[] {4}, null, 1, new cl_event[] {gate}, gated);

        // callback 2 on the gated kernel: creates and releases a buffer, queries the context's reference count
        clSetEventCallback(gated, CL_COMPLETE, (event, status, data) -> {
            try {
                cl_mem tmp = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 64, null, null);
                long[] size = new long[1];
                clGetMemObjectInfo(tmp, CL_MEM_SIZE, Sizeof.size_t, Pointer.to(size), null);
                clReleaseMemObject(tmp);
                records.add("callback 2: made a buffer of " + size[0] + " bytes, status " + stringFor_command_execution_status(status));
            } catch (RuntimeException e) {
                records.add("callback 2 failed: " + e);
            }
            done.countDown();
        }, null);

        clFinish(c.queue);
        check("callbacks finished within 10 s", done.await(10, TimeUnit.SECONDS));
        List<String> sorted;
        synchronized (records) {
            sorted = new ArrayList<>(records);
        }
        Collections.sort(sorted);
        sorted.forEach(Support::out);
        out("buf after both kernels: " + java.util.Arrays.toString(c.read(buf, 4)));
        int[] s = new int[4];
        clEnqueueReadBuffer(other, side, CL_TRUE, 0, 16, Pointer.to(s), 0, null, null);
        out("side buffer written by callback 1: " + java.util.Arrays.toString(s));

        release(k, gate, gated);
        release(buf, side);
        clReleaseKernel(plus);
        clReleaseProgram(program);
        clReleaseCommandQueue(other);
        c.close();
        finish("CallbackMakesCalls");
    }
}

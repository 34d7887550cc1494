package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * A non-blocking read whose wait list holds a user event. Another thread sets the event later, while the main thread
 * is blocked in clWaitForEvents (must not deadlock); then the same thread sets it itself after the enqueue.
 */
public class NonBlockingReadGatedByUserEvent {

    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        int n = 64;
        cl_mem buf = c.ints(iota(n, 500));

        // 1. another thread sets the gate while this thread waits for the read
        cl_event gate = clCreateUserEvent(c.ctx, null);
        ByteBuffer dst = direct(n * 4);
        cl_event read = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, (long) n * 4, Pointer.to(dst), 1, new cl_event[] {gate}, read);
        clFlush(c.queue);
        out("read status before the gate is set: " + (eventInt(read, CL_EVENT_COMMAND_EXECUTION_STATUS) == CL_COMPLETE ? "complete" : "not complete"));
        Thread setter = new Thread(() -> {
            sleep(200);
            clSetUserEventStatus(gate, CL_COMPLETE);
        }, "gate-setter");
        setter.start();
        clWaitForEvents(1, new cl_event[] {read});
        setter.join(10_000);
        expect("read status after the other thread set the gate", "CL_COMPLETE", status(read));
        out("data read behind the gate: " + Arrays.toString(ints(dst, 4)) + " ... " + dst.getInt((n - 1) * 4));
        check("gated read data", dst.getInt(0) == 500 && dst.getInt((n - 1) * 4) == 500 + n - 1);

        // 2. the gate also holds back a later write on the queue (in order), and the reader thread waits with clFinish
        cl_event gate2 = clCreateUserEvent(c.ctx, null);
        ByteBuffer dst2 = direct(n * 4);
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, (long) n * 4, Pointer.to(dst2), 1, new cl_event[] {gate2}, null);
        clEnqueueWriteBuffer(c.queue, buf, CL_FALSE, 0, 4, Pointer.to(direct(4).putInt(0, -1)), 0, null, null);
        Thread setter2 = new Thread(() -> {
            sleep(100);
            clSetUserEventStatus(gate2, CL_COMPLETE);
        }, "gate-setter-2");
        setter2.start();
        clFinish(c.queue);
        setter2.join(10_000);
        out("read before the write (gated), first int: " + dst2.getInt(0));
        check("the gated read ran before the later write", dst2.getInt(0) == 500);
        expect("buffer after the later write", -1, c.read(buf, 1)[0]);

        // 3. the same thread sets the gate after the enqueue
        cl_event gate3 = clCreateUserEvent(c.ctx, null);
        ByteBuffer dst3 = direct(n * 4);
        cl_event read3 = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 4, (long) (n - 1) * 4, Pointer.to(dst3), 1, new cl_event[] {gate3}, read3);
        clSetUserEventStatus(gate3, CL_COMPLETE);
        clWaitForEvents(1, new cl_event[] {read3});
        out("same-thread gate, data: " + Arrays.toString(ints(dst3, 3)));
        check("same-thread gated read", dst3.getInt(0) == 501);

        // 4. a blocking call on another thread's queue is not stalled by the gated read
        cl_event gate4 = clCreateUserEvent(c.ctx, null);
        ByteBuffer dst4 = direct(16);
        cl_event read4 = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, 16, Pointer.to(dst4), 1, new cl_event[] {gate4}, read4);
        int[] other = new int[4];
        Thread reader = new Thread(() -> {
            org.jocl.cl_command_queue q2 = c.newQueue(0);
            clEnqueueReadBuffer(q2, buf, CL_TRUE, 4, 16, Pointer.to(other), 0, null, null);
            clReleaseCommandQueue(q2);
        }, "other-queue-reader");
        reader.start();
        reader.join(10_000);
        out("other queue read while the gated read waits: " + Arrays.toString(other));
        clSetUserEventStatus(gate4, CL_COMPLETE);
        clWaitForEvents(1, new cl_event[] {read4});
        out("gated read 4: " + Arrays.toString(ints(dst4, 4)));

        release(gate, read, gate2, gate3, read3, gate4, read4);
        clReleaseMemObject(buf);
        c.close();
        finish("NonBlockingReadGatedByUserEvent");
    }
}

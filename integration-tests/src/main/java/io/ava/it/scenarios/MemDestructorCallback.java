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
import org.jocl.cl_buffer_region;
import org.jocl.cl_mem;

/**
 * clSetMemObjectDestructorCallback: callbacks run (most recently registered first, as the spec says) when the last
 * reference goes, with their user data; not while the object is still retained; for a sub-buffer and its parent.
 */
public class MemDestructorCallback {

    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        List<String> records = Collections.synchronizedList(new ArrayList<>());

        // 1. two callbacks on one buffer; an extra retain delays them
        CountDownLatch first = new CountDownLatch(2);
        cl_mem buf = c.ints(1, 2, 3, 4);
        clSetMemObjectDestructorCallback(buf, (mem, data) -> {
            records.add("A:" + data);
            first.countDown();
        }, "first-registered");
        clSetMemObjectDestructorCallback(buf, (mem, data) -> {
            records.add("A:" + data);
            first.countDown();
        }, "second-registered");
        clRetainMemObject(buf);
        clReleaseMemObject(buf);
        sleep(100);
        out("callbacks after releasing one of two references: " + records.size());
        clReleaseMemObject(buf);
        check("both destructor callbacks ran within 10 s", first.await(10, TimeUnit.SECONDS));
        synchronized (records) {
            out("order of the destructor callbacks: " + records);
        }

        // 2. a buffer released while a read on it is still queued behind a user event: the callback waits
        records.clear();
        CountDownLatch second = new CountDownLatch(1);
        cl_mem busy = c.ints(5, 6, 7, 8);
        clSetMemObjectDestructorCallback(busy, (mem, data) -> {
            records.add("busy:" + data);
            second.countDown();
        }, 12345);
        org.jocl.cl_event gate = clCreateUserEvent(c.ctx, null);
        java.nio.ByteBuffer dst = direct(16);
        clEnqueueReadBuffer(c.queue, busy, CL_FALSE, 0, 16, Pointer.to(dst), 1, new org.jocl.cl_event[] {gate}, null);
        clReleaseMemObject(busy);
        clSetUserEventStatus(gate, CL_COMPLETE);
        clFinish(c.queue);
        check("destructor of a released, then used buffer ran", second.await(10, TimeUnit.SECONDS));
        out("records: " + records + ", data read " + java.util.Arrays.toString(ints(dst, 4)));

        // 3. sub-buffer and parent: both callbacks run once everything is released
        records.clear();
        CountDownLatch third = new CountDownLatch(2);
        long align = deviceInt(c.device, CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
        cl_mem parent = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, align * 2, null, null);
        cl_mem sub = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(align, align), null);
        clSetMemObjectDestructorCallback(parent, (mem, data) -> {
            records.add("parent:" + data);
            third.countDown();
        }, "p");
        clSetMemObjectDestructorCallback(sub, (mem, data) -> {
            records.add("sub:" + data);
            third.countDown();
        }, "s");
        clReleaseMemObject(parent);
        sleep(100);
        synchronized (records) {
            out("after releasing the parent only (the sub-buffer holds it): " + records);
        }
        clReleaseMemObject(sub);
        check("sub-buffer and parent callbacks ran", third.await(10, TimeUnit.SECONDS));
        List<String> sorted;
        synchronized (records) {
            sorted = new ArrayList<>(records);
        }
        Collections.sort(sorted);
        out("after releasing the sub-buffer: " + sorted);

        // errors
        cl_mem last = c.ints(0);
        out("null callback (exceptions on): " + describe(() -> clSetMemObjectDestructorCallback(last, null, null)));
        out("null mem object (exceptions on): " + describe(() -> clSetMemObjectDestructorCallback(new cl_mem(), (m, d) -> { }, null)));
        clReleaseMemObject(last);
        clReleaseEvent(gate);
        c.close();
        finish("MemDestructorCallback");
    }

    static String describe(Runnable r) {
        try {
            return thrown(r);
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
    }
}

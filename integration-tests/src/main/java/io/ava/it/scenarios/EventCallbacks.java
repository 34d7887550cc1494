package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jocl.EventCallbackFunction;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * clSetEventCallback for CL_COMPLETE on kernel, read and user events. Each callback records its status, its user
 * data, whether the event handle it got equals the one registered and, for a read, the data it sees (which must be
 * the final data). The records are printed sorted once all callbacks have run (latch, 10 s).
 */
public class EventCallbacks {

    static final String SOURCE = "__kernel void sq(__global int* a) { int i = get_global_id(0); a[i] = a[i] * a[i]; }\n";

    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel sq = clCreateKernel(program, "sq", null);
        int n = 256;
        cl_mem buf = c.ints(iota(n, 0));
        List<String> records = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch latch = new CountDownLatch(6);

        clSetKernelArg(sq, 0, Sizeof.cl_mem, Pointer.to(buf));
        cl_event k = new cl_event();
        clEnqueueNDRangeKernel(c.queue, sq, 1, null, new long[] {n}, null, 0, null, k);
        clSetEventCallback(k, CL_COMPLETE, (event, status, data) -> {
            records.add("kernel callback: status " + stringFor_command_execution_status(status) + ", user data " + data
                + ", same event " + k.equals(event));
            latch.countDown();
        }, "kernel-data");

        ByteBuffer dst = direct(n * 4);
        cl_event r = new cl_event();
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, (long) n * 4, Pointer.to(dst), 0, null, r);
        clSetEventCallback(r, CL_COMPLETE, (event, status, data) -> {
            boolean ok = true;
            for (int i = 0; i < n; i++) {
                ok &= dst.getInt(i * 4) == i * i;
            }
            records.add("read callback: status " + stringFor_command_execution_status(status) + ", user data " + data
                + ", data final " + ok + ", a[255]=" + dst.getInt(255 * 4));
            latch.countDown();
        }, "read-data");

        // two callbacks on one event, registered for CL_SUBMITTED and CL_RUNNING: both must run (status passed may vary,
        // so only their user data is recorded)
        cl_event m = new cl_event();
        clEnqueueMarkerWithWaitList(c.queue, 1, new cl_event[] {r}, m);
        EventCallbackFunction any = (event, status, data) -> {
            records.add("marker callback: user data " + data);
            latch.countDown();
        };
        clSetEventCallback(m, CL_SUBMITTED, any, "submitted");
        clSetEventCallback(m, CL_RUNNING, any, "running");

        // a user event: callback on CL_COMPLETE after set, and one registered after it is already complete
        cl_event u = clCreateUserEvent(c.ctx, null);
        clSetEventCallback(u, CL_COMPLETE, (event, status, data) -> {
            records.add("user event callback: status " + stringFor_command_execution_status(status) + ", user data " + data);
            latch.countDown();
        }, Integer.valueOf(42));
        clSetUserEventStatus(u, CL_COMPLETE);
        clFinish(c.queue);
        clSetEventCallback(k, CL_COMPLETE, (event, status, data) -> {
            records.add("late callback on a complete event: status " + stringFor_command_execution_status(status) + ", user data " + data);
            latch.countDown();
        }, "late");

        boolean all = latch.await(10, TimeUnit.SECONDS);
        check("all callbacks ran within 10 s", all);
        List<String> sorted;
        synchronized (records) {
            sorted = new ArrayList<>(records);
        }
        Collections.sort(sorted);
        sorted.forEach(Support::out);

        // errors
        out("callback type CL_QUEUED (exceptions on): " + thrown(() -> clSetEventCallback(k, CL_QUEUED, any, null)));
        out("null callback function (exceptions on): " + describe(() -> clSetEventCallback(k, CL_COMPLETE, null, null)));

        release(k, r, m, u);
        clReleaseKernel(sq);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        c.close();
        finish("EventCallbacks");
    }

    static String describe(Runnable r) {
        try {
            return thrown(r);
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
    }
}

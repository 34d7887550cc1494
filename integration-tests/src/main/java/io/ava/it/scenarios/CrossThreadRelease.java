package io.ava.it.scenarios;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

import java.util.concurrent.CountDownLatch;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

/**
 * One thread retains an object, then another releases it: the release must not overtake the
 * retain (as it could if a server ran each thread's calls on its own, in any order). The retaining
 * thread first makes many quick calls, so its retain is queued behind them.
 */
public class CrossThreadRelease {
    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        org.jocl.cl_program program = c.build("__kernel void fill(__global int* a, int v) { a[get_global_id(0)] = v; }\n");
        cl_kernel k = clCreateKernel(program, "fill", null);
        int rounds = 20;
        int survived = 0;
        for (int r = 0; r < rounds; r++) {
            cl_event e = clCreateUserEvent(c.ctx, null);
            CountDownLatch retained = new CountDownLatch(1);
            CountDownLatch released = new CountDownLatch(1);
            int[] refs = new int[1];
            Thread t = new Thread(() -> {
                for (int i = 0; i < 300; i++) {
                    clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {i}));
                }
                clRetainEvent(e);
                retained.countDown();
                try {
                    released.await();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                clGetEventInfo(e, CL_EVENT_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
                clSetUserEventStatus(e, CL_COMPLETE);
                clReleaseEvent(e);
            }, "retainer-" + r);
            t.start();
            retained.await();
            clReleaseEvent(e);
            released.countDown();
            t.join(10_000);
            if (refs[0] == 1) {
                survived++;
            }
        }
        out("event retained on one thread, released on another, still usable there: " + survived + " of " + rounds);
        check("every round", survived == rounds);
        clReleaseKernel(k);
        clReleaseProgram(program);
        c.close();
        finish("CrossThreadRelease");
    }
}

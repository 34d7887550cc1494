package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.concurrent.atomic.AtomicReference;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Four threads, each with its own queue and kernel, and one shared event chain: step i (done by thread i % 4) waits
 * on the event of step i - 1 (made by another thread), so 1000 steps run strictly in order across four queues.
 * Each step does a[0] = a[0] * 31 + i (mod 1000003): the result shows whether the order held.
 */
public class ThreadsEventChain {

    static final int STEPS = 1000;
    static final int THREADS = 4;

    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        cl_program program = c.build(""
            + "__kernel void chainstep(__global int* a, const int i) { a[0] = (int) (((long) a[0] * 31 + i) % 1000003); a[1] += 1; }\n");
        cl_mem buf = c.ints(1, 0);
        Object lock = new Object();
        cl_event[] chain = new cl_event[STEPS];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                try {
                    cl_command_queue q = c.newQueue(0);
                    cl_kernel k = clCreateKernel(program, "chainstep", null);
                    clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(buf));
                    for (int i = me; i < STEPS; i += THREADS) {
                        cl_event previous;
                        synchronized (lock) {
                            while (i > 0 && chain[i - 1] == null) {
                                lock.wait();
                            }
                            previous = i > 0 ? chain[i - 1] : null;
                        }
                        clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {i}));
                        cl_event e = new cl_event();
                        clEnqueueTask(q, k, previous == null ? 0 : 1, previous == null ? null : new cl_event[] {previous}, e);
                        clFlush(q);
                        synchronized (lock) {
                            chain[i] = e;
                            lock.notifyAll();
                        }
                    }
                    clFinish(q);
                    clReleaseKernel(k);
                    clReleaseCommandQueue(q);
                } catch (Throwable e) {
                    failure.set(e);
                    synchronized (lock) {
                        lock.notifyAll();
                    }
                }
            }, "chain-" + t);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        if (failure.get() != null) {
            fail("a thread failed: " + failure.get());
        }
        clWaitForEvents(1, new cl_event[] {chain[STEPS - 1]});
        int[] r = c.read(buf, 2);
        long expected = 1;
        for (int i = 0; i < STEPS; i++) {
            expected = (expected * 31 + i) % 1000003;
        }
        out("chain result: " + r[0] + ", steps run: " + r[1]);
        expect("chain result equals the in-order computation", (int) expected, r[0]);
        expect("steps", STEPS, r[1]);
        int complete = 0;
        for (cl_event e : chain) {
            complete += eventInt(e, CL_EVENT_COMMAND_EXECUTION_STATUS) == CL_COMPLETE ? 1 : 0;
            clReleaseEvent(e);
        }
        expect("events complete", STEPS, complete);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        c.close();
        finish("ThreadsEventChain");
    }
}

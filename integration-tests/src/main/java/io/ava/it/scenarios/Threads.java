package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * Several application threads using OpenCL at once: two threads with their own queues launching kernels
 * concurrently; a thread blocked in clFinish on a long kernel while another thread works; and a thread blocked
 * in clFinish on work gated by a user event that only the other thread sets (this deadlocks if the calls of
 * one thread can stall another thread's calls). Each thread records its results; they are printed after the
 * joins, in a fixed order.
 */
public class Threads {

    static final String SOURCE = ""
        + "__kernel void addv(__global int* a, const int v) { a[get_global_id(0)] += v; }\n"
        + "__kernel void spin(__global int* a, const int iters) {\n"
        + "    int i = get_global_id(0);\n"
        + "    uint x = (uint) i + 1u;\n"
        + "    for (int k = 0; k < iters; k++) x = x * 1664525u + 1013904223u;\n"
        + "    a[i] = (int) (x & 0x7fffffffu);\n"
        + "}\n";

    static cl_context ctx;
    static cl_device_id device;
    static cl_program program;

    /** Per-thread work: its own queue, kernel and buffer; returns a description of the results. */
    static String worker(int id, int launches, int n) {
        cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_kernel kernel = clCreateKernel(program, "addv", null);
        cl_mem buf = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_int * n, null, null);
        clEnqueueFillBuffer(queue, buf, Pointer.to(new int[] {id * 1000}), Sizeof.cl_int, 0, (long) Sizeof.cl_int * n, 0, null, null);
        clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(buf));
        long expected = id * 1000L;
        int checks = 0;
        int bad = 0;
        for (int i = 0; i < launches; i++) {
            int v = id * 3 + i;
            clSetKernelArg(kernel, 1, Sizeof.cl_int, Pointer.to(new int[] {v}));
            cl_event ev = new cl_event();
            clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {n}, null, 0, null, ev);
            expected += v;
            if (i % 10 == 9) {
                clWaitForEvents(1, new cl_event[] {ev});
                int[] probe = new int[n];
                clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, (long) Sizeof.cl_int * n, Pointer.to(probe), 0, null, null);
                checks++;
                for (int x : probe) {
                    if (x != expected) {
                        bad++;
                    }
                }
            }
            clReleaseEvent(ev);
        }
        clFinish(queue);
        int[] result = new int[n];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, (long) Sizeof.cl_int * n, Pointer.to(result), 0, null, null);
        for (int x : result) {
            if (x != expected) {
                bad++;
            }
        }
        clReleaseMemObject(buf);
        clReleaseKernel(kernel);
        clReleaseCommandQueue(queue);
        return "thread " + id + ": " + launches + " launches, " + checks + " intermediate checks, final value " + result[0]
            + ", expected " + expected + ", wrong elements " + bad;
    }

    static Thread start(String name, Runnable body, AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                error.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    static void join(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(30));
        if (t.isAlive()) {
            out("thread " + t.getName() + " did not finish within 30 s");
            System.exit(2);
        }
    }

    public static void main(String[] args) throws Exception {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        AtomicReference<Throwable> error = new AtomicReference<>();

        // 1. two threads, each with its own queue, launching concurrently
        String[] results = new String[2];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int id = 1; id <= 2; id++) {
            final int tid = id;
            threads.add(start("worker-" + id, () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                results[tid - 1] = worker(tid, 40, 4096);
            }, error));
        }
        go.countDown();
        for (Thread t : threads) {
            join(t);
        }
        for (String r : results) {
            out(r);
            check(r.substring(0, 8) + " correct", r != null && r.endsWith("wrong elements 0"));
        }

        // 2. thread A blocks in clFinish on a long kernel while thread B does its own work
        int spinItems = 2;
        int iters = 200_000_000;
        cl_command_queue queueA = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_kernel spin = clCreateKernel(program, "spin", null);
        cl_mem spinOut = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_int * spinItems, null, null);
        clSetKernelArg(spin, 0, Sizeof.cl_mem, Pointer.to(spinOut));
        clSetKernelArg(spin, 1, Sizeof.cl_int, Pointer.to(new int[] {iters}));
        CountDownLatch aEnqueued = new CountDownLatch(1);
        AtomicBoolean aFinished = new AtomicBoolean();
        long t0 = System.nanoTime();
        Thread a = start("A", () -> {
            clEnqueueNDRangeKernel(queueA, spin, 1, null, new long[] {spinItems}, new long[] {1}, 0, null, null);
            aEnqueued.countDown();
            clFinish(queueA);
            aFinished.set(true);
            // timings go to stderr, which the harness does not compare
            System.err.println("long kernel took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }, error);
        aEnqueued.await(30, TimeUnit.SECONDS);
        String bResult = worker(3, 30, 1024);
        join(a);
        out("while A waited on the long kernel, " + bResult);
        check("B's work correct", bResult.endsWith("wrong elements 0"));
        check("A's clFinish returned", aFinished.get());
        int[] spun = new int[spinItems];
        clEnqueueReadBuffer(queueA, spinOut, CL_TRUE, 0, (long) Sizeof.cl_int * spinItems, Pointer.to(spun), 0, null, null);
        int[] expectedSpin = new int[spinItems];
        for (int i = 0; i < spinItems; i++) {
            int x = i + 1;
            for (int k = 0; k < iters; k++) {
                x = x * 1664525 + 1013904223;
            }
            expectedSpin[i] = x & 0x7fffffff;
        }
        out("long kernel results: " + spun[0] + " " + spun[1]);
        check("long kernel results equal Java", spun[0] == expectedSpin[0] && spun[1] == expectedSpin[1]);

        // 3. thread A blocks in clFinish on work gated by a user event; only thread B can release it
        cl_event gate = clCreateUserEvent(ctx, null);
        cl_kernel addv = clCreateKernel(program, "addv", null);
        cl_mem gated = clCreateBuffer(ctx, CL_MEM_READ_WRITE, Sizeof.cl_int * 16L, null, null);
        clEnqueueFillBuffer(queueA, gated, Pointer.to(new int[] {5}), Sizeof.cl_int, 0, Sizeof.cl_int * 16L, 0, null, null);
        clFinish(queueA);
        clSetKernelArg(addv, 0, Sizeof.cl_mem, Pointer.to(gated));
        clSetKernelArg(addv, 1, Sizeof.cl_int, Pointer.to(new int[] {100}));
        AtomicBoolean bSetGate = new AtomicBoolean();
        AtomicBoolean aSawGateSet = new AtomicBoolean();
        CountDownLatch aReady = new CountDownLatch(1);
        Thread a2 = start("A2", () -> {
            clEnqueueNDRangeKernel(queueA, addv, 1, null, new long[] {16}, null, 1, new cl_event[] {gate}, null);
            aReady.countDown();
            clFinish(queueA);
            aSawGateSet.set(bSetGate.get());
        }, error);
        aReady.await(30, TimeUnit.SECONDS);
        Thread.sleep(100); // give A time to block in clFinish (only affects how much is tested, not the output)
        String b2 = worker(4, 20, 256);
        out("while A waited on the user event, " + b2);
        check("B's work while A was blocked correct", b2.endsWith("wrong elements 0"));
        bSetGate.set(true);
        clSetUserEventStatus(gate, CL_COMPLETE);
        join(a2);
        check("A's clFinish returned only after B set the user event", aSawGateSet.get());
        int[] gatedOut = new int[16];
        clEnqueueReadBuffer(queueA, gated, CL_TRUE, 0, Sizeof.cl_int * 16L, Pointer.to(gatedOut), 0, null, null);
        expect("gated kernel result", 105, gatedOut[15]);

        if (error.get() != null) {
            out("a thread failed: " + error.get());
            fail("thread failure");
        }
        clReleaseEvent(gate);
        clReleaseKernel(addv);
        clReleaseKernel(spin);
        clReleaseMemObject(gated);
        clReleaseMemObject(spinOut);
        clReleaseCommandQueue(queueA);
        clReleaseProgram(program);
        clReleaseContext(ctx);
        finish("Threads");
    }
}

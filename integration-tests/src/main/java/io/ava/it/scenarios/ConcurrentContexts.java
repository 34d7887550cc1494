package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.concurrent.atomic.AtomicInteger;

import org.jocl.CreateContextFunction;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;

/**
 * Several threads create contexts with an error-notify callback and release them, all at once. JOCL 2.0.5 keeps each
 * context's callback in one process-wide map without a lock, so natively this crashes the JVM within a second
 * (SIGSEGV in std::map, or a silent exit 139). Under ava the calls run in the server's JVM, one server thread per
 * client thread: the server must serialize them, or this scenario kills every session on it. Remote only.
 */
public class ConcurrentContexts {
    static final int THREADS = 4;
    static final int ROUNDS = 150;

    public static void main(String[] args) throws Exception {
        exceptions(true);
        var platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        AtomicInteger made = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < ROUNDS; i++) {
                        CreateContextFunction notify = (errinfo, privateInfo, cb, userData) -> out("context error: " + errinfo);
                        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, notify, null, null);
                        // a second reference, so one release leaves the context alive and the next one frees it
                        clRetainContext(ctx);
                        clReleaseContext(ctx);
                        clReleaseContext(ctx);
                        made.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    out("thread failed: " + firstLine(e.getMessage()));
                }
            }, "contexts-" + t);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        expect("contexts created and released on " + THREADS + " threads at once", THREADS * ROUNDS, made.get());
        expect("threads that failed", 0, failed.get());
        finish("ConcurrentContexts");
    }
}

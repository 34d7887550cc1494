package io.ava.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ava.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CL;
import org.jocl.CreateContextFunction;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.junit.jupiter.api.Test;

/**
 * Contexts with a notify callback, created and released through {@link NativeFunctions} on several threads at once,
 * as sessions do. JOCL's context-callback map has no lock of its own (see {@link JoclContextMap}); without the
 * server's lock this kills the JVM within a second on this 2-core machine (exit 134, or 139 with no hs_err), so it
 * runs in a JVM of its own and the test reads the exit code.
 */
class JoclContextMapTest {

    static final int THREADS = 4;
    static final int ROUNDS = 5000;

    @Test
    void contextsMadeAndReleasedOnManyThreadsAtOnceLeaveTheProcessStanding() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:ErrorFile=target/hs_err_hammer_%p.log", "-cp", System.getProperty("java.class.path"), Hammer.class.getName())
            .redirectErrorStream(true).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ended, () -> "the hammering JVM did not finish in 120 s:\n" + out);
        assertEquals(0, p.exitValue(), () -> "the hammering JVM died:\n" + out);
        assertTrue(out.contains("contexts made and released: " + THREADS * ROUNDS), out);
    }

    /** The child JVM: four threads, each making and releasing contexts through the server's native layer. */
    public static final class Hammer {
        public static void main(String[] args) throws Exception {
            Spec spec = Spec.bundled();
            NativeFunctions natives = new NativeFunctions(spec);
            int create = spec.forNative("clCreateContextNative").index();
            int retain = spec.forNative("clRetainContextNative").index();
            int release = spec.forNative("clReleaseContextNative").index();
            cl_platform_id[] platform = new cl_platform_id[1];
            CL.clGetPlatformIDs(1, platform, null);
            cl_device_id[] device = new cl_device_id[1];
            CL.clGetDeviceIDs(platform[0], CL.CL_DEVICE_TYPE_ALL, 1, device, null);
            AtomicInteger made = new AtomicInteger();
            Thread[] threads = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++) {
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        CreateContextFunction notify = (errinfo, privateInfo, cb, userData) -> { };
                        int[] err = new int[1];
                        cl_context ctx = (cl_context) natives.invoke(create, new Object[] {null, 1, device, notify, null, err});
                        if (ctx == null || err[0] != CL.CL_SUCCESS) {
                            System.out.println("clCreateContext failed: " + CL.stringFor_errorCode(err[0]));
                            return;
                        }
                        // two references: the first release leaves the context alive, the second frees it
                        natives.invoke(retain, new Object[] {ctx});
                        natives.invoke(release, new Object[] {ctx});
                        natives.invoke(release, new Object[] {ctx});
                        made.incrementAndGet();
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            System.out.println("contexts made and released: " + made.get());
        }
    }
}

package io.ava.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sixteen client JVMs run workloads against one server at once. Every result must equal its
 * native run, byte for byte; the server runs with a 256 MiB heap, so a heap that grew with the
 * load would fail the clients (OutOfMemoryError answers calls with an internal error) instead of
 * passing; and it must hold nothing afterwards. It prints the server's peak RSS.
 */
class LoadTest {
    static final int CLIENTS = 16;
    static final String[] WORKLOADS = {"kmeans", "srad", "pathfinder", "backprop"};

    @Test
    @Timeout(600)
    void sixteenClientsAtOnceAllCorrectWithABoundedServer() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String w : WORKLOADS) {
            ScenarioRunner.Result r = HostWorkload.runNative(w, "--size", "small");
            assertEquals(0, r.exitCode(), r::describe);
            expected.put(w, r.stdout());
        }
        try (ServerProcess server = ServerProcess.start("load", List.of("-Xmx256m"))) {
            ProcessHandle jvm = server.serverJvm();
            AtomicLong peakRssKb = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakRssKb.accumulateAndGet(statusKb(jvm.pid(), "VmRSS:"), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<ScenarioRunner.Result>> runs = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String w = WORKLOADS[i % WORKLOADS.length];
                runs.add(pool.submit(() -> HostWorkload.runUnderAgent(server.address(), Map.of(),
                        java.time.Duration.ofMinutes(4), w, "--size", "small")));
            }
            int correct = 0;
            for (int i = 0; i < CLIENTS; i++) {
                ScenarioRunner.Result r = runs.get(i).get(10, TimeUnit.MINUTES);
                String w = WORKLOADS[i % WORKLOADS.length];
                assertEquals(0, r.exitCode(), () -> r.describe() + "\n" + server.logTail(40));
                assertEquals(expected.get(w), r.stdout(), () -> "client " + w + " printed another result\n" + r.describe());
                correct++;
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - t0) / 1e9;
            sampler.interrupt();
            sampler.join(2000);
            long hwm = statusKb(jvm.pid(), "VmHWM:");
            assertTrue(server.isAlive(), "the server survived the load");
            ServerProcess.Status status = Awaiting.status(server, s -> s.sessions() == 0 && s.liveObjects() == 0,
                    java.time.Duration.ofSeconds(30));
            assertEquals(0, status.liveObjects(), status::raw);
            System.out.printf("load: %d clients (%s, small), %d/%d correct in %.1f s; server -Xmx256m, peak RSS %d MiB"
                    + " (VmHWM %d MiB)%n", CLIENTS, String.join(", ", WORKLOADS), correct, CLIENTS, seconds,
                    peakRssKb.get() / 1024, hwm / 1024);
            assertTrue(hwm > 0, "peak RSS read from /proc");
        }
    }

    /** A field of /proc/PID/status in KiB (0 when it cannot be read). */
    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}

package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hardening: per-session limits answered as a driver would, handles scoped to their session, one
 * session's hang, stop or death leaving the others alone, killed clients leaving nothing behind, and a
 * killed server making its clients fail clearly instead of hanging. Real servers, forked clients under
 * the real agent, real PoCL.
 */
class LimitsIsolationFaultsTest {

    private static ServerProcess.Status emptied(ServerProcess server, String what) throws Exception {
        ServerProcess.Status after = Awaiting.status(server,
            s -> s.liveObjects() == 0 && s.sessions() == 0 && s.deviceMemory() == 0, Duration.ofSeconds(20));
        assertEquals(0, after.sessions(), () -> what + ": a session is still open:\n" + after.raw() + "\n" + server.logTail(60));
        assertEquals(0, after.liveObjects(), () -> what + ": objects are still live:\n" + after.raw() + "\n" + server.logTail(60));
        assertEquals(0, after.deviceMemory(), () -> what + ": device memory is still held:\n" + after.raw() + "\n" + server.logTail(60));
        return after;
    }

    @Test
    @Timeout(90)
    void limitsAreAnsweredAsADriverWould() throws Exception {
        try (ServerProcess server = ServerProcess.start("limits", "--max-session-memory", "1m", "--max-session-objects", "12")) {
            ScenarioRunner.Result run = ScenarioRunner.runRemote("SessionLimits", server.port());
            assertEquals(0, run.exitCode(), run::describe);
            assertTrue(run.stdout().contains("SessionLimits: OK"), run::describe);
            assertTrue(run.stdout().contains("c 256 KiB past 1 MiB: CL_MEM_OBJECT_ALLOCATION_FAILURE"), run::describe);
            assertTrue(run.stdout().contains("one object too many: CL_OUT_OF_RESOURCES"), run::describe);
            emptied(server, "after SessionLimits");
            assertTrue(server.status().raw().contains("limits per session: memory 1 MiB, objects 12"),
                () -> "status should show the limits:\n" + server.logTail(5));
        }
    }

    @Test
    @Timeout(90)
    void anotherSessionsHandlesAndGuessedOnesAreInvalid() throws Exception {
        try (ServerProcess server = ServerProcess.start("isolation");
             ScenarioRunner.Running holder = ScenarioRunner.startRemote("LongRunning", server.port(), "60")) {
            holder.awaitLine("ready", Duration.ofSeconds(30));
            ServerProcess.Status during = server.status();
            assertTrue(during.liveObjects() >= 8, () -> "the first session should hold its objects:\n" + during.raw());
            ScenarioRunner.Result forger = ScenarioRunner.runRemote("ForgedHandles", server.port(), "1", "64");
            assertEquals(0, forger.exitCode(), forger::describe);
            assertTrue(forger.stdout().contains("ForgedHandles: OK"), forger::describe);
            assertTrue(holder.process.isAlive(), () -> "the first session died:\n" + holder.stderr());
            assertFalse(holder.stderr().contains("ava: lost"), holder::stderr);
        }
    }

    @Test
    @Timeout(120)
    void hungStoppedAndKilledClientsDoNotDisturbAnother() throws Exception {
        try (ServerProcess server = ServerProcess.start("hang-isolation", "--reconnect-grace", "2");
             ScenarioRunner.Running hung = ScenarioRunner.startRemote("HangOnUserEvent", server.port());
             ScenarioRunner.Running stopped = ScenarioRunner.startRemote("LongRunning", server.port(), "60");
             ScenarioRunner.Running killed = ScenarioRunner.startRemote("LongRunning", server.port(), "60")) {
            hung.awaitLine("hanging", Duration.ofSeconds(30));
            stopped.awaitLine("ready", Duration.ofSeconds(30));
            killed.awaitLine("ready", Duration.ofSeconds(30));
            signal("STOP", stopped.process.pid()); // stops reading its streams, holds its connection
            killed.process.destroyForcibly();
            assertTrue(killed.process.waitFor(10, TimeUnit.SECONDS));

            Comparison.remoteOutputMatchesNative("VectorPipeline", server);
            // the hung and the stopped sessions stay; the killed one and VectorPipeline's are gone
            ServerProcess.Status mid = Awaiting.status(server, s -> s.sessions() == 2, Duration.ofSeconds(10));
            assertEquals(2, mid.sessions(), mid::raw);

            // the hung session's thread is blocked in clWaitForEvents for good: killing its client must still free it
            hung.process.destroyForcibly();
            assertTrue(hung.process.waitFor(10, TimeUnit.SECONDS));
            signal("CONT", stopped.process.pid());
            stopped.process.destroyForcibly();
            assertTrue(stopped.process.waitFor(10, TimeUnit.SECONDS));
            emptied(server, "after the hung, stopped and killed clients went");
            assertTrue(server.isAlive(), () -> server.logTail(60));
        }
    }

    @Test
    @Timeout(150)
    void clientsKilledAtRandomMomentsLeaveNothing() throws Exception {
        long seed = Long.getLong("ava.it.seed", System.nanoTime());
        Random random = new Random(seed);
        try (ServerProcess server = ServerProcess.start("random-kills", "--reconnect-grace", "2")) {
            for (int round = 0; round < 3; round++) {
                long delay = 400 + random.nextInt(3000);
                try (ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", server.port(), "100000", "8", "1")) {
                    Thread.sleep(delay);
                    client.process.destroyForcibly();
                    assertTrue(client.process.waitFor(10, TimeUnit.SECONDS));
                }
                int r = round;
                emptied(server, "round " + r + " (seed " + seed + ", killed after " + delay + " ms)");
            }
            assertTrue(server.isAlive(), () -> server.logTail(60));
        }
    }

    @Test
    @Timeout(120)
    void aKilledAndRestartedServerMakesItsClientFailClearly() throws Exception {
        ServerProcess first = ServerProcess.start("restart-first");
        int port = first.port();
        try (ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", port, "100000", "1", "2")) {
            client.awaitLine("ready", Duration.ofSeconds(30));
            first.kill();
            first.close();
            try (ServerProcess second = ServerProcess.startOn("restart-second", port)) {
                boolean ended = client.process.waitFor(30, TimeUnit.SECONDS);
                assertTrue(ended, () -> "the client still runs 30 s after its server was killed:\n" + client.stderr());
                assertNotEquals(0, client.process.exitValue(), client::stdout);
                String err = client.stderr();
                assertTrue(err.lines().anyMatch(l -> l.startsWith("ava: lost the session") && l.contains("127.0.0.1:" + port)),
                    () -> "expected one 'ava: lost the session ...' line naming the server:\n" + err);
                assertEquals(1, err.lines().filter(l -> l.startsWith("ava: lost the session")).count(), err);
                assertTrue(err.contains("CLException") || err.contains("CL_DEVICE_NOT_AVAILABLE"), err);
                ServerProcess.Status st = second.status();
                assertEquals(0, st.sessions(), () -> "the client must not carry on silently on the new server:\n" + st.raw());
            }
        } finally {
            first.close();
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "kill -" + name + " " + pid);
    }
}

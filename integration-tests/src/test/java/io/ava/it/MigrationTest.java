package io.ava.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live migration driven by the operator (`ava-server migrate`): chains across three servers, and
 * every way it can fail before the peer has the session, in which case the program carries on
 * where it was and sees nothing but a delay.
 */
class MigrationTest {
    /** long enough to migrate a few times while it runs; its output does not depend on timing */
    private static final String[] STEADY = {"2500", "16", "3"};
    private static final Pattern MOVED = Pattern.compile("ava: session \\S+ moved from (\\S+) to (\\S+)");

    @Test
    @Timeout(300)
    void chainFromAToBToCAndBackToA() throws Exception {
        String expected = nativeOutput(STEADY);
        try (ServerPair ring = ServerPair.ring("chain", 3)) {
            try (ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", ring.get(0).port(), STEADY)) {
                client.awaitLine("ready", Duration.ofSeconds(30));
                for (int hop = 0; hop < 3; hop++) {
                    AdminCommand.Result r = AdminCommand.migrateAll(ring.get(hop), null);
                    int h = hop;
                    assertEquals(0, r.exitCode(), () -> "hop " + h + " failed:\n" + r.output() + ring.logs(40));
                    assertTrue(r.output().contains("-> " + ring.migrationAddress((hop + 1) % 3) + ": ok in "), r::output);
                }
                assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
                assertEquals(0, client.process.exitValue(), () -> client.stderr() + ring.logs(40));
                assertEquals(expected, Normalizer.normalize(client.stdout()), () -> client.stderr() + ring.logs(40));
                Matcher m = MOVED.matcher(client.stderr());
                StringBuilder path = new StringBuilder();
                while (m.find()) {
                    path.append(m.group(1)).append(" -> ").append(m.group(2)).append("; ");
                }
                String a = ring.get(0).address();
                String b = ring.get(1).address();
                String c = ring.get(2).address();
                assertEquals(a + " -> " + b + "; " + b + " -> " + c + "; " + c + " -> " + a + "; ", path.toString(), client::stderr);
            }
            AdminCommand.Result status = AdminCommand.run("status", "--server", ring.get(0).address());
            assertTrue(status.output().contains("recent migrations: 1") && status.output().contains(": ok in "), status::output);
            for (ServerProcess s : ring.servers) {
                Comparison.serverDroppedEverything("the chain", s);
            }
        }
    }

    @Test
    @Timeout(300)
    void unreachablePeerAbortsAndTheProgramCarriesOn() throws Exception {
        int nobody = ServerPair.freePort();
        failedMigrationLeavesTheProgramAlone(null, "127.0.0.1:" + nobody, "cannot reach the peer at 127.0.0.1:" + nobody);
    }

    @Test
    @Timeout(300)
    void refusingPeerAbortsAndTheProgramCarriesOn() throws Exception {
        int port = ServerPair.freePort();
        try (ServerProcess full = ServerProcess.start("refusing-peer", "--migrate-listen", String.valueOf(port),
                "--max-incoming-migrations", "0")) {
            failedMigrationLeavesTheProgramAlone(null, "127.0.0.1:" + port, "takes in at most 0 migrated sessions");
            Comparison.serverDroppedEverything("a refused migration", full);
        }
    }

    @Test
    @Timeout(300)
    void serverWithoutRecordLogRefusesToMigrate() throws Exception {
        int port = ServerPair.freePort();
        try (ServerProcess peer = ServerProcess.start("peer-of-no-record", "--migrate-listen", String.valueOf(port))) {
            failedMigrationLeavesTheProgramAlone(new String[]{"--no-record"}, "127.0.0.1:" + port, "--no-record");
        }
    }

    /** Starts a source, runs SteadyWork on it, migrates to {@code to}, expects the failure and an undisturbed program. */
    private void failedMigrationLeavesTheProgramAlone(String[] sourceArgs, String to, String reason) throws Exception {
        String expected = nativeOutput(STEADY);
        try (ServerProcess source = ServerProcess.start("source", sourceArgs == null ? new String[0] : sourceArgs);
             ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", source.port(), STEADY)) {
            client.awaitLine("ready", Duration.ofSeconds(30));
            AdminCommand.Result r = AdminCommand.migrateAll(source, to);
            assertEquals(1, r.exitCode(), r::output);
            String line = r.output().strip();
            assertTrue(line.lines().count() == 1 && line.contains(": failed: ") && line.contains(reason),
                    () -> "expected one line saying why (" + reason + "):\n" + r.output() + source.logTail(40));
            assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
            assertEquals(0, client.process.exitValue(), () -> client.stderr() + source.logTail(40));
            assertEquals(expected, Normalizer.normalize(client.stdout()), () -> client.stderr() + source.logTail(40));
            if (sourceArgs == null) { // a server without a record log refuses before it asks the client anything
                assertTrue(client.stderr().contains("ava: live migration did not happen"), client::stderr);
            }
            Comparison.serverDroppedEverything("SteadyWork", source);
        }
    }

    @Test
    @Timeout(300)
    void peerKilledMidTransferAbortsAndTheProgramCarriesOn() throws Exception {
        String[] big = {"1500", "512", "3"};
        String expected = nativeOutput(big);
        int port = ServerPair.freePort();
        // one process (no printf child), so killing it kills the server
        ServerProcess peer = ServerProcess.start("doomed-peer", "--migrate-listen", String.valueOf(port), "--no-printf-capture");
        try (ServerProcess source = ServerProcess.start("source-of-doomed");
             ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", source.port(), big)) {
            client.awaitLine("ready", Duration.ofSeconds(60));
            CompletableFuture<AdminCommand.Result> migrate = CompletableFuture.supplyAsync(() -> {
                try {
                    return AdminCommand.migrateAll(source, "127.0.0.1:" + port);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitLog(peer, "event=migration-receiving", Duration.ofSeconds(30));
            peer.kill();
            AdminCommand.Result r = migrate.get(120, TimeUnit.SECONDS);
            assertEquals(1, r.exitCode(), () -> r.output() + source.logTail(40));
            assertTrue(r.output().contains(": failed: "), r::output);
            assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
            assertEquals(0, client.process.exitValue(), () -> client.stderr() + source.logTail(40));
            assertEquals(expected, Normalizer.normalize(client.stdout()), () -> client.stderr() + source.logTail(40));
            Comparison.serverDroppedEverything("SteadyWork", source);
        } finally {
            peer.close();
        }
    }

    @Test
    @Timeout(300)
    void clientKilledMidMigrationLeavesNothingOnEitherServer() throws Exception {
        String[] big = {"100000", "512", "3"};
        try (ServerPair pair = ServerPair.ring("orphaned", 2, "--reconnect-grace", "2");
             ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", pair.get(0).port(), big)) {
            client.awaitLine("ready", Duration.ofSeconds(60));
            CompletableFuture<AdminCommand.Result> migrate = CompletableFuture.supplyAsync(() -> {
                try {
                    return AdminCommand.migrateAll(pair.get(0), null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitLog(pair.get(1), "event=migration-receiving", Duration.ofSeconds(30));
            client.process.destroyForcibly();
            assertTrue(client.process.waitFor(10, TimeUnit.SECONDS), "the client JVM did not die");
            AdminCommand.Result r = migrate.get(120, TimeUnit.SECONDS);
            assertTrue(r.output().contains("session "), r::output); // ok or failed: either way nothing may stay
            for (ServerProcess s : pair.servers) {
                ServerProcess.Status st = Awaiting.status(s, x -> x.liveObjects() == 0 && x.sessions() == 0, Duration.ofSeconds(30));
                assertEquals(0, st.liveObjects(), () -> st.raw() + "\nmigrate said: " + r.output() + pair.logs(60));
                assertEquals(0, st.sessions(), () -> st.raw() + "\nmigrate said: " + r.output() + pair.logs(60));
            }
        }
    }

    /** The same programs print the same with the record log off (--no-record) and on. */
    @Test
    @Timeout(300)
    void recordingOnAndOffGiveTheSameResults() throws Exception {
        int port = ServerPair.freePort();
        try (ServerProcess on = ServerProcess.start("record-on", "--migrate-listen", String.valueOf(port));
             ServerProcess off = ServerProcess.start("record-off", "--no-record", "--migrate-to", "127.0.0.1:" + port)) {
            for (String scenario : new String[]{"VectorPipeline", "Kernels", "ReleasedHandles", "CompileAndLink"}) {
                ScenarioRunner.Result a = ScenarioRunner.runRemote(scenario, on.port());
                ScenarioRunner.Result b = ScenarioRunner.runRemote(scenario, off.port());
                assertEquals(0, a.exitCode(), a::describe);
                assertEquals(0, b.exitCode(), b::describe);
                assertEquals(Normalizer.normalize(a.stdout()), Normalizer.normalize(b.stdout()), () -> a.describe() + b.describe());
            }
            // a program that asks to move from a server without a record log is told why, and carries on
            ScenarioRunner.Result asked = ScenarioRunner.runRemote("VectorPipeline", off.port(), java.util.Map.of("AVA_MIGRATION_CALL_ID", "20"));
            ScenarioRunner.Result plain = ScenarioRunner.runNative("VectorPipeline");
            assertEquals(0, asked.exitCode(), asked::describe);
            assertEquals(Normalizer.normalize(plain.stdout()), Normalizer.normalize(asked.stdout()), asked::describe);
            assertTrue(asked.stderr().contains("ava: live migration did not happen (the server runs with --no-record"), asked::describe);
        }
    }

    private static String nativeOutput(String... args) throws Exception {
        ScenarioRunner.Result r = ScenarioRunner.runNative("SteadyWork", args);
        assertEquals(0, r.exitCode(), r::describe);
        return Normalizer.normalize(r.stdout());
    }

    private static void awaitLog(ServerProcess server, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(server.log(), StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("'" + text + "' did not appear in the server log within " + timeout + "\n" + server.logTail(40));
    }
}

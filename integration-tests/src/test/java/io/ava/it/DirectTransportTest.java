package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The direct transport ({@code ava-server --direct-port}, agent {@code server=direct://HOST:PORT}): the same sessions
 * as on the gRPC port, without gRPC in the client. Real server, real agent jar, real PoCL.
 */
class DirectTransportTest {

    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start("direct", "--direct-port", "0");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Native and direct give the same output, callbacks, non-blocking reads and bulk data included. */
    @Test
    void scenariosGiveTheNativeOutputOverTheDirectPort() throws Exception {
        // Threads and the user-event scenarios: a wait that only a later call ends must not run on the
        // connection's reader (the server runs other batches there)
        for (String scenario : List.of("VectorPipeline", "Buffers", "EventCallbacks", "NonBlockingRead", "Printf", "Threads",
                "UserEvents", "NonBlockingReadGatedByUserEvent", "MarkersBarriersCrossQueue")) {
            ScenarioRunner.Result nativeRun = ScenarioRunner.runNative(scenario);
            assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
            ScenarioRunner.Result direct = ScenarioRunner.runRemoteAt(scenario, server.directAddress(), List.of(), "");
            assertEquals(nativeRun.exitCode(), direct.exitCode(), direct::describe);
            assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(direct.stdout()), direct::describe);
        }
        assertTrue(server.isAlive(), () -> server.logTail(40));
    }

    /** The point of the transport: the client never loads gRPC's Netty stack. */
    @Test
    void theClientLoadsNoNettyOverTheDirectPort() throws Exception {
        Path classes = Files.createTempFile("ava-direct-classes", ".txt");
        try {
            ScenarioRunner.Result direct = ScenarioRunner.runRemoteAt("VectorPipeline", server.directAddress(),
                List.of("-Xlog:class+load:file=" + classes), "");
            assertEquals(0, direct.exitCode(), direct::describe);
            String loaded = Files.readString(classes, StandardCharsets.UTF_8);
            assertTrue(loaded.contains("io.ava.proto.DirectFrame"), "the class log is not the client's");
            assertFalse(loaded.contains("netty"), "the client loaded Netty classes over the direct port");

            ScenarioRunner.Result grpc = ScenarioRunner.runRemoteAt("VectorPipeline", server.address(),
                List.of("-Xlog:class+load:file=" + classes), "");
            assertEquals(0, grpc.exitCode(), grpc::describe);
            assertTrue(Files.readString(classes, StandardCharsets.UTF_8).contains("netty"), "over gRPC the client uses Netty");
        } finally {
            Files.deleteIfExists(classes);
        }
    }

    /** Bytes that are no session stream cost that connection only; the server goes on serving. */
    @Test
    void garbageOnTheDirectPortCostsOnlyThatConnection() throws Exception {
        byte[][] garbage = {
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01},
            {0x05, 0x0a, 0x03, 0x41},  // a length with too few bytes after it, then the end
            {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x0f}, // a frame of 4 GiB announced
        };
        for (byte[] g : garbage) {
            try (Socket s = new Socket("127.0.0.1", server.directPort())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(g);
                out.flush();
                s.shutdownOutput();
                // the server answers with at most an end frame, then closes: never a hang
                byte[] answer = s.getInputStream().readNBytes(4096);
                assertTrue(answer.length < 4096, "the server kept writing to a garbage connection");
            }
        }
        // an announced frame over the 8 MiB limit is refused before it is read, with the reason
        try (Socket s = new Socket("127.0.0.1", server.directPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}); // 16 MiB
            s.getOutputStream().flush();
            io.ava.proto.DirectFrame end = io.ava.proto.DirectFrame.parseDelimitedFrom(s.getInputStream());
            assertEquals("RESOURCE_EXHAUSTED", end.getEnd().getCode(), end::toString);
            assertTrue(end.getEnd().getDescription().contains("over the direct port's limit"), end::toString);
        }
        // a connection that never says anything is closed after 10 s (it holds a server thread)
        try (Socket s = new Socket("127.0.0.1", server.directPort())) {
            s.setSoTimeout(30_000);
            long start = System.nanoTime();
            s.getInputStream().readAllBytes(); // returns when the server closes it
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 9_000 && waited < 25_000, "an idle connection was closed after " + waited + " ms");
        }
        ScenarioRunner.Result after = ScenarioRunner.runRemoteAt("VectorPipeline", server.directAddress(), List.of(), "");
        assertEquals(0, after.exitCode(), after::describe);
        assertTrue(server.isAlive(), () -> server.logTail(40));
    }

    /** With a token, the direct port asks for it in the Hello: a wrong one is refused in one line. */
    @Test
    void aWrongTokenIsRefusedOnTheDirectPort() throws Exception {
        Path tokenFile = Files.createTempFile("ava-token", ".txt");
        Files.writeString(tokenFile, "s3cret-direct\n");
        try (ServerProcess guarded = ServerProcess.start("direct-token", "--direct-port", "0", "--token-file", tokenFile.toString())) {
            ScenarioRunner.Result wrong = ScenarioRunner.runRemoteAt("FirstCall", guarded.directAddress(), List.of(), ",token=nope");
            assertEquals(3, wrong.exitCode(), wrong::describe);
            assertTrue(wrong.stderr().contains("ava: server " + guarded.directAddress() + " refused the session: wrong token"),
                wrong::describe);
            ScenarioRunner.Result none = ScenarioRunner.runRemoteAt("FirstCall", guarded.directAddress(), List.of(), "");
            assertEquals(3, none.exitCode(), none::describe);
            assertTrue(none.stderr().contains("refused the session: missing token"), none::describe);
            ScenarioRunner.Result right = ScenarioRunner.runRemoteAt("FirstCall", guarded.directAddress(), List.of(), ",token=s3cret-direct");
            assertEquals(0, right.exitCode(), right::describe);
            assertTrue(guarded.logTail(40).contains("on the direct port: wrong token"), () -> guarded.logTail(40));
        } finally {
            Files.deleteIfExists(tokenFile);
        }
    }

    /** A session on a direct port migrates: the program carries on at the peer (over its gRPC port) with native output. */
    @Test
    void aDirectSessionMigratesAndCarriesOn() throws Exception {
        String[] steady = {"2500", "16", "3"};
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative("SteadyWork", steady);
        assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
        // every port picked by its own server (none chosen ahead by the test, which another process could take meanwhile)
        try (ServerProcess target = ServerProcess.start("direct-mig-b", "--migrate-listen", "0");
             ServerProcess source = ServerProcess.start("direct-mig-a", "--direct-port", "0")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("migrations on (127\\.0\\.0\\.1:\\d+)")
                .matcher(target.logTail(20));
            assertTrue(m.find(), () -> target.logTail(20));
            String targetMigrations = m.group(1);
            try (ScenarioRunner.Running client = ScenarioRunner.startRemoteAt("SteadyWork", source.directAddress(), "",
                    java.util.Map.of(), steady)) {
                client.awaitLine("ready", java.time.Duration.ofSeconds(60));
                AdminCommand.Result r = AdminCommand.migrateAll(source, targetMigrations);
                assertEquals(0, r.exitCode(), () -> r.output() + source.logTail(40) + target.logTail(40));
                assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
                assertEquals(0, client.process.exitValue(), () -> client.stderr() + source.logTail(40) + target.logTail(40));
                assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(client.stdout()), client::stderr);
                assertTrue(client.stderr().contains("moved from " + source.directAddress() + " to " + target.address()),
                    client::stderr);
            }
        }
    }
}

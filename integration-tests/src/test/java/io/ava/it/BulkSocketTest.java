package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bulk side channel on the server's Unix domain socket: a client on the server's host moves its
 * large buffers there instead of on the TCP bulk port; without the socket (--no-bulk-socket, or a
 * client that cannot see its path, as on another host) the TCP port carries them, with the same
 * results. On the Unix socket, payloads of 256 KiB or more go through shared-memory rings the client offers
 * (SharedRing). Real server, real agent jar, real PoCL.
 */
class BulkSocketTest {
    private static final Pattern SOCKET = Pattern.compile("; bulk socket (\\S+?)(;|$)", Pattern.MULTILINE);
    private static final String[] LOOP = {"6", "0"}; // 6 iterations of 1 MiB bulk in and out, no pause

    @Test
    @Timeout(180)
    void aClientOnTheServersHostUsesTheUnixSocketOnBothTransports() throws Exception {
        ScenarioRunner.Result expected = ScenarioRunner.runNative("TransferLoop", LOOP);
        assertEquals(0, expected.exitCode(), expected::describe);
        Path socket;
        try (ServerProcess server = ServerProcess.start("bulk-socket", "--direct-port", "0")) {
            socket = socketOf(server);
            assertTrue(Files.exists(socket), () -> "the listening line names " + socket + ", which does not exist");
            for (String address : List.of(server.address(), server.directAddress())) {
                ScenarioRunner.Result remote = ScenarioRunner.runRemoteAt("TransferLoop", address, List.of(), "", LOOP);
                assertEquals(0, remote.exitCode(), remote::describe);
                assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(remote.stdout()), remote::describe);
            }
            Awaiting.until(Duration.ofSeconds(10), () -> channels(server, "unix") == 2, () -> server.logTail(40));
            assertEquals(0, channels(server, "tcp"), () -> server.logTail(40));
            // both sessions moved their 1 MiB payloads through shared-memory rings (SharedRing)
            assertEquals(2, rings(server, "true"), () -> server.logTail(40));
            // a client that cannot make rings (no such directory) keeps its payloads on the socket, same bytes
            ScenarioRunner.Result noRings = ScenarioRunner.runRemoteAt("TransferLoop", server.directAddress(),
                List.of("-Dava.ring.dir=/nonexistent-ava-ring-dir"), "", LOOP);
            assertEquals(0, noRings.exitCode(), noRings::describe);
            assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(noRings.stdout()), noRings::describe);
            Awaiting.until(Duration.ofSeconds(10), () -> channels(server, "unix") == 3, () -> server.logTail(40));
            assertEquals(2, rings(server, "true"), () -> server.logTail(40));
            assertEquals(0, rings(server, "false"), () -> server.logTail(40));
            // the ring files are removed once both sides have them mapped
            Path ringDir = Files.createTempDirectory("ava-rings-");
            ScenarioRunner.Result ownDir = ScenarioRunner.runRemoteAt("TransferLoop", server.directAddress(),
                List.of("-Dava.ring.dir=" + ringDir), "", LOOP);
            assertEquals(0, ownDir.exitCode(), ownDir::describe);
            assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(ownDir.stdout()), ownDir::describe);
            Awaiting.until(Duration.ofSeconds(10), () -> rings(server, "true") == 3, () -> server.logTail(40));
            try (var files = Files.list(ringDir)) {
                assertEquals(List.of(), files.toList(), "ring files left behind");
            }
            Files.delete(ringDir);
        }
        Awaiting.until(Duration.ofSeconds(10), () -> !Files.exists(socket), () -> socket + " is left after the server stopped");
    }

    @Test
    @Timeout(180)
    void withoutTheSocketTheTcpPortCarriesTheSameBytes() throws Exception {
        ScenarioRunner.Result expected = ScenarioRunner.runNative("TransferLoop", LOOP);
        assertEquals(0, expected.exitCode(), expected::describe);
        try (ServerProcess server = ServerProcess.start("bulk-socket-off", "--direct-port", "0", "--no-bulk-socket")) {
            assertFalse(SOCKET.matcher(ServerProcess.tail(server.log(), 50)).find(), () -> server.logTail(20));
            ScenarioRunner.Result remote = ScenarioRunner.runRemoteAt("TransferLoop", server.directAddress(), List.of(), "", LOOP);
            assertEquals(0, remote.exitCode(), remote::describe);
            assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(remote.stdout()), remote::describe);
            Awaiting.until(Duration.ofSeconds(10), () -> channels(server, "tcp") == 1, () -> server.logTail(40));
        }
        // a client that cannot see the path (another host, another container) falls back to the TCP port
        try (ServerProcess server = ServerProcess.start("bulk-socket-gone", "--direct-port", "0")) {
            Files.delete(socketOf(server));
            ScenarioRunner.Result remote = ScenarioRunner.runRemoteAt("TransferLoop", server.directAddress(), List.of(), "", LOOP);
            assertEquals(0, remote.exitCode(), remote::describe);
            assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(remote.stdout()), remote::describe);
            Awaiting.until(Duration.ofSeconds(10), () -> channels(server, "tcp") == 1, () -> server.logTail(40));
            assertEquals(0, channels(server, "unix"), () -> server.logTail(40));
        }
    }

    private static Path socketOf(ServerProcess server) {
        Matcher m = SOCKET.matcher(ServerProcess.tail(server.log(), 50));
        assertTrue(m.find(), () -> "no bulk socket in the server's listening line\n" + server.logTail(20));
        return Path.of(m.group(1));
    }

    private static long rings(ServerProcess server, String accepted) {
        return ServerProcess.tail(server.log(), 10_000).lines()
                .filter(l -> l.contains("event=bulk-rings") && l.contains("accepted=" + accepted)).count();
    }

    private static long channels(ServerProcess server, String via) {
        return ServerProcess.tail(server.log(), 10_000).lines()
                .filter(l -> l.contains("event=bulk-channel-open") && l.contains("via=" + via)).count();
    }
}

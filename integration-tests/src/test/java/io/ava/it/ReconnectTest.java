package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection between a client and its server drops (a proxy the test controls resets every
 * connection, the gRPC one and the bulk side channel, and refuses new ones for a while): the agent
 * reconnects and the server re-attaches the session, with no call lost and none run twice. A drop
 * longer than the server's --reconnect-grace ends the session cleanly instead.
 *
 * The client reaches the server through 127.0.0.2: one proxy for the client port, and one on the
 * same port number as the server's bulk port (which the server advertises as a bare port, the host
 * being the one the client dialled), so the side channel goes through the proxy too.
 */
class ReconnectTest {
    static final Pattern BULK_PORT = Pattern.compile("; bulk port (\\d+)");
    static final Pattern RELEASED = Pattern.compile("event=released session=(\\S+) objects=\\d+ calls=(\\d+)");

    static int bulkPort(ServerProcess server) {
        Matcher m = BULK_PORT.matcher(ServerProcess.tail(server.log(), 50));
        assertTrue(m.find(), () -> "no bulk port in the server's listening line\n" + server.logTail(20));
        return Integer.parseInt(m.group(1));
    }

    static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    /** On the gRPC port, and on the direct port (the same session protocol over plain TCP). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"grpc", "direct"})
    @Timeout(150)
    void droppedConnectionsAreResumedWithNoCallLostOrRepeated(String transport) throws Exception {
        String[] args = {"400", "25"};
        ScenarioRunner.Result expected = ScenarioRunner.runNative("TransferLoop", args);
        assertEquals(0, expected.exitCode(), expected::describe);
        boolean direct = transport.equals("direct");
        try (ServerProcess server = direct ? ServerProcess.start("reconnect-direct", "--direct-port", "0", "--no-bulk-socket")
                 : ServerProcess.start("reconnect", "--no-bulk-socket");
             DroppingProxy grpc = new DroppingProxy("127.0.0.2", 0,
                 new InetSocketAddress("127.0.0.1", direct ? server.directPort() : server.port()));
             DroppingProxy bulk = new DroppingProxy("127.0.0.2", bulkPort(server), new InetSocketAddress("127.0.0.1", bulkPort(server)));
             ScenarioRunner.Running client = ScenarioRunner.startRemoteAt("TransferLoop",
                 (direct ? "direct://" : "") + "127.0.0.2:" + grpc.port(), "", Map.of("AVA_MIGRATION_CALL_ID", "none"), args)) {
            String agentSees = (direct ? "direct://" : "") + "127.0.0.2:" + grpc.port();
            client.awaitLine("ready", Duration.ofSeconds(60));
            Thread.sleep(800);
            grpc.drop(3000); // both connections down, new ones refused for 3 s
            bulk.drop(3000);
            Thread.sleep(4500);
            grpc.drop(0); // and again, reconnecting at once
            bulk.drop(0);
            Thread.sleep(1500);
            grpc.drop(1000);
            bulk.drop(1000);
            for (int i = 0; i < 6; i++) { // then in quick succession, at odd moments (mid-transfer, mid-resend)
                Thread.sleep(1300 + 97 * i);
                grpc.drop(i % 2 == 0 ? 400 : 0);
                bulk.drop(i % 2 == 0 ? 400 : 0);
            }
            assertTrue(client.process.waitFor(90, TimeUnit.SECONDS), "the program did not finish\n" + client.stderr());
            String err = client.stderr();
            String out = client.stdout();
            assertEquals(0, client.process.exitValue(), () -> err + "\n" + server.logTail(60));
            assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(out), () -> err + "\n" + server.logTail(60));
            long lost = count(err, "ava: lost the connection to " + agentSees);
            long back = count(err, "ava: reconnected to " + agentSees);
            assertTrue(lost >= 2, () -> "expected the agent to report at least two drops:\n" + err);
            assertEquals(lost, back, () -> "every drop must end in a reconnect:\n" + err);
            assertEquals(0, count(err, "lost the session"), err);
            assertTrue(grpc.accepted.get() >= 3, "the client never came back through the proxy");

            ServerProcess.Status after = Awaiting.status(server, s -> s.liveObjects() == 0 && s.sessions() == 0, Duration.ofSeconds(10));
            assertEquals(0, after.liveObjects(), () -> after.raw() + server.logTail(60));
            assertEquals(0, after.sessions(), () -> after.raw() + server.logTail(60));
            String log = ServerProcess.tail(server.log(), 100_000);
            assertEquals(1, count(log, "event=open"), () -> "one session, re-attached, not new ones\n" + log);
            assertTrue(count(log, "event=reattached") >= 2, () -> log);
            long calls = CallCount.sentToServers(err);
            assertTrue(calls > 0, err);
            Matcher released = RELEASED.matcher(log);
            assertTrue(released.find(), log);
            assertEquals(calls, Long.parseLong(released.group(2)),
                () -> "the server ran a different number of calls than the client made\n" + err + "\n" + log);
            System.out.println("ReconnectTest (" + transport + "): " + lost + " drops, " + calls + " calls, resumed: "
                + err.lines().filter(l -> l.startsWith("ava: reconnected")).toList());
        }
    }

    @Test
    @Timeout(120)
    void aDropLongerThanTheGraceEndsTheSessionClearly() throws Exception {
        try (ServerProcess server = ServerProcess.start("reconnect-expired", "--reconnect-grace", "2");
             DroppingProxy grpc = new DroppingProxy("127.0.0.2", 0, new InetSocketAddress("127.0.0.1", server.port()));
             DroppingProxy bulk = new DroppingProxy("127.0.0.2", bulkPort(server), new InetSocketAddress("127.0.0.1", bulkPort(server)));
             ScenarioRunner.Running client = ScenarioRunner.startRemoteAt("TransferLoop", "127.0.0.2:" + grpc.port(), "",
                 Map.of(), "400", "25")) {
            client.awaitLine("ready", Duration.ofSeconds(60));
            Thread.sleep(500);
            long dropped = System.nanoTime();
            grpc.drop(5000);
            bulk.drop(5000);
            assertTrue(client.process.waitFor(40, TimeUnit.SECONDS), "the program hung after its session expired\n" + client.stderr());
            long tookMs = (System.nanoTime() - dropped) / 1_000_000;
            String err = client.stderr();
            assertTrue(count(err, "ava: lost the connection to 127.0.0.2:" + grpc.port()) == 1, err);
            assertEquals(0, count(err, "ava: reconnected"), err);
            long gone = err.lines().filter(l -> l.startsWith("ava: lost the session with ava-server at 127.0.0.2:" + grpc.port())
                && l.contains("no longer holds this session") && l.contains("CL_DEVICE_NOT_AVAILABLE")).count();
            assertEquals(1, gone, () -> "expected one clear line saying the session is gone\n" + err);
            System.out.println("ReconnectTest: the expired session's program ended " + tookMs + " ms after the drop, exit "
                + client.process.exitValue());

            ServerProcess.Status after = Awaiting.status(server, s -> s.liveObjects() == 0 && s.sessions() == 0, Duration.ofSeconds(10));
            assertEquals(0, after.liveObjects(), () -> after.raw() + server.logTail(60));
            assertEquals(0, after.sessions(), () -> after.raw() + server.logTail(60));
            String log = ServerProcess.tail(server.log(), 100_000);
            assertEquals(1, count(log, "event=reconnect-expired"), log);
            assertTrue(count(log, "event=reconnect-refused") >= 1, log);
        }
    }
}

package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client JVM killed in the middle of its work (no orderly shutdown, no releases): the server must notice and
 * free everything that client owned (once its reconnect grace has run out).
 */
class KilledClientTest {

    @Test
    @Timeout(120)
    void serverFreesTheObjectsOfAKilledClient() throws Exception {
        // a killed client looks to the server like a dropped connection: it keeps the session for the
        // reconnect grace (here 2 s), then releases everything
        try (ServerProcess server = ServerProcess.start("killed-client", "--reconnect-grace", "2")) {
            ServerProcess.Status before = server.status();
            assertEquals(0, before.liveObjects(), () -> "a fresh server has no objects:\n" + before.raw());

            try (ScenarioRunner.Running client = ScenarioRunner.startRemote("LongRunning", server.port(), "60")) {
                client.awaitLine("ready", Duration.ofSeconds(30));
                ServerProcess.Status during = server.status();
                assertTrue(during.liveObjects() > 0, () -> "the running client's objects should be live:\n" + during.raw()
                    + "\n" + server.logTail(40));
                assertTrue(during.sessions() >= 1, () -> "the running client should have a session:\n" + during.raw());
                assertTrue(client.process.isAlive(), "the client should still be running");

                client.process.destroyForcibly();
                assertTrue(client.process.waitFor(10, TimeUnit.SECONDS), "the client JVM did not die");
            }

            ServerProcess.Status after = Awaiting.status(server, s -> s.liveObjects() == 0, Duration.ofSeconds(10));
            assertEquals(0, after.liveObjects(), () -> "the killed client's objects are still live 10 s later:\n" + after.raw()
                + "\n" + server.logTail(80));
            assertEquals(0, after.sessions(), () -> "the killed client's session is still open:\n" + after.raw());
            assertTrue(server.isAlive(), () -> "the server died with its client\n" + server.logTail(80));
        }
    }
}

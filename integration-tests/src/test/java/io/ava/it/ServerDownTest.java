package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent pointed at a port where nothing listens: the program must end quickly, its first OpenCL call must
 * throw a CLException, and the agent must say clearly (a line starting with "ava:") which server it could not reach.
 */
class ServerDownTest {

    @Test
    @Timeout(90)
    void firstCallFailsClearlyAndQuickly() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        // nothing listens on the port any more
        ScenarioRunner.Result run = ScenarioRunner.runRemote("FirstCall", port);

        assertTrue(run.duration().compareTo(Duration.ofSeconds(15)) < 0,
            () -> "the client took " + run.duration().toMillis() + " ms to give up (limit 15 s)\n" + run.describe());
        assertEquals(3, run.exitCode(), () -> "FirstCall exits 3 when clGetPlatformIDs throws a CLException\n" + run.describe());
        assertTrue(run.stdout().contains("first call threw CLException"), run::describe);
        String address = "127.0.0.1:" + port;
        boolean clearLine = (run.stdout() + "\n" + run.stderr()).lines()
            .anyMatch(line -> line.startsWith("ava:") && line.contains(address));
        assertTrue(clearLine, () -> "expected a line starting with 'ava:' that names " + address + "\n" + run.describe());
    }
}

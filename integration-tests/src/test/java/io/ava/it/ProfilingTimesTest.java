package io.ava.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * clGetEventProfilingInfo after clWaitForEvents is answered by the agent from the times the wait's reply brought
 * (no round trip), with the answers the driver gives natively; the server ran exactly the other calls.
 */
class ProfilingTimesTest {
    static final Pattern RELEASED = Pattern.compile("event=released session=(\\S+) objects=\\d+ calls=(\\d+)");

    @Test
    void profilingAfterAWaitIsAnsweredByTheAgentAsTheDriverWould() throws Exception {
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative("EventProfiling");
        assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
        try (ServerProcess server = ServerProcess.start("profiling-times")) {
            ScenarioRunner.Result remote = ScenarioRunner.runRemote("EventProfiling", server.port(),
                Map.of("AVA_MIGRATION_CALL_ID", "none"));
            assertEquals(0, remote.exitCode(), remote::describe);
            assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(remote.stdout()),
                () -> "stdout differs from the native run\n" + remote.describe());

            Matcher count = CallCount.LINE.matcher(remote.stderr());
            assertTrue(count.find(), remote::describe);
            assertNotNull(count.group(2), () -> "no call answered by the agent\n" + remote.describe());
            // all(...) asks 4 times, then END again, the size, and END into a direct buffer: 7 answers without the server
            assertTrue(Long.parseLong(count.group(2)) >= 7, remote::describe);

            Awaiting.status(server, s -> s.sessions() == 0, Duration.ofSeconds(10));
            String log = ServerProcess.tail(server.log(), 100_000);
            Matcher released = RELEASED.matcher(log);
            assertTrue(released.find(), log);
            assertEquals(CallCount.sentToServers(remote.stderr()), Long.parseLong(released.group(2)),
                () -> "the server ran other calls than those the agent sent\n" + remote.describe());
        }
    }
}

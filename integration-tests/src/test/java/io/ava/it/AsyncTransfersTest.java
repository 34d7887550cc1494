package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking reads cost no round trip: the agent sends them without waiting (it checked the
 * arguments the driver would refuse), their bytes follow with the server's word that the driver
 * finished, and JOCL's keep-alive thread (one {@code clWaitForEvents} per transfer, on a thread
 * of its own) makes no remote call. Checked on the agent's call trace ({@code AVA_TRACE=1}) of
 * the NonBlockingRead scenario, whose output must still equal the native run's.
 */
class AsyncTransfersTest {

    private static final Pattern TRACE = Pattern.compile("ava-trace call=\\d+ t=\\S+ thread=(\\S+) (async|sync) (\\w+)\\((.*)\\)");

    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start("async-transfers", "--direct-port", "0");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nonBlockingReadsAreSentWithoutWaitingAndJoclsKeepAliveThreadCallsNothing() throws Exception {
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative("NonBlockingRead");
        assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
        for (String address : List.of(server.directAddress(), server.address())) {
            ScenarioRunner.Result remote = ScenarioRunner.runRemoteAt("NonBlockingRead", address, List.of(), "", Map.of("AVA_TRACE", "1"));
            assertEquals(0, remote.exitCode(), remote::describe);
            assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(remote.stdout()), remote::describe);

            int asyncReads = 0;
            int traced = 0;
            for (String line : remote.stderr().split("\n")) {
                Matcher m = TRACE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                traced++;
                // the scenario makes every call on its main thread; JOCL's executor would add others
                assertEquals("main", m.group(1), () -> "a call from another thread than the program's: " + line);
                if (m.group(3).equals("clEnqueueReadBuffer") && m.group(4).split(", ")[2].equals("false")) {
                    if (m.group(4).contains("HeapIntBuffer") || m.group(4).contains("[I@")) {
                        continue; // into an int[]: JOCL refuses it before any call
                    }
                    assertEquals("async", m.group(2), () -> "a non-blocking read waited for its reply: " + line);
                    asyncReads++;
                }
            }
            assertTrue(traced > 20, () -> "no call trace in the client's output:\n" + remote.describe());
            // the scenario's non-blocking reads into direct buffers: sections 1-4 one each, 5 four, 6 one
            assertEquals(9, asyncReads, remote::describe);
        }
        assertTrue(server.isAlive(), () -> server.logTail(40));
    }

    /**
     * A small blocking write needs no round trip either: it only promises that the host memory may
     * be reused on return, and its bytes travel inside the call. One with a wait list still waits
     * (it must report a failed event of the list), and the program sees native results throughout.
     */
    @Test
    void smallBlockingWritesAreSentWithoutWaitingUnlessTheyHaveAWaitList() throws Exception {
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative("BlockingWriteReuse");
        assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
        ScenarioRunner.Result remote = ScenarioRunner.runRemoteAt("BlockingWriteReuse", server.directAddress(), List.of(), "",
            Map.of("AVA_TRACE", "1"));
        assertEquals(0, remote.exitCode(), remote::describe);
        assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(remote.stdout()), remote::describe);
        int async = 0;
        int sync = 0;
        for (String line : remote.stderr().split("\n")) {
            Matcher m = TRACE.matcher(line);
            if (m.find() && m.group(3).equals("clEnqueueWriteBuffer")) {
                boolean hasWaitList = !m.group(4).split(", ")[6].equals("0");
                assertEquals(hasWaitList ? "sync" : "async", m.group(2), line);
                if (hasWaitList) {
                    sync++;
                } else {
                    async++;
                }
            }
        }
        assertEquals(24, async, remote::describe);
        assertEquals(1, sync, remote::describe);
    }
}

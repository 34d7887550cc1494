package io.ava.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's record log, seen through `ava-server status`: bounded in a loop, absent with --no-record. */
class RecordLogTest {
    /**
     * The client loops until the test kills it: each status query is a fresh JVM, which took up to
     * 3.4 s on a busy 2-core VM, and a loop that had ended by then left no session to look at.
     */
    private static final String LOOP_SECONDS = "90";
    private static final Pattern RECORDS = Pattern.compile("records=(\\d+) record_bytes=(\\d+)");

    private static long[] records(ServerProcess server) throws Exception {
        ServerProcess.Status s = server.status();
        Matcher m = RECORDS.matcher(s.raw());
        assertTrue(m.find(), () -> "no session with a record log in:\n" + s.raw());
        return new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    @Timeout(120)
    void theLogOfALoopStaysTheSameSize() throws Exception {
        try (ServerProcess server = ServerProcess.start("record-log");
             ScenarioRunner.Running client = ScenarioRunner.startRemote("ArgumentLoop", server.port(), LOOP_SECONDS)) {
            client.awaitLine("ready", Duration.ofSeconds(30));
            long[] early = records(server);
            Thread.sleep(3000);
            long[] later = records(server);
            assertTrue(early[0] > 0, "the session's objects were recorded");
            assertEquals(early[0], later[0], "records after thousands more clSetKernelArg calls");
            assertEquals(early[1], later[1], "record bytes after thousands more clSetKernelArg calls");
            client.process.destroyForcibly();
        }
    }

    @Test
    @Timeout(120)
    void noRecordKeepsNoLog() throws Exception {
        try (ServerProcess server = ServerProcess.start("no-record", "--no-record");
             ScenarioRunner.Running client = ScenarioRunner.startRemote("ArgumentLoop", server.port(), LOOP_SECONDS)) {
            client.awaitLine("ready", Duration.ofSeconds(30));
            long[] r = records(server);
            assertEquals(0, r[0]);
            assertEquals(0, r[1]);
            client.process.destroyForcibly();
        }
    }
}

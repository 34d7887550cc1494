package io.ava.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `--metrics-port`: real programs against a real server, then GET /metrics; and the server's log
 * lines: one structured line per event, naming the session (and the migration).
 */
class ObservabilityTest {
    private static final Pattern OPEN = Pattern.compile(
            "(?m)^ts=\\S+ level=INFO logger=ServerSession event=open session=(s[0-9a-f]+-\\d+) client=\\S+ ");

    @Test
    @Timeout(180)
    void metricsCountCallsBytesSessionsErrorsAndDeviceMemory() throws Exception {
        try (ServerProcess server = ServerProcess.start("metrics", "--metrics-port", "0")) {
            Scrape idle = Scrape.of(server);
            assertTrue(idle.contentType.startsWith("text/plain"), idle.contentType);
            assertEquals(0.0, idle.value("ava_sessions"), idle.text);
            assertEquals(0.0, idle.value("ava_device_memory_bytes"), idle.text);

            // SteadyWork holds two 16 KiB buffers and 2 MiB of state while it runs
            try (ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", server.port(), "300", "2", "5")) {
                client.awaitLine("ready", Duration.ofSeconds(60));
                Scrape busy = Scrape.of(server);
                assertEquals(1.0, busy.value("ava_sessions"), busy.text);
                assertTrue(busy.value("ava_device_memory_bytes") >= (2 << 20) + 2 * 16384, busy.text);
                assertTrue(busy.value("ava_objects", "type", "cl_mem") >= 3, busy.text);
                assertTrue(busy.value("ava_objects", "type", "cl_kernel") >= 2, busy.text);
                assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "SteadyWork did not finish");
                assertEquals(0, client.process.exitValue(), client::stderr);
            }
            // handles used after their release: the server answers CL_INVALID_MEM_OBJECT, among others
            ScenarioRunner.Result bad = ScenarioRunner.runRemote("UseAfterRelease", server.port());
            assertEquals(0, bad.exitCode(), bad::describe);
            assertTrue(bad.stdout().contains("CL_INVALID_MEM_OBJECT"), bad::describe);

            Scrape after = Scrape.await(server, s -> s.value("ava_sessions") == 0 && s.value("ava_device_memory_bytes") == 0
                    && s.value("ava_sessions_closed_total") == 2, Duration.ofSeconds(30));
            String why = after.text + server.logTail(30);
            assertEquals(0.0, after.value("ava_sessions"), why);
            assertEquals(0.0, after.value("ava_device_memory_bytes"), why);
            assertEquals(0.0, after.value("ava_objects"), why);
            assertEquals(2.0, after.value("ava_sessions_opened_total", "kind", "client"), why);
            assertEquals(2.0, after.value("ava_sessions_closed_total", "reason", "client-ended"), why);
            double buffers = after.value("ava_calls_total", "function", "clCreateBuffer");
            assertTrue(buffers >= 4, why); // 3 in SteadyWork, 1 in UseAfterRelease
            assertEquals(buffers, after.value("ava_call_duration_seconds_count", "function", "clCreateBuffer"), why);
            assertTrue(after.value("ava_call_duration_seconds_sum", "function", "clBuildProgram") > 0, why);
            assertTrue(after.value("ava_calls_total", "function", "clEnqueueNDRangeKernel") >= 300, why);
            assertTrue(after.value("ava_bytes_total", "channel", "grpc", "direction", "in") > 10_000, why);
            assertTrue(after.value("ava_bytes_total", "channel", "grpc", "direction", "out") > 16_384, why); // the final read
            // clGetMemObjectInfo, clEnqueueReadBuffer and clReleaseMemObject on the released buffer
            assertEquals(3.0, after.value("ava_call_errors_total", "code", "CL_INVALID_MEM_OBJECT"), why);
            assertEquals(1.0, after.value("ava_call_errors_total", "code", "CL_INVALID_MEM_OBJECT", "function", "clGetMemObjectInfo"), why);
            assertEquals(1.0, after.value("ava_call_errors_total", "code", "CL_INVALID_KERNEL", "function", "clSetKernelArg"), why);
            assertTrue(Double.isNaN(after.value("ava_call_errors_total", "function", "clCreateBuffer")), why);

            // the log: one structured line per event, with the session
            String log = Files.readString(server.log(), StandardCharsets.UTF_8);
            Matcher open = OPEN.matcher(log);
            assertTrue(open.find(), log);
            String session = open.group(1);
            assertTrue(Pattern.compile("(?m)^ts=\\S+ level=INFO logger=ServerSession event=released session=" + Pattern.quote(session)
                    + " objects=\\d+ calls=\\d+ reason=client-ended ").matcher(log).find(), log);
            assertTrue(Pattern.compile("(?m)^ts=\\S+ level=INFO logger=ServerSession event=refused session=s\\S+ call=\\d+ "
                    + "function=clGetMemObjectInfo code=CL_INVALID_MEM_OBJECT reason=\"clGetMemObjectInfo: ").matcher(log).find(), log);
            assertStructured(log);
        }
    }

    @Test
    @Timeout(180)
    void migrationShowsInBothServersMetricsAndLogs() throws Exception {
        try (ServerPair ring = ServerPair.ring("obs-migration", 2, "--metrics-port", "0", "--reconnect-grace", "2")) {
            ServerProcess source = ring.get(0);
            ServerProcess target = ring.get(1);
            // runs until it is stopped: the session is still on the target after the move
            try (ScenarioRunner.Running client = ScenarioRunner.startRemote("SteadyWork", source.port(), "1000000", "1", "2")) {
                client.awaitLine("ready", Duration.ofSeconds(60));
                AdminCommand.Result r = AdminCommand.migrateAll(source, null);
                assertEquals(0, r.exitCode(), () -> r.output() + ring.logs(40));
                Scrape moved = Scrape.await(target, s -> s.value("ava_calls_total", "function", "clEnqueueNDRangeKernel") > 0,
                        Duration.ofSeconds(20));
                assertEquals(1.0, moved.value("ava_sessions"), moved.text);
                assertTrue(moved.value("ava_device_memory_bytes") >= 1 << 20, moved.text);
                assertTrue(moved.value("ava_calls_total", "function", "clEnqueueNDRangeKernel") > 0, moved.text); // the calls after the move
                assertTrue(client.process.isAlive(), client::stderr);
                client.process.destroyForcibly();
                assertTrue(client.process.waitFor(10, TimeUnit.SECONDS), "the client JVM did not die");
            }
            Scrape out = Scrape.await(source, s -> s.value("ava_migrations_total", "direction", "out", "outcome", "ok") == 1,
                    Duration.ofSeconds(10));
            String why = out.text + ring.logs(30);
            assertEquals(1.0, out.value("ava_migrations_total", "direction", "out", "outcome", "ok"), why);
            assertEquals(0.0, out.value("ava_migrations_total", "direction", "out", "outcome", "failed"), why);
            assertEquals(1.0, out.value("ava_migration_duration_seconds_count", "direction", "out"), why);
            assertTrue(out.value("ava_migration_duration_seconds_sum", "direction", "out") > 0, why);
            assertEquals(1.0, out.value("ava_migration_downtime_seconds_count", "direction", "out"), why);
            assertTrue(out.value("ava_migration_downtime_seconds_sum", "direction", "out")
                    <= out.value("ava_migration_duration_seconds_sum", "direction", "out"), why);
            assertTrue(out.value("ava_bytes_total", "channel", "migration", "direction", "out") >= 1 << 20, why);
            assertEquals(1.0, out.value("ava_sessions_closed_total", "reason", "migrated-away"), why);

            Scrape in = Scrape.await(target, s -> s.value("ava_sessions") == 0, Duration.ofSeconds(30));
            String whyIn = in.text + ring.logs(30);
            assertEquals(1.0, in.value("ava_migrations_total", "direction", "in", "outcome", "ok"), whyIn);
            assertEquals(1.0, in.value("ava_migration_duration_seconds_count", "direction", "in"), whyIn);
            assertEquals(1.0, in.value("ava_sessions_opened_total", "kind", "migrated"), whyIn);
            assertTrue(in.value("ava_bytes_total", "channel", "migration", "direction", "in") >= 1 << 20, whyIn);
            assertEquals(1.0, in.value("ava_sessions_closed_total", "reason", "disconnected"), whyIn);
            assertEquals(0.0, in.value("ava_device_memory_bytes"), whyIn);

            // both logs name the migration by the same id, with the session
            String sourceLog = Files.readString(source.log(), StandardCharsets.UTF_8);
            String targetLog = Files.readString(target.log(), StandardCharsets.UTF_8);
            Matcher start = Pattern.compile("(?m)^ts=\\S+ level=INFO logger=OutgoingMigration event=migration-start "
                    + "session=(s[0-9a-f]+-\\d+) migration=(m[0-9a-f]+) to=\\S+ trigger=operator ").matcher(sourceLog);
            assertTrue(start.find(), sourceLog);
            String session = start.group(1);
            String migration = start.group(2);
            String ids = "session=" + Pattern.quote(session) + " migration=" + Pattern.quote(migration) + " ";
            for (String step : List.of("precopy", "quiesced", "accepted", "redirected")) {
                assertTrue(Pattern.compile("(?m)^ts=\\S+ level=INFO logger=OutgoingMigration event=migration-step " + ids
                        + "step=" + step + " ms=\\d+ ").matcher(sourceLog).find(), step + "\n" + sourceLog);
            }
            assertTrue(Pattern.compile("(?m)^ts=\\S+ level=INFO logger=MigrationLog event=migrated " + ids + "to=").matcher(sourceLog).find(),
                    sourceLog);
            for (String event : List.of("migration-receiving", "migration-accepted", "migration-resumed")) {
                assertTrue(Pattern.compile("(?m)^ts=\\S+ level=INFO logger=IncomingMigration event=" + event + " " + ids)
                        .matcher(targetLog).find(), event + "\n" + targetLog);
            }
            assertTrue(Pattern.compile("(?m)^ts=\\S+ level=INFO logger=ServerSession event=open session=" + Pattern.quote(session)
                    + " client=\\S+ name=\"[^\"]*\" resumed=true ").matcher(targetLog).find(), targetLog);
            assertStructured(sourceLog);
            assertStructured(targetLog);
        }
    }

    /** Every line the server wrote is a structured event, but for the harness's header and the ready line. */
    private static void assertStructured(String log) {
        for (String line : log.split("\n")) {
            if (line.isEmpty() || line.startsWith("# ") || line.startsWith("ava-server listening on ")) {
                continue;
            }
            assertTrue(line.matches("ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=(TRACE|DEBUG|INFO|WARN|ERROR) logger=\\S+ .* thread=.*"),
                    () -> "not a structured line: " + line);
        }
    }
}

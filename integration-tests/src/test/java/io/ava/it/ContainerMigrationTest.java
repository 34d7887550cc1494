package io.ava.it;

import io.ava.it.containers.BenchContainer;
import io.ava.it.containers.DockerImages;
import io.ava.it.containers.ServerContainer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.lifecycle.Startables;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live migration between two ava/server containers, as docker/compose.yaml sets them up: the source's default peer
 * ({@code --migrate-to}) is the target's migration port, and the client asks to move before call
 * {@code AVA_MIGRATION_CALL_ID}. The client is an ava/bench container (agent, no OpenCL) or a host JVM under the
 * real agent; either way its stdout must equal the native run's byte for byte, it must say it moved from the source
 * to the target, the source's migration log and status must record the move as ok, the target must end the session,
 * and neither server may keep anything. Needs a Docker engine: see {@link io.ava.it.containers.DockerEngine}.
 */
class ContainerMigrationTest {
    static final Pattern MOVED = Pattern.compile("ava: session (\\S+) moved from (\\S+) to (\\S+)");

    private static DockerImages.Tags images;

    /** Per test, so that without an engine each test is reported skipped (with why), not just left out. */
    @BeforeEach
    void engineAndImages() throws Exception {
        images = ContainerImagesOfThisBuild.require("ContainerMigrationTest");
    }

    /** srad makes 126 calls at --size small: call 60 is mid-run, with buffers and kernels live. */
    @Test
    @Timeout(300)
    void benchContainerMovesFromSourceToTargetContainer() throws Exception {
        String[] workload = {"srad", "--size", "small"};
        String expected = nativeStdout(workload);
        Path dir = Paths.outputDir("containers").resolve("bench-migration");
        try (ServerContainer target = new ServerContainer(images.server(), "bench-target", dir);
             ServerContainer source = new ServerContainer(images.server(), "bench-source", dir).migratingTo(target)
                 .withMigrationLog()) {
            Startables.deepStart(source, target).join();
            BenchContainer client = new BenchContainer(images.bench(), source.address(), Duration.ofSeconds(180),
                "io.ava.bench.workloads.WorkloadMain", "srad", "--size", "small")
                .withEnv("AVA_MIGRATION_CALL_ID", "60");
            BenchContainer.Result r = client.run(dir, "bench-client");
            String context = r.describe() + "\n" + source.logTail(30) + "\n" + target.logTail(30);
            assertEquals(0, r.exitCode(), context);
            assertEquals(expected, r.stdout(), () -> "stdout differs from the native run on the host\n" + context);
            assertTrue(r.stderr().contains("start live migration at call_id 60"), context);
            movedAndRecorded(r.stderr(), source, target, context);
        }
    }

    /** The same with the client in a host JVM (the real agent jar, no OpenCL) and another workload. */
    @Test
    @Timeout(300)
    void hostJvmMovesFromSourceToTargetContainer() throws Exception {
        String[] workload = {"kmeans", "--size", "small"}; // 382 calls
        String expected = nativeStdout(workload);
        Path dir = Paths.outputDir("containers").resolve("host-migration");
        try (ServerContainer target = new ServerContainer(images.server(), "host-target", dir);
             ServerContainer source = new ServerContainer(images.server(), "host-source", dir).migratingTo(target)
                 .withMigrationLog()) {
            Startables.deepStart(source, target).join();
            ScenarioRunner.Result r = HostWorkload.runUnderAgent(source.address(), Map.of("AVA_MIGRATION_CALL_ID", "200"), workload);
            String context = r.describe() + "\n" + source.logTail(30) + "\n" + target.logTail(30);
            assertEquals(0, r.exitCode(), context);
            assertEquals(expected, r.stdout(), () -> "stdout differs from the native run\n" + context);
            assertTrue(r.stderr().contains("start live migration at call_id 200"), context);
            movedAndRecorded(r.stderr(), source, target, context);
        }
    }

    private static String nativeStdout(String... workload) throws Exception {
        ScenarioRunner.Result r = HostWorkload.runNative(workload);
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().contains(workload[0] + ": checksum "), r::describe);
        return r.stdout();
    }

    /** The agent moved once, source to target; the source logged it ok; the target ended the session; none keeps anything. */
    private static void movedAndRecorded(String clientStderr, ServerContainer source, ServerContainer target, String context)
            throws Exception {
        Matcher m = MOVED.matcher(clientStderr);
        assertTrue(m.find(), () -> "the client never said it moved\n" + context);
        String session = m.group(1);
        assertEquals(source.address() + " -> " + target.address(), m.group(2) + " -> " + m.group(3), context);
        assertTrue(!m.find(), () -> "the client moved more than once\n" + context);

        String log = source.migrationLog();
        String to = "\"to\":\"127.0.0.1:" + target.migrationPort() + "\"";
        assertTrue(log.lines().anyMatch(l -> l.contains("\"session\":\"" + session + "\"") && l.contains(to) && l.contains("\"ok\":true")),
            () -> "no ok migration of " + session + " to " + to + " in the source's migration log:\n" + log + context);
        ServerContainer.Status status = source.status();
        assertTrue(status.raw().contains("recent migrations: 1"), () -> status.raw() + context);

        // the source served the calls before the move, the target the rest: together every call the client made
        long total = CallCount.sentToServers(clientStderr);
        assertTrue(total > 0, context);
        long onSource = ContainerChecks.callsServed(source, session);
        long onTarget = ContainerChecks.callsServed(target, session);
        assertTrue(onSource > 0 && onTarget > 0 && onSource + onTarget == total,
            () -> "calls: client " + total + ", source " + onSource + ", target " + onTarget + "\n" + context);
        ContainerChecks.keepsNothing(source);
        ContainerChecks.keepsNothing(target);
    }
}

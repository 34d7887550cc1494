package io.ava.it;

import io.ava.it.containers.DockerImages;
import io.ava.it.containers.ServerContainer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A workload in a host JVM under the real agent, remoted to an ava-server in an ava/server container (PoCL inside
 * the image, host network), must print byte for byte what it prints natively. Needs a Docker engine: see
 * {@link io.ava.it.containers.DockerEngine} for what happens without one.
 */
class ContainerRemoteTest {
    static final String[] WORKLOAD = {"kmeans", "--size", "small"};

    private static DockerImages.Tags images;

    /** Per test, so that without an engine each test is reported skipped (with why), not just left out. */
    @BeforeEach
    void engineAndImages() throws Exception {
        images = ContainerImagesOfThisBuild.require("ContainerRemoteTest");
    }

    @Test
    @Timeout(300)
    void hostJvmRemotesAWorkloadToAServerContainer() throws Exception {
        ScenarioRunner.Result expected = HostWorkload.runNative(WORKLOAD);
        assertEquals(0, expected.exitCode(), expected::describe);
        assertTrue(expected.stdout().contains("kmeans: checksum "), expected::describe);

        try (ServerContainer server = new ServerContainer(images.server(), "remote", Paths.outputDir("containers"))) {
            server.start();
            // "none": the agent migrates nothing but prints how many calls it made
            ScenarioRunner.Result remote = HostWorkload.runUnderAgent(server.address(), Map.of("AVA_MIGRATION_CALL_ID", "none"), WORKLOAD);
            assertEquals(0, remote.exitCode(), () -> remote.describe() + server.logTail(40));
            assertEquals(expected.stdout(), remote.stdout(), () -> "stdout differs from the native run\n" + remote.describe());
            assertFalse(remote.stderr().contains(" moved from "), remote::describe);

            // the container served every call the client made, and let go of them
            long clientCalls = CallCount.sentToServers(remote.stderr());
            assertTrue(clientCalls > 100, remote::describe);
            assertEquals(clientCalls, ContainerChecks.callsServed(server, null), () -> remote.describe() + server.logTail(40));
            ContainerChecks.keepsNothing(server);
        }
    }
}

package io.ava.it;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario runs natively and under the agent against one real ava-server; the normalized stdout and the
 * exit codes must be identical. Afterwards the server must have dropped everything the client created.
 */
class NativeVsRemoteTest {

    private static ServerProcess server;

    /** The scenarios whose output is deterministic (LongRunning is not: it runs for a fixed time). */
    static Stream<String> scenarios() {
        return Stream.of(
            "FirstCall",
            "PlatformsAndDevices",
            "Contexts",
            "Queues",
            "Buffers",
            "Programs",
            "Kernels",
            "EnqueueAndEvents",
            "VectorPipeline",
            "Reduction",
            "Threads",
            "BadArguments");
            // MapAndSubBuffers joins this list with map support (issue "Every JOCL entry point remoted")
    }

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start("native-vs-remote");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(180)
    void remoteRunPrintsWhatTheNativeRunPrints(String scenario) throws Exception {
        Comparison.remoteMatchesNative(scenario, server);
    }
}

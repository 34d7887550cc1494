package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
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
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative(scenario);
        // a scenario that fails natively is a broken scenario, not an ava bug
        assertEquals(0, nativeRun.exitCode(), () -> "the scenario failed natively\n" + nativeRun.describe());

        ScenarioRunner.Result remoteRun = ScenarioRunner.runRemote(scenario, server.port());
        assertEquals(nativeRun.exitCode(), remoteRun.exitCode(),
            () -> "exit codes differ\n" + remoteRun.describe() + "\n" + server.logTail(80));
        assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(remoteRun.stdout()),
            () -> "stdout differs (expected: native, actual: remote)\n" + remoteRun.describe() + "\n" + server.logTail(80));

        // the client JVM has exited: the server must not keep its session or its objects
        ServerProcess.Status status = Awaiting.status(server, s -> s.liveObjects() == 0 && s.sessions() == 0, Duration.ofSeconds(10));
        assertEquals(0, status.liveObjects(), () -> "objects left on the server after " + scenario + " exited:\n" + status.raw()
            + "\n" + server.logTail(40));
        assertEquals(0, status.sessions(), () -> "sessions left on the server after " + scenario + " exited:\n" + status.raw()
            + "\n" + server.logTail(40));
    }
}

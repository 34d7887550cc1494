package io.ava.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The application brings its own JOCL: a client on JOCL 2.0.6 against a server on 2.0.5 prints what native 2.0.5 prints. */
class JoclVersionsTest {
    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start("jocl-versions");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"VectorPipeline", "Programs", "Kernels"})
    void clientOnJocl206(String scenario) throws Exception {
        Path other = Path.of(System.getProperty("ava.jocl.other.jar", "target/other-jocl/jocl-2.0.6.jar"));
        assertTrue(Files.isRegularFile(other), "JOCL 2.0.6 was not copied to " + other);
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative(scenario);
        ScenarioRunner.Result remoteRun = ScenarioRunner.runRemoteWithJocl(scenario, server.port(), other);
        assertEquals(nativeRun.exitCode(), remoteRun.exitCode(), () -> remoteRun.describe() + "\n" + server.logTail(40));
        assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(remoteRun.stdout()),
                () -> remoteRun.describe() + "\n" + server.logTail(40));
    }
}

package io.ava.it;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The check every native-versus-remote test makes, in one place. */
final class Comparison {
    private Comparison() {
    }

    /**
     * Runs a scenario natively and under the agent against the server, requires the same exit
     * code and the same normalized stdout, then that the server keeps nothing of the session.
     */
    static void remoteMatchesNative(String scenario, ServerProcess server) throws Exception {
        remoteOutputMatchesNative(scenario, server);
        serverDroppedEverything(scenario, server);
    }

    /** The same comparison, on a server other sessions share (so it may hold their objects). */
    static void remoteOutputMatchesNative(String scenario, ServerProcess server) throws Exception {
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative(scenario);
        // a scenario that fails natively is a broken scenario, not an ava bug
        assertEquals(0, nativeRun.exitCode(), () -> "the scenario failed natively\n" + nativeRun.describe());

        ScenarioRunner.Result remoteRun = ScenarioRunner.runRemote(scenario, server.port());
        assertEquals(nativeRun.exitCode(), remoteRun.exitCode(),
            () -> "exit codes differ\n" + remoteRun.describe() + "\n" + server.logTail(80));
        assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(remoteRun.stdout()),
            () -> "stdout differs (expected: native, actual: remote)\n" + remoteRun.describe() + "\n" + server.logTail(80));
    }

    /** The client JVM has exited: the server must not keep its session or its objects. */
    static void serverDroppedEverything(String scenario, ServerProcess server) throws Exception {
        ServerProcess.Status status = Awaiting.status(server, s -> s.liveObjects() == 0 && s.sessions() == 0, Duration.ofSeconds(10));
        assertEquals(0, status.liveObjects(), () -> "objects left on the server after " + scenario + " exited:\n" + status.raw()
            + "\n" + server.logTail(40));
        assertEquals(0, status.sessions(), () -> "sessions left on the server after " + scenario + " exited:\n" + status.raw()
            + "\n" + server.logTail(40));
    }
}

package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The empty libOpenCL.so on LD_LIBRARY_PATH really prevents OpenCL from loading: a native run with it fails,
 * while the same program under the agent works, so the remote client cannot be using a local OpenCL.
 */
class NoOpenClTest {

    @Test
    @Timeout(120)
    void nativeRunFailsWithoutOpenClButRemoteRunWorks() throws Exception {
        ScenarioRunner.Result broken = ScenarioRunner.runNativeWithoutOpenCl("FirstCall");
        assertNotEquals(0, broken.exitCode(), () -> "a native run with an empty libOpenCL.so must fail\n" + broken.describe());
        String output = broken.stdout() + broken.stderr();
        assertTrue(output.contains("UnsatisfiedLinkError") || output.contains("libOpenCL"),
            () -> "the native run should fail because OpenCL cannot be loaded\n" + broken.describe());
        assertTrue(!broken.stdout().contains("platforms:"), () -> "the native run reached OpenCL\n" + broken.describe());

        try (ServerProcess server = ServerProcess.start("no-opencl")) {
            for (String scenario : new String[] {"FirstCall", "Reduction"}) {
                ScenarioRunner.Result remote = ScenarioRunner.runRemote(scenario, server.port());
                assertEquals(0, remote.exitCode(), () -> "the remote run needs no local OpenCL\n" + remote.describe() + "\n"
                    + server.logTail(60));
                assertTrue(remote.stdout().contains(scenario + ": OK"), () -> remote.describe() + "\n" + server.logTail(60));
                assertTrue(!remote.stderr().contains("UnsatisfiedLinkError"), remote::describe);
            }
        }
    }
}

package io.ava.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication: a server started with --token-file (and/or TLS files) serves only clients, admin
 * commands and peers that present them; everyone else is refused before any OpenCL work, with one
 * clear line on each side, and a refused migration leaves the program running where it was.
 */
class AuthTest {
    private static final String[] STEADY = {"2500", "4", "3"};
    private static Path dir;
    private static Path token;
    private static Path otherToken;

    @BeforeAll
    static void files() throws Exception {
        dir = Paths.outputDir("auth");
        token = dir.resolve("token");
        otherToken = dir.resolve("other-token");
        Files.writeString(token, "  correct-horse-battery-staple\n", StandardCharsets.UTF_8); // trimmed
        Files.writeString(otherToken, "not-the-same-token\n", StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(240)
    void tokenOnTheClientAndAdminPorts() throws Exception {
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative("Reduction");
        assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
        try (ServerProcess server = ServerProcess.start("auth-token", "--token-file", token.toString())) {
            String log = Files.readString(server.log());
            assertTrue(log.contains("; token") && !log.contains("event=unauthenticated"), log);

            // right token (from a token file): the scenario runs as natively
            ScenarioRunner.Result ok = ScenarioRunner.runRemoteWithAgentArgs("Reduction", server.port(), ",tokenFile=" + token, Map.of());
            assertEquals(0, ok.exitCode(), () -> ok.describe() + server.logTail(40));
            assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(ok.stdout()), ok::describe);
            // right token from AVA_TOKEN
            ScenarioRunner.Result env = ScenarioRunner.runRemoteWithAgentArgs("FirstCall", server.port(), "",
                    Map.of("AVA_TOKEN", "correct-horse-battery-staple"));
            assertEquals(0, env.exitCode(), () -> env.describe() + server.logTail(40));

            // no token: refused, one clear line, the first OpenCL call fails at once
            ScenarioRunner.Result missing = ScenarioRunner.runRemote("FirstCall", server.port());
            assertEquals(3, missing.exitCode(), missing::describe);
            assertTrue(missing.stdout().contains("first call threw CLException: CL_DEVICE_NOT_AVAILABLE"), missing::describe);
            assertTrue(missing.stderr().contains("ava: server " + server.address() + " refused the session: missing token")
                    && missing.stderr().contains("AVA_TOKEN"), missing::describe);

            // a wrong token: the agent argument wins over AVA_TOKEN (which holds the right one)
            ScenarioRunner.Result wrong = ScenarioRunner.runRemoteWithAgentArgs("FirstCall", server.port(), ",token=guess",
                    Map.of("AVA_TOKEN", "correct-horse-battery-staple"));
            assertEquals(3, wrong.exitCode(), wrong::describe);
            assertTrue(wrong.stderr().contains("ava: server " + server.address() + " refused the session: wrong token"),
                    wrong::describe);

            String serverLog = Files.readString(server.log());
            assertTrue(serverLog.matches("(?s).*ava-server: refused /127\\.0\\.0\\.1:\\d+ on the client port \\(Session\\): missing token.*")
                    && serverLog.matches("(?s).*ava-server: refused /127\\.0\\.0\\.1:\\d+ on the client port \\(Session\\): wrong token.*"),
                    server.logTail(40));

            // the admin port: refused without the token, answers with it (ServerProcess.status passes --token-file)
            AdminCommand.Result noToken = AdminCommand.run("status", "--server", server.address());
            assertEquals(1, noToken.exitCode(), noToken::output);
            assertTrue(noToken.output().contains("missing token") && !noToken.output().contains("sessions:"), noToken::output);
            AdminCommand.Result badToken = AdminCommand.run("migrate", "--server", server.address(), "--all",
                    "--token-file", otherToken.toString());
            assertEquals(1, badToken.exitCode(), badToken::output);
            assertTrue(badToken.output().contains("wrong token"), badToken::output);
            assertTrue(Files.readString(server.log()).contains("on the admin port (Status): missing token"), server.logTail(40));
            Comparison.serverDroppedEverything("the refused clients", server);
        }
    }

    @Test
    @Timeout(240)
    void serverRefusesToStartWithAnEmptyTokenFile() throws Exception {
        Path empty = dir.resolve("empty-token");
        Files.writeString(empty, " \n");
        AdminCommand.Result r = AdminCommand.run("--port", "0", "--bind", "127.0.0.1", "--token-file", empty.toString());
        assertEquals(2, r.exitCode(), r::output);
        assertEquals("ava-server: the token file " + empty + " is empty", r.output().strip());
        AdminCommand.Result missing = AdminCommand.run("--port", "0", "--token-file", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode(), missing::output);
        assertTrue(missing.output().strip().startsWith("ava-server: cannot read the token file"), missing::output);
    }

    @Test
    @Timeout(300)
    void migrationBetweenServersWithTokensAndAPeerWithTheWrongOne() throws Exception {
        String expected = nativeOutput();
        int strangerPort = ServerPair.freePort();
        try (ServerPair pair = ServerPair.ring("auth-mig", 2, "--token-file", token.toString());
             ServerProcess stranger = ServerProcess.start("auth-stranger", "--migrate-listen", String.valueOf(strangerPort),
                     "--token-file", otherToken.toString());
             ScenarioRunner.Running client = ScenarioRunner.startRemoteWithAgentArgs("SteadyWork", pair.get(0).port(),
                     ",tokenFile=" + token, STEADY)) {
            client.awaitLine("ready", Duration.ofSeconds(30));
            // the stranger's migration port refuses a source whose token is not its own
            AdminCommand.Result refused = AdminCommand.run("migrate", "--server", pair.get(0).address(), "--all",
                    "--to", "127.0.0.1:" + strangerPort, "--token-file", token.toString());
            assertEquals(1, refused.exitCode(), () -> refused.output() + pair.logs(40));
            assertTrue(refused.output().contains(": failed: ") && refused.output().contains("wrong token"),
                    () -> refused.output() + pair.logs(40));
            assertTrue(Files.readString(stranger.log()).contains("on the migration port (Handover): wrong token"),
                    stranger.logTail(40));
            // the peer with the same token takes it
            AdminCommand.Result moved = AdminCommand.run("migrate", "--server", pair.get(0).address(), "--all",
                    "--token-file", token.toString());
            assertEquals(0, moved.exitCode(), () -> moved.output() + pair.logs(40));
                assertTrue(moved.output().contains(": ok in "), () -> moved.output() + pair.logs(40));
            assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
            assertEquals(0, client.process.exitValue(), () -> client.stderr() + pair.logs(40));
            assertEquals(expected, Normalizer.normalize(client.stdout()), () -> client.stderr() + pair.logs(40));
            assertTrue(client.stderr().contains("moved from " + pair.get(0).address() + " to " + pair.get(1).address()),
                    client::stderr);
            Comparison.serverDroppedEverything("the stranger", stranger);
            Comparison.serverDroppedEverything("SteadyWork", pair.get(0));
            Comparison.serverDroppedEverything("SteadyWork", pair.get(1));
        }
    }

    @Test
    @Timeout(300)
    void mutualTls() throws Exception {
        TestCerts certs = TestCerts.create(dir.resolve("certs"));
        String expected = nativeOutput();
        String[] tls = {"--tls-cert", certs.cert.toString(), "--tls-key", certs.key.toString(), "--tls-ca", certs.ca.toString()};
        String agentTls = ",tlsCa=" + certs.ca + ",tlsCert=" + certs.cert + ",tlsKey=" + certs.key;
        try (ServerPair pair = ServerPair.ring("auth-tls", 2, tls)) {
            // no client certificate: the handshake fails, the agent says so in one line
            ScenarioRunner.Result noCert = ScenarioRunner.runRemoteWithAgentArgs("FirstCall", pair.get(0).port(),
                    ",tlsCa=" + certs.ca, Map.of());
            assertEquals(3, noCert.exitCode(), noCert::describe);
            assertTrue(noCert.stderr().contains("ava: TLS with ava-server at " + pair.get(0).address() + " failed"), noCert::describe);
            // a client that does not trust the server's CA
            ScenarioRunner.Result wrongCa = ScenarioRunner.runRemoteWithAgentArgs("FirstCall", pair.get(0).port(),
                    ",tlsCa=" + certs.otherCa + ",tlsCert=" + certs.cert + ",tlsKey=" + certs.key, Map.of());
            assertEquals(3, wrongCa.exitCode(), wrongCa::describe);
            // plaintext admin command
            AdminCommand.Result plain = AdminCommand.run("status", "--server", pair.get(0).address());
            assertNotEquals(0, plain.exitCode(), plain::output);
            assertTrue(!plain.output().contains("sessions:"), plain::output);

            // with the certificates: the program runs and migrates (gRPC and the content channel inside TLS)
            try (ScenarioRunner.Running client = ScenarioRunner.startRemoteWithAgentArgs("SteadyWork", pair.get(0).port(), agentTls,
                    STEADY)) {
                client.awaitLine("ready", Duration.ofSeconds(30));
                AdminCommand.Result moved = AdminCommand.run("migrate", "--server", pair.get(0).address(), "--all",
                        "--tls-ca", certs.ca.toString(), "--tls-cert", certs.cert.toString(), "--tls-key", certs.key.toString());
                assertEquals(0, moved.exitCode(), () -> moved.output() + pair.logs(40));
                assertTrue(moved.output().contains(": ok in "), () -> moved.output() + pair.logs(40));
                assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
                assertEquals(0, client.process.exitValue(), () -> client.stderr() + pair.logs(40));
                assertEquals(expected, Normalizer.normalize(client.stdout()), () -> client.stderr() + pair.logs(40));
                assertTrue(client.stderr().contains("moved from " + pair.get(0).address() + " to " + pair.get(1).address()),
                        client::stderr);
            }
            Comparison.serverDroppedEverything("SteadyWork over TLS", pair.get(0));
            Comparison.serverDroppedEverything("SteadyWork over TLS", pair.get(1));
        }
    }

    private static String nativeOutput() throws Exception {
        ScenarioRunner.Result r = ScenarioRunner.runNative("SteadyWork", STEADY);
        assertEquals(0, r.exitCode(), r::describe);
        return Normalizer.normalize(r.stdout());
    }
}

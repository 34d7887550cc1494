package io.ava.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's command line: --help, and one clear line for a device that does not exist. */
class ServerCommandLineTest {
    private record Run(int exit, String out) {
    }

    private static Run server(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-jar", Paths.serverJar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "ava-server " + String.join(" ", args) + " did not exit");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheOptionsAndCommands() throws Exception {
        Run r = server("--help");
        assertEquals(0, r.exit(), r.out());
        for (String word : List.of("--port", "--bind", "--platform", "--device", "--direct-port", "status")) {
            assertTrue(r.out().contains(word), "--help does not mention " + word + ":\n" + r.out());
        }
    }

    @Test
    void aMissingDeviceIsOneClearLine() throws Exception {
        Run r = server("--port", "0", "--bind", "127.0.0.1", "--device", "7");
        assertEquals(2, r.exit(), r.out());
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("ava-server: --device 7:"), r.out());
    }

    /** The direct port carries no TLS: asked for together, the server refuses in one line. */
    @Test
    void theDirectPortWithTlsIsOneClearLine() throws Exception {
        TestCerts certs = TestCerts.create(Paths.outputDir("direct-tls-certs"));
        Run r = server("--port", "0", "--bind", "127.0.0.1", "--direct-port", "0",
            "--tls-cert", certs.cert.toString(), "--tls-key", certs.key.toString());
        assertEquals(2, r.exit(), r.out());
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("ava-server: --direct-port carries no TLS"), r.out());
    }

    @Test
    void statusOfAServerThatIsNotThereIsOneClearLine() throws Exception {
        Run r = server("status", "--server", "127.0.0.1:1");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().startsWith("ava-server status: cannot reach 127.0.0.1:1"), r.out());
    }
}

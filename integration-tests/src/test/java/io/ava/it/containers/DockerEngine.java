package io.ava.it.containers;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether a Docker engine answers, and what a container test does when none does: skip loudly, or fail under
 * {@code CI=true}, where test.sh has started one and a silent skip would hide that the container tests never ran.
 *
 * <p>Both clients the tests use are asked: the docker CLI (docker/build-images.sh builds the images with it; it
 * honours DOCKER_HOST and nothing else) and Testcontainers (it runs the containers). Testcontainers alone is not
 * enough: when DOCKER_HOST names no engine it quietly falls back to /var/run/docker.sock.
 */
public final class DockerEngine {

    private static boolean checked;
    private static String whyUnavailable;

    private DockerEngine() {
    }

    /** Null when an engine answers; else why not, in words. */
    public static synchronized String whyUnavailable() {
        if (!checked) {
            checked = true;
            whyUnavailable = whyTheCliFindsNoEngine();
            if (whyUnavailable != null) {
                return whyUnavailable;
            }
            try {
                DockerClientFactory factory = DockerClientFactory.instance();
                factory.client(); // throws with Testcontainers' verdict when no strategy finds an engine
                System.err.println("ava container tests: Docker engine " + factory.getActiveApiVersion()
                    + " at " + factory.getTransportConfig().getDockerHost());
            } catch (Throwable t) {
                whyUnavailable = "Testcontainers: " + t.getMessage() + " [DOCKER_HOST=" + describeDockerHost() + "]";
            }
        }
        return whyUnavailable;
    }

    /**
     * Returns when an engine answers. Otherwise prints a banner on stderr and aborts the caller's tests with a
     * JUnit assumption naming why, or, when the environment has {@code CI=true}, fails them.
     */
    public static void requireOrSkip(String tests) {
        String why = whyUnavailable();
        if (why == null) {
            return;
        }
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        String message = "Docker engine not available: " + why + " -- the container tests (" + tests + ") did NOT run"
            + (ci ? ". CI=true: test.sh starts an engine before mvn verify, so this is a FAILURE"
                  : ". Start one as root with scripts/docker-engine.sh start (or ./test.sh, which does)");
        String bar = "!".repeat(100);
        System.err.println(bar + "\n!!! " + message + "\n" + bar);
        if (ci) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }

    /** Null when {@code docker version} reaches a server; else what it said. */
    private static String whyTheCliFindsNoEngine() {
        try {
            Path output = Files.createTempFile("ava-docker-version", ".txt"); // a file: a hung engine must not hang the read
            Process p = new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "'docker version' did not answer within 30 s [DOCKER_HOST=" + describeDockerHost() + "]";
            }
            String out = Files.readString(output, StandardCharsets.UTF_8).strip();
            Files.deleteIfExists(output);
            if (p.exitValue() == 0 && !out.isEmpty()) {
                return null;
            }
            String said = out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(nothing)");
            return "'docker version' exited " + p.exitValue() + ": " + said + " [DOCKER_HOST=" + describeDockerHost() + "]";
        } catch (IOException e) {
            return "the docker CLI is not installed (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking 'docker version'";
        }
    }

    private static String describeDockerHost() {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || host.isEmpty()) {
            Path socket = Path.of("/var/run/docker.sock");
            return "unset, default " + socket + (Files.exists(socket) ? " exists" : " does not exist");
        }
        if (host.startsWith("unix://")) {
            Path socket = Path.of(host.substring("unix://".length()));
            return host + (Files.exists(socket) ? "" : " (no such socket)");
        }
        return host;
    }
}

package io.ava.it.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A JOCL program run to its end in an ava/bench container (the agent, no OpenCL) on the host's network, against
 * the server {@code AVA_SERVER}. Its stdout and stderr stay apart: stdout carries the program's results, stderr the
 * agent's lines (where the session went).
 */
public final class BenchContainer extends GenericContainer<BenchContainer> {

    /** How the container ended. */
    public record Result(long exitCode, String stdout, String stderr, Duration duration) {
        public String describe() {
            return "---- ava/bench container: exit " + exitCode + " after " + duration.toMillis() + " ms ----\n"
                + "---- stdout ----\n" + stdout + "---- stderr ----\n" + stderr + "---- end ----";
        }
    }

    private final Duration timeout;

    public BenchContainer(String image, String server, Duration timeout, String... command) {
        super(DockerImageName.parse(image));
        this.timeout = timeout;
        withNetworkMode("host");
        withLabel("io.ava.it", "container-test");
        withEnv("AVA_SERVER", server);
        withCommand(command);
        // start() returns once the program has exited, whatever its exit code: the test checks that itself
        withStartupCheckStrategy(new RunsToExit().withTimeout(timeout));
        waitingFor(new AbstractWaitStrategy() {
            @Override
            protected void waitUntilReady() {
                // nothing listens: the program has already run
            }
        });
    }

    /** Runs the program to its end, keeps its output (also in {@code logDir/<name>.out|.err}) and removes the container. */
    public Result run(Path logDir, String name) throws IOException {
        long start = System.nanoTime();
        try {
            start();
            Long code = getDockerClient().inspectContainerCmd(getContainerId()).exec().getState().getExitCodeLong();
            Result r = new Result(code == null ? -1 : code, getLogs(OutputFrame.OutputType.STDOUT),
                getLogs(OutputFrame.OutputType.STDERR), Duration.ofNanos(System.nanoTime() - start));
            Files.createDirectories(logDir);
            Files.writeString(logDir.resolve(name + ".out"), r.stdout(), StandardCharsets.UTF_8);
            Files.writeString(logDir.resolve(name + ".err"), r.stderr(), StandardCharsets.UTF_8);
            return r;
        } catch (RuntimeException e) {
            String logs = getContainerId() == null ? "(no container)" : getLogs();
            throw new AssertionError("the ava/bench container did not run to its end within " + timeout.toSeconds() + " s: "
                + e + "\n---- its output ----\n" + logs, e);
        } finally {
            stop();
        }
    }

    /** Startup "succeeds" once the container has exited; Testcontainers' one-shot check also requires exit 0. */
    static final class RunsToExit extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(docker, containerId);
            String status = state.getStatus();
            return "exited".equals(status) || "dead".equals(status) ? StartupStatus.SUCCESSFUL : StartupStatus.NOT_YET_KNOWN;
        }
    }
}

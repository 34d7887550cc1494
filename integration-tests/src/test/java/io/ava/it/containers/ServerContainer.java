package io.ava.it.containers;

import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ava-server in an ava/server container on the host's network (the engine has no bridge), listening on two
 * free loopback ports the test picks: clients on {@link #port()}, migrations in on {@link #migrationPort()}. Ready
 * when it logs that it listens on both. Its output goes to {@code <logDir>/<name>.log} as it comes.
 */
public final class ServerContainer extends GenericContainer<ServerContainer> {

    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final Pattern LIVE_OBJECTS = Pattern.compile("^live objects: (\\d+)$", Pattern.MULTILINE);
    static final Pattern SESSIONS = Pattern.compile("^sessions: (\\d+)$", Pattern.MULTILINE);
    static final String MIGRATION_LOG = "/var/log/ava/migrations.log";

    /** What {@code ava-server status}, run inside the container, said. */
    public record Status(long liveObjects, long sessions, String raw) {
    }

    private final String name;
    private final int port;
    private final int migrationPort;
    private final Path log;
    private final List<String> extraArgs = new ArrayList<>();
    private BufferedWriter logWriter;

    public ServerContainer(String image, String name, Path logDir) throws IOException {
        super(DockerImageName.parse(image));
        this.name = name;
        this.port = freeLoopbackPort();
        this.migrationPort = freeLoopbackPort();
        this.log = Files.createDirectories(logDir).resolve(name + ".log");
        withNetworkMode("host");
        withLabel("io.ava.it", "container-test"); // no Ryuk here: a container a killed test left is findable
        withCreateContainerCmdModifier(cmd -> cmd.withName("ava-it-" + name + "-" + port));
        // log-based: with host networking there is no mapped port for Testcontainers to probe
        waitingFor(Wait.forLogMessage("(?s).*ava-server listening on 127\\.0\\.0\\.1:" + port
            + " .*migrations on 127\\.0\\.0\\.1:" + migrationPort + ".*", 1).withStartupTimeout(START_TIMEOUT));
        withLogConsumer(this::toLogFile);
    }

    /** Makes {@code target} this server's default peer ({@code --migrate-to}), as compose.yaml does for the source. */
    public ServerContainer migratingTo(ServerContainer target) {
        extraArgs.addAll(List.of("--migrate-to", "127.0.0.1:" + target.migrationPort()));
        return this;
    }

    /**
     * Has the server write its migration log (one JSON line per outgoing migration) inside the container; read it
     * with {@link #migrationLog()}. Not a bind mount: Testcontainers would first check mounts with an alpine
     * container, which cannot be pulled here (two minutes of retries).
     */
    public ServerContainer withMigrationLog() {
        extraArgs.addAll(List.of("--migration-log", MIGRATION_LOG));
        return this;
    }

    /** The migration log's content, also copied next to the server's log. */
    public String migrationLog() throws IOException, InterruptedException {
        Container.ExecResult r = execInContainer("cat", MIGRATION_LOG);
        if (r.getExitCode() != 0) {
            throw new AssertionError("cannot read " + MIGRATION_LOG + " in " + name + ": " + r.getStderr() + "\n" + logTail(40));
        }
        Files.writeString(log.resolveSibling(name + "-migrations.log"), r.getStdout(), StandardCharsets.UTF_8);
        return r.getStdout();
    }

    @Override
    protected void configure() {
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1",
            "--migrate-listen", String.valueOf(migrationPort), "--advertise", address()));
        args.addAll(extraArgs);
        setCommand(args.toArray(new String[0]));
        try {
            logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
            logWriter.write("# " + getDockerImageName() + " " + String.join(" ", args) + "\n");
            logWriter.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public int migrationPort() {
        return migrationPort;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public String name() {
        return name;
    }

    /** Runs {@code ava-server status} inside the container (its own jar and JRE) against this server. */
    public Status status() throws IOException, InterruptedException {
        Container.ExecResult r = execInContainer("java", "-jar", "/opt/ava/ava-server.jar", "status", "--server", address());
        String raw = r.getStdout() + r.getStderr();
        Matcher live = LIVE_OBJECTS.matcher(raw);
        Matcher sessions = SESSIONS.matcher(raw);
        if (r.getExitCode() != 0 || !live.find() || !sessions.find()) {
            throw new AssertionError("ava-server status in " + name + " exited " + r.getExitCode() + ":\n" + raw + "\n" + logTail(40));
        }
        return new Status(Long.parseLong(live.group(1)), Long.parseLong(sessions.group(1)), raw);
    }

    /** The last lines the server printed, for assertion messages. */
    public String logTail(int lines) {
        return DockerImages.tail(log, lines);
    }

    public Path log() {
        return log;
    }

    private void toLogFile(OutputFrame frame) {
        BufferedWriter w = logWriter;
        if (w == null || frame.getType() == OutputFrame.OutputType.END) {
            return;
        }
        synchronized (this) {
            try {
                w.write(frame.getUtf8String());
                w.flush();
            } catch (IOException e) {
                // the log is for people; the tests check status and output
            }
        }
    }

    @Override
    public void stop() {
        super.stop();
        synchronized (this) {
            if (logWriter != null) {
                try {
                    logWriter.close();
                } catch (IOException e) {
                    // nothing more to write
                }
                logWriter = null;
            }
        }
    }

    /** A port nothing listens on now; the server binds it moments later (host network: same port space). */
    static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

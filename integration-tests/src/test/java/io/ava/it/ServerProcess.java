package io.ava.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real ava-server in its own JVM: {@code java -jar ava-server.jar --port 0 --bind 127.0.0.1}. It is ready
 * when it prints {@code ava-server listening on 127.0.0.1:<port>}; everything it prints (stdout and stderr) goes
 * to a log file under target/it-runs/servers/.
 */
final class ServerProcess implements AutoCloseable {

    static final Pattern LISTENING = Pattern.compile("ava-server listening on 127\\.0\\.0\\.1:(\\d+)");
    /** with --metrics-port, the listening line ends with where the metrics are */
    /** with --direct-port, the listening line names the direct port */
    static final Pattern DIRECT = Pattern.compile("; direct port (\\d+)");
    static final Pattern METRICS = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    static final Pattern LIVE_OBJECTS = Pattern.compile("^\\s*live objects:\\s*(\\d+)\\s*$", Pattern.MULTILINE);
    static final Pattern SESSIONS = Pattern.compile("^\\s*sessions:\\s*(\\d+)\\s*$", Pattern.MULTILINE);
    static final Pattern DEVICE_MEMORY = Pattern.compile("^\\s*device memory held:\\s*(\\d+)\\s*$", Pattern.MULTILINE);
    static final long START_TIMEOUT_SECONDS = 30;

    /** What {@code ava-server status} said. */
    record Status(long liveObjects, long sessions, String raw) {
        /** The device memory all sessions hold ("device memory held: N"); -1 if the line is missing. */
        long deviceMemory() {
            Matcher m = DEVICE_MEMORY.matcher(raw);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }
    }

    private final Process process;
    private final Path log;
    private final int port;
    private int metricsPort;
    private final BufferedWriter logWriter;
    private final Thread pump;

    /** the credentials options the server was started with: `status` passes them on (same names for a client) */
    private final List<String> credentials = new ArrayList<>();

    private ServerProcess(Process process, Path log, BufferedWriter logWriter, Thread pump, int port, String... args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (List.of("--token-file", "--tls-cert", "--tls-key", "--tls-ca").contains(args[i])) {
                credentials.add(args[i]);
                credentials.add(args[i + 1]);
            }
        }
        this.process = process;
        this.log = log;
        this.logWriter = logWriter;
        this.pump = pump;
        this.port = port;
    }

    /** The JVM options of a server started with {@code jvmArgs}: C1 only, as bin/ava-server runs it, then the caller's. */
    static List<String> jvmOptions(List<String> jvmArgs) {
        return io.ava.bench.util.ServerProcess.jvmOptions(jvmArgs);
    }

    /** Starts a server and waits until it listens; fails (with the log) if it does not within 30 s. */
    static ServerProcess start(String name, String... extraArgs) throws IOException, InterruptedException {
        return start(name, List.of(), 0, extraArgs);
    }

    /** As {@link #start(String, String...)}, with options for the server's JVM (e.g. -Xmx256m). */
    static ServerProcess start(String name, List<String> jvmArgs, String... extraArgs) throws IOException, InterruptedException {
        return start(name, jvmArgs, 0, extraArgs);
    }

    /** As {@link #start}, on a given port (a server restarted where its clients knew it). */
    static ServerProcess startOn(String name, int listenPort, String... extraArgs) throws IOException, InterruptedException {
        return start(name, List.of(), listenPort, extraArgs);
    }

    private static ServerProcess start(String name, List<String> jvmArgs, int listenPort, String... extraArgs)
            throws IOException, InterruptedException {
        Path jar = Paths.serverJar();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"));
        Path log = Paths.outputDir("servers").resolve(name + "-" + stamp + ".log");
        // C1 only, as bin/ava-server and the Docker image run it; a test's own options come later and win
        List<String> command = new ArrayList<>(List.of(Paths.java().toString()));
        command.addAll(jvmOptions(jvmArgs));
        command.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(listenPort), "--bind", "127.0.0.1"));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        io.ava.server.nativeheap.MallocTunables.addTo(builder.environment()); // as the launchers do
        Process process = builder.start();
        BufferedWriter writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        writer.write("# " + String.join(" ", command) + "\n");
        writer.flush();
        CompletableFuture<String> portFuture = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (writer) {
                        writer.write(line);
                        writer.write('\n');
                        writer.flush();
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (!portFuture.isDone() && m.find()) {
                        portFuture.complete(line);
                    }
                }
            } catch (IOException e) {
                // the stream closes when the server goes away
            } finally {
                portFuture.completeExceptionally(new IllegalStateException("server output ended before it listened"));
            }
        }, "ava-server-log-" + name);
        pump.setDaemon(true);
        pump.start();
        int port;
        String listening;
        try {
            listening = portFuture.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Matcher lm = LISTENING.matcher(listening);
            lm.find();
            port = Integer.parseInt(lm.group(1));
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            pump.join(2000);
            throw new AssertionError("ava-server did not print 'ava-server listening on 127.0.0.1:<port>' within "
                + START_TIMEOUT_SECONDS + " s (" + e + "; alive=" + process.isAlive() + "); log " + log + ":\n" + tail(log, 60));
        }
        ServerProcess server = new ServerProcess(process, log, writer, pump, port, extraArgs);
        Matcher mm = METRICS.matcher(listening);
        server.metricsPort = mm.find() ? Integer.parseInt(mm.group(1)) : 0;
        Matcher dm = DIRECT.matcher(listening);
        server.directPort = dm.find() ? Integer.parseInt(dm.group(1)) : 0;
        return server;
    }

    private int directPort;

    /** The agent's address for the direct port (the server ran with --direct-port). */
    String directAddress() {
        if (directPort == 0) {
            throw new AssertionError("the server has no direct port (start it with --direct-port 0)");
        }
        return "direct://127.0.0.1:" + directPort;
    }

    int directPort() {
        return directPort;
    }

    /** The port of /metrics (the server ran with --metrics-port), or 0. */
    int metricsPort() {
        return metricsPort;
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    /**
     * The JVM that serves: on Linux the launcher runs the server as a child (its stdout on a FIFO,
     * for kernels' printf), so that child when there is one.
     */
    ProcessHandle serverJvm() {
        return process.toHandle().children().findFirst().orElse(process.toHandle());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the server log, for assertion messages. */
    String logTail(int lines) {
        return "---- ava-server log " + log + " (last " + lines + " lines) ----\n" + tail(log, lines) + "---- end of server log ----";
    }

    /** Runs {@code java -jar ava-server.jar status --server 127.0.0.1:<port>} and parses its output. */
    Status status() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-jar", Paths.serverJar().toString(), "status",
                "--server", address()));
        command.addAll(credentials);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(could not read output: " + e + ")";
            }
        });
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("'" + String.join(" ", command) + "' did not finish within 30 s\n" + logTail(40));
        }
        String raw;
        try {
            raw = output.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            raw = "(no output: " + e + ")";
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("'" + String.join(" ", command) + "' exited with " + p.exitValue() + ":\n" + raw + "\n" + logTail(40));
        }
        Matcher live = LIVE_OBJECTS.matcher(raw);
        Matcher sessions = SESSIONS.matcher(raw);
        if (!live.find() || !sessions.find()) {
            throw new AssertionError("status output lacks 'live objects: <n>' or 'sessions: <n>' lines:\n" + raw);
        }
        return new Status(Long.parseLong(live.group(1)), Long.parseLong(sessions.group(1)), raw);
    }

    /** The server's process id (tests send it signals). */
    long pid() {
        return process.pid();
    }

    /** Kills the server at once (SIGKILL), as a crash or a pulled plug would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        pump.join(2000);
        synchronized (logWriter) {
            try {
                logWriter.write("# server exited with " + (process.isAlive() ? "(still alive)" : process.exitValue()) + "\n");
                logWriter.close();
            } catch (IOException e) {
                // nothing more to log
            }
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
            StringBuilder sb = new StringBuilder();
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                sb.append(line).append('\n');
            }
            return sb.toString();
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")\n";
        }
    }
}

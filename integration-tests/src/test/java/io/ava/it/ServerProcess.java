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
    static final Pattern LIVE_OBJECTS = Pattern.compile("^\\s*live objects:\\s*(\\d+)\\s*$", Pattern.MULTILINE);
    static final Pattern SESSIONS = Pattern.compile("^\\s*sessions:\\s*(\\d+)\\s*$", Pattern.MULTILINE);
    static final long START_TIMEOUT_SECONDS = 30;

    /** What {@code ava-server status} said. */
    record Status(long liveObjects, long sessions, String raw) {
    }

    private final Process process;
    private final Path log;
    private final int port;
    private final BufferedWriter logWriter;
    private final Thread pump;

    private ServerProcess(Process process, Path log, BufferedWriter logWriter, Thread pump, int port) {
        this.process = process;
        this.log = log;
        this.logWriter = logWriter;
        this.pump = pump;
        this.port = port;
    }

    /** Starts a server and waits until it listens; fails (with the log) if it does not within 30 s. */
    static ServerProcess start(String name, String... extraArgs) throws IOException, InterruptedException {
        Path jar = Paths.serverJar();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"));
        Path log = Paths.outputDir("servers").resolve(name + "-" + stamp + ".log");
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-jar", jar.toString(), "--port", "0", "--bind", "127.0.0.1"));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Process process = builder.start();
        BufferedWriter writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        writer.write("# " + String.join(" ", command) + "\n");
        writer.flush();
        CompletableFuture<Integer> portFuture = new CompletableFuture<>();
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
                        portFuture.complete(Integer.parseInt(m.group(1)));
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
        try {
            port = portFuture.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            pump.join(2000);
            throw new AssertionError("ava-server did not print 'ava-server listening on 127.0.0.1:<port>' within "
                + START_TIMEOUT_SECONDS + " s (" + e + "; alive=" + process.isAlive() + "); log " + log + ":\n" + tail(log, 60));
        }
        return new ServerProcess(process, log, writer, pump, port);
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

    long pid() {
        return process.pid();
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
        List<String> command = List.of(Paths.java().toString(), "-jar", Paths.serverJar().toString(), "status", "--server", address());
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

package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live migration between hosts: the client and two servers each in a network namespace of their own, joined by veth
 * pairs on a bridge, with 198.51.100.0/24 addresses that exist only inside those namespaces (see
 * {@link NetworkNamespaces}). A program runs under the agent on host C against server A; an operator on C moves its
 * session A to B and then back B to A while it runs; the program must print what it prints natively, the agent
 * must say where it went, the servers' status must show who served it, and nothing may stay behind.
 *
 * <p>Creating network namespaces needs root: run as another user, the test is skipped with a message that says so.
 * Run as root (as CI does), any failure to build the namespaces fails the test: it is never skipped there.
 */
class MultiHostMigrationTest {

    static final String SCENARIO = "SteadyWork";
    /**
     * About 19 s of steady work (4 ms pauses) with 16 MiB of device state: the two migrations and the status checks
     * between them take about 7 s on an idle two-core machine, so a loaded one still finishes them in time.
     */
    static final String[] ARGS = {"4000", "16", "4"};

    static final int A_PORT = 7101;
    static final int A_MIGRATION_PORT = 7102;
    static final int B_PORT = 7201;
    static final int B_MIGRATION_PORT = 7202;

    private static NetworkNamespaces hosts;
    private static Thread cleanupHook;

    @BeforeAll
    static void buildTheNetwork() {
        String notRoot = NetworkNamespaces.whyNotRoot();
        if (notRoot != null) {
            Assumptions.abort(notRoot);
        }
        Map<String, Integer> plan = new LinkedHashMap<>();
        plan.put("a", 1);
        plan.put("b", 2);
        plan.put("c", 3);
        hosts = NetworkNamespaces.create(plan); // fails (never skips) when root cannot build it
        NetworkNamespaces made = hosts;
        cleanupHook = new Thread(made::close, "ava-netns-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook); // should the JVM be stopped before @AfterAll
    }

    @AfterAll
    static void removeTheNetwork() {
        if (hosts != null) {
            hosts.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs, and close() is idempotent
            }
            hosts = null;
        }
    }

    @Test
    @Timeout(180)
    void sessionMovesToAnotherHostAndBack() throws Exception {
        String a = hosts.address("a");
        String b = hosts.address("b");
        String c = hosts.address("c");

        // the native run and both servers start side by side: their own threads, whatever the common pool's size
        ExecutorService starters = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "multi-host-starter");
            t.setDaemon(true);
            return t;
        });
        try {
            run(a, b, c, starters);
        } finally {
            starters.shutdownNow();
        }
    }

    private void run(String a, String b, String c, ExecutorService starters) throws Exception {
        String aClient = a + ":" + A_PORT;
        String bClient = b + ":" + B_PORT;

        // the expected output, computed natively meanwhile (on this machine's own network, which it does not use)
        CompletableFuture<ScenarioRunner.Result> nativeRun = CompletableFuture.supplyAsync(() -> {
            try {
                return ScenarioRunner.runNative(SCENARIO, ARGS);
            } catch (Exception e) {
                throw new IllegalStateException("could not run " + SCENARIO + " natively", e);
            }
        }, starters);

        CompletableFuture<NsServer> startA = CompletableFuture.supplyAsync(() -> NsServer.start(hosts, "a", "multi-host-A",
            "--port", String.valueOf(A_PORT), "--bind", "0.0.0.0",
            "--migrate-listen", String.valueOf(A_MIGRATION_PORT), "--migrate-to", b + ":" + B_MIGRATION_PORT), starters);
        CompletableFuture<NsServer> startB = CompletableFuture.supplyAsync(() -> NsServer.start(hosts, "b", "multi-host-B",
            "--port", String.valueOf(B_PORT), "--bind", "0.0.0.0",
            "--migrate-listen", String.valueOf(B_MIGRATION_PORT), "--migrate-to", a + ":" + A_MIGRATION_PORT), starters);
        try (NsServer serverA = join(startA, startB); NsServer serverB = join(startB, startA)) {
            String logs = "";
            try (ScenarioRunner.Running client = startClient(aClient)) {
                try {
                    client.awaitLine("ready", Duration.ofSeconds(40));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\n" + serverA.logTail(60) + "\n" + serverB.logTail(60) + "\n"
                        + hosts.diagnose(), e);
                }

                // host C reaches A over the namespaces' network: the session is on A, from C's address
                Status onA = status(serverA, serverB);
                assertEquals(1, onA.sessions(), () -> "A should serve the one session of the client on " + c + ":\n" + onA.raw()
                    + "\n" + serverA.logTail(40));
                assertTrue(onA.sessionFrom(c), () -> "A's session should come from " + c + ":\n" + onA.raw());

                // A -> B: the default peer A was started with
                Migration there = migrate(serverA, serverB, aClient, client);
                assertEquals(b + ":" + B_MIGRATION_PORT, there.to(), () -> there.describe(serverA, serverB, client));
                String movedThere = awaitStderr(client, moved(aClient, bClient), Duration.ofSeconds(30), serverA, serverB);

                Status onB = status(serverB, serverA);
                assertEquals(1, onB.sessions(), () -> "after the migration B should serve the session:\n" + onB.raw()
                    + "\n" + serverB.logTail(40) + "\n" + client.stderr());
                assertTrue(onB.raw().contains("session " + there.sessionId() + " "),
                    () -> "B should serve session " + there.sessionId() + ":\n" + onB.raw());
                assertTrue(onB.sessionFrom(c), () -> "B's session should come from the client's host " + c + ":\n" + onB.raw()
                    + "\n" + serverB.logTail(40));
                Status aAfter = status(serverA, serverB);
                assertEquals(0, aAfter.sessions(), () -> "A should have let the session go:\n" + aAfter.raw() + "\n" + serverA.logTail(40));
                assertEquals(0, aAfter.liveObjects(), () -> "A should have freed the session's objects:\n" + aAfter.raw()
                    + "\n" + serverA.logTail(40));

                // B -> A: B's default peer is A's migration port
                assertTrue(client.process.isAlive(), () -> SCENARIO + " " + String.join(" ", ARGS) + " finished before it could be "
                    + "migrated back (the machine is too slow for its length?)\n---- stdout ----\n" + client.stdout()
                    + "---- stderr ----\n" + client.stderr());
                Migration back = migrate(serverB, serverA, bClient, client);
                assertEquals(a + ":" + A_MIGRATION_PORT, back.to(), () -> back.describe(serverB, serverA, client));
                assertEquals(there.sessionId(), back.sessionId(), () -> "the same session should come back:\n"
                    + there.output() + "\n" + back.output());
                String movedBack = awaitStderr(client, moved(bClient, aClient), Duration.ofSeconds(30), serverB, serverA);

                // the program finishes on A and prints what it prints natively
                if (!client.process.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError(SCENARIO + " did not finish within 60 s of its migrations\n"
                        + "---- stdout ----\n" + client.stdout() + "---- stderr ----\n" + client.stderr() + "\n"
                        + serverA.logTail(60) + "\n" + serverB.logTail(60));
                }
                ScenarioRunner.Result expected = nativeRun.get(60, TimeUnit.SECONDS);
                assertEquals(0, expected.exitCode(), () -> "the scenario failed natively\n" + expected.describe());
                logs = "---- remote stdout ----\n" + client.stdout() + "---- remote stderr ----\n" + client.stderr()
                    + "\n" + serverA.logTail(60) + "\n" + serverB.logTail(60);
                String remoteLogs = logs;
                assertEquals(0, client.process.exitValue(), () -> SCENARIO + " failed under the agent\n" + remoteLogs);
                assertEquals(Normalizer.normalize(expected.stdout()), Normalizer.normalize(client.stdout()),
                    () -> "stdout differs (expected: native, actual: remote, migrated " + aClient + " -> " + bClient + " -> "
                        + aClient + ")\n" + remoteLogs);
                assertTrue(movedThere.contains(there.sessionId()) && movedBack.contains(there.sessionId()),
                    () -> "the agent should name session " + there.sessionId() + ":\n" + movedThere + "\n" + movedBack);
            }

            // the client has exited: neither host keeps anything of it, and each remembers the migration it made
            String remoteLogs = logs;
            Status finalA = awaitEmpty(serverA, serverB);
            Status finalB = awaitEmpty(serverB, serverA);
            assertTrue(finalA.raw().contains("-> " + b + ":" + B_MIGRATION_PORT + ": ok"),
                () -> "A's status should list its migration to B:\n" + finalA.raw() + "\n" + remoteLogs);
            assertTrue(finalB.raw().contains("-> " + a + ":" + A_MIGRATION_PORT + ": ok"),
                () -> "B's status should list its migration back to A:\n" + finalB.raw() + "\n" + remoteLogs);
            assertTrue(serverA.isAlive() && serverB.isAlive(),
                () -> "both servers should still run\n" + serverA.logTail(60) + "\n" + serverB.logTail(60));
        }
    }

    // ---- the client ----

    private static ScenarioRunner.Running startClient(String server) throws IOException {
        String label = SCENARIO + "-remote-on-host-c";
        Path dir = Paths.outputDir("multi-host");
        String stamp = ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
        Path out = dir.resolve(label + "-" + stamp + ".out");
        Path err = dir.resolve(label + "-" + stamp + ".err");
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(),
            "-javaagent:" + Paths.agentJar() + "=server=" + server,
            "-cp", ScenarioRunner.classPath(), ScenarioRunner.PACKAGE + SCENARIO));
        command.addAll(List.of(ARGS));
        ProcessBuilder builder = new ProcessBuilder(hosts.on("c", command))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("AVA_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        builder.environment().put("LD_LIBRARY_PATH", ScenarioRunner.emptyOpenClDir().toString()); // no OpenCL on host C
        return new ScenarioRunner.Running(label, builder.start(), out, err);
    }

    private static Pattern moved(String from, String to) {
        return Pattern.compile("^ava: session (\\S+) moved from " + Pattern.quote(from) + " to " + Pattern.quote(to) + " .*$",
            Pattern.MULTILINE);
    }

    /** Waits for a line of the agent's stderr; returns it. */
    private static String awaitStderr(ScenarioRunner.Running client, Pattern line, Duration timeout, NsServer from, NsServer to)
        throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = line.matcher(client.stderr());
            if (m.find()) {
                return m.group();
            }
            if (!client.process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the agent did not report '" + line.pattern() + "' on stderr "
                    + (client.process.isAlive() ? "within " + timeout.toSeconds() + " s" : "before the client exited with "
                    + client.process.exitValue()) + "\n---- stdout ----\n" + client.stdout() + "---- stderr ----\n" + client.stderr()
                    + "\n" + from.logTail(60) + "\n" + to.logTail(60));
            }
            Thread.sleep(50);
        }
    }

    // ---- the operator on host C ----

    static final Pattern MIGRATED = Pattern.compile("^session (\\S+) -> (\\S+): ok in (\\d+) ms", Pattern.MULTILINE);

    record Migration(String sessionId, String to, long millis, String output) {
        String describe(NsServer source, NsServer target, ScenarioRunner.Running client) {
            return "migrate printed:\n" + output + "\n" + source.logTail(40) + "\n" + target.logTail(40)
                + "\n---- client stderr ----\n" + client.stderr();
        }
    }

    /** {@code ava-server migrate --server <source> --all} from host C, to the source's default peer. */
    private static Migration migrate(NsServer source, NsServer target, String sourceAddress, ScenarioRunner.Running client) {
        NetworkNamespaces.Outcome o = NetworkNamespaces.run(hosts.on("c", List.of(Paths.java().toString(), "-jar",
            Paths.serverJar().toString(), "migrate", "--server", sourceAddress, "--all")), Duration.ofSeconds(60));
        String context = o.describe() + "\n" + source.logTail(60) + "\n" + target.logTail(60)
            + "\n---- client stdout ----\n" + client.stdout() + "---- client stderr ----\n" + client.stderr();
        assertEquals(0, o.exitCode(), () -> "the migration from " + sourceAddress + " failed\n" + context);
        Matcher m = MIGRATED.matcher(o.output());
        assertTrue(m.find(), () -> "migrate did not print 'session <id> -> <peer>: ok in <n> ms'\n" + context);
        Migration result = new Migration(m.group(1), m.group(2), Long.parseLong(m.group(3)), o.output());
        assertTrue(!m.find(), () -> "exactly one session should have moved\n" + context);
        return result;
    }

    static final Pattern SESSION_LINE = Pattern.compile("^session (\\S+) .*client=(\\S*)\\s*$", Pattern.MULTILINE);

    /** What {@code ava-server status} printed, asked from host C. */
    record Status(long sessions, long liveObjects, String raw) {
        boolean sessionFrom(String host) {
            Matcher m = SESSION_LINE.matcher(raw);
            while (m.find()) {
                if (m.group(2).matches("/?" + Pattern.quote(host) + ":\\d+")) {
                    return true;
                }
            }
            return false;
        }
    }

    private static Status status(NsServer server, NsServer other) {
        NetworkNamespaces.Outcome o = NetworkNamespaces.run(hosts.on("c", List.of(Paths.java().toString(), "-jar",
            Paths.serverJar().toString(), "status", "--server", server.address())), Duration.ofSeconds(30));
        assertEquals(0, o.exitCode(), () -> "status of " + server.address() + " failed from host C\n" + o.describe() + "\n"
            + server.logTail(40) + "\n" + other.logTail(40) + "\n" + hosts.transcript());
        Matcher live = ServerProcess.LIVE_OBJECTS.matcher(o.output());
        Matcher sessions = ServerProcess.SESSIONS.matcher(o.output());
        assertTrue(live.find() && sessions.find(), () -> "status output lacks 'live objects: <n>' or 'sessions: <n>':\n" + o.describe());
        return new Status(Long.parseLong(sessions.group(1)), Long.parseLong(live.group(1)), o.output());
    }

    private static Status awaitEmpty(NsServer server, NsServer other) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Status last = status(server, other);
        while ((last.sessions() != 0 || last.liveObjects() != 0) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            last = status(server, other);
        }
        Status seen = last;
        assertEquals(0, seen.sessions(), () -> "sessions left on " + server.address() + " after the client exited:\n" + seen.raw()
            + "\n" + server.logTail(60));
        assertEquals(0, seen.liveObjects(), () -> "objects left on " + server.address() + " after the client exited:\n" + seen.raw()
            + "\n" + server.logTail(60));
        return seen;
    }

    private static NsServer join(CompletableFuture<NsServer> wanted, CompletableFuture<NsServer> sibling) throws Exception {
        try {
            return wanted.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // do not leave the other one running
            sibling.thenAccept(NsServer::closeQuietly);
            wanted.thenAccept(NsServer::closeQuietly);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof AssertionError ae) {
                throw ae;
            }
            throw new AssertionError("a server did not start: " + cause, cause);
        }
    }

    // ---- a server on one of the hosts ----

    /**
     * {@code ip netns exec <host> java -jar ava-server.jar --port P --bind 0.0.0.0 ...}, like {@link ServerProcess} but in
     * a namespace, on a fixed port (each namespace has ports of its own) and reached at the host's 198.51.100.x address.
     */
    static final class NsServer implements AutoCloseable {
        static final Pattern LISTENING = Pattern.compile("ava-server listening on \\S+:(\\d+)");

        private final Process process;
        private final Path log;
        private final BufferedWriter logWriter;
        private final Thread pump;
        private final String address;

        private NsServer(Process process, Path log, BufferedWriter logWriter, Thread pump, String address) {
            this.process = process;
            this.log = log;
            this.logWriter = logWriter;
            this.pump = pump;
            this.address = address;
        }

        static NsServer start(NetworkNamespaces hosts, String host, String name, String... args) {
            try {
                return startOrFail(hosts, host, name, args);
            } catch (IOException e) {
                throw new AssertionError("cannot start ava-server on host " + host + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while starting ava-server on host " + host, e);
            }
        }

        private static NsServer startOrFail(NetworkNamespaces hosts, String host, String name, String... args)
            throws IOException, InterruptedException {
            String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HHmmss-SSS"));
            Path log = Paths.outputDir("multi-host").resolve(name + "-" + ProcessHandle.current().pid() + "-" + stamp + ".log");
            List<String> command = new ArrayList<>(List.of(Paths.java().toString()));
            command.addAll(ServerProcess.jvmOptions(List.of()));
            command.addAll(List.of("-jar", Paths.serverJar().toString()));
            command.addAll(List.of(args));
            command = hosts.on(host, command);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeIf(k -> k.startsWith("AVA_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
            Process process = builder.start();
            BufferedWriter writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
            writer.write("# " + String.join(" ", command) + "\n");
            writer.flush();
            CompletableFuture<Integer> port = new CompletableFuture<>();
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
                        if (!port.isDone() && m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the stream closes when the server goes away
                } finally {
                    port.completeExceptionally(new IllegalStateException("server output ended before it listened"));
                }
            }, "ava-server-log-" + name);
            pump.setDaemon(true);
            pump.start();
            int listening;
            try {
                listening = port.get(ServerProcess.START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException | InterruptedException e) {
                boolean interrupted = e instanceof InterruptedException || Thread.interrupted();
                ScenarioRunner.kill(process); // the child too (the server relaunches itself to capture printf)
                pump.join(2000);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw new AssertionError("ava-server on host " + host + " did not print 'ava-server listening on ...' within "
                    + ServerProcess.START_TIMEOUT_SECONDS + " s (" + e + "; alive=" + process.isAlive() + "); log " + log + ":\n"
                    + ServerProcess.tail(log, 60) + "\n---- network ----\n" + hosts.transcript());
            }
            return new NsServer(process, log, writer, pump, hosts.address(host) + ":" + listening);
        }

        /** host:port as the other hosts reach it. */
        String address() {
            return address;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        String logTail(int lines) {
            return "---- ava-server " + address + " (" + (process.isAlive() ? "running" : "exited with " + process.exitValue()) + ") log "
                + log + " (last " + lines + " lines) ----\n" + ServerProcess.tail(log, lines)
                + "---- end of server log ----";
        }

        void closeQuietly() {
            try {
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> children = process.descendants().toList();
            boolean wasAlive = process.isAlive();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            children.forEach(ProcessHandle::destroyForcibly);
            pump.join(2000);
            synchronized (logWriter) {
                try {
                    logWriter.write((wasAlive ? "# stopped by the test: " : "# had exited before the test stopped it: ")
                        + (process.isAlive() ? "still alive" : "exit " + process.exitValue()) + "\n");
                    logWriter.close();
                } catch (IOException e) {
                    // nothing more to log
                }
            }
        }
    }
}

package io.ava.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a scenario class ({@code io.ava.it.scenarios.X}) in a forked JVM, either natively (JOCL on the local
 * OpenCL) or remotely (under {@code -javaagent:ava-agent.jar=server=127.0.0.1:<port>}, with an
 * {@code LD_LIBRARY_PATH} whose only content is an empty {@code libOpenCL.so}, so that loading OpenCL in the
 * client would fail). Output goes to files under target/it-runs/scenarios/.
 */
final class ScenarioRunner {

    static final String PACKAGE = "io.ava.it.scenarios.";
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static Path emptyOpenClDir;

    /** How a scenario JVM ran. */
    record Result(String label, List<String> command, int exitCode, String stdout, String stderr, Duration duration) {

        /** Everything about the run, for assertion messages. */
        String describe() {
            return "---- " + label + ": exit " + exitCode + " after " + duration.toMillis() + " ms ----\n"
                + "command: " + String.join(" ", command) + "\n"
                + "---- stdout ----\n" + stdout + "---- stderr ----\n" + stderr + "---- end of " + label + " ----";
        }
    }

    /** A scenario JVM that is still running (for tests that kill it). */
    static final class Running implements AutoCloseable {
        final String label;
        final Process process;
        final Path stdout;
        final Path stderr;

        Running(String label, Process process, Path stdout, Path stderr) {
            this.label = label;
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        String stdout() {
            return read(stdout);
        }

        String stderr() {
            return read(stderr);
        }

        /** Waits until a whole line equal to {@code line} is on stdout; fails if the JVM exits or time runs out. */
        void awaitLine(String line, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (stdout().lines().anyMatch(line::equals)) {
                    return;
                }
                if (!process.isAlive()) {
                    throw new AssertionError(label + " exited with " + process.exitValue() + " before printing '" + line + "'\n"
                        + "---- stdout ----\n" + stdout() + "---- stderr ----\n" + stderr());
                }
                Thread.sleep(50);
            }
            throw new AssertionError(label + " did not print '" + line + "' within " + timeout.toSeconds() + " s\n"
                + "---- stdout ----\n" + stdout() + "---- stderr ----\n" + stderr());
        }

        @Override
        public void close() throws InterruptedException {
            kill(process);
        }
    }

    private ScenarioRunner() {
    }

    /** Runs the scenario natively: JOCL loads the machine's OpenCL. */
    static Result runNative(String scenario, String... args) throws IOException, InterruptedException {
        return run(scenario + "-native", nativeCommand(scenario, args), Map.of());
    }

    /** Runs the scenario natively but with the empty libOpenCL.so first on LD_LIBRARY_PATH: it must fail. */
    static Result runNativeWithoutOpenCl(String scenario, String... args) throws IOException, InterruptedException {
        return run(scenario + "-native-no-opencl", nativeCommand(scenario, args), Map.of("LD_LIBRARY_PATH", emptyOpenClDir().toString()));
    }

    /** Runs the scenario under the agent against the server at 127.0.0.1:port, with no usable OpenCL in the client. */
    static Result runRemote(String scenario, int port, String... args) throws IOException, InterruptedException {
        return runRemote(scenario, port, Map.of(), args);
    }

    /** As {@link #runRemote(String, int, String...)}, with extra environment variables (e.g. AVA_MIGRATION_CALL_ID). */
    static Result runRemote(String scenario, int port, Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("LD_LIBRARY_PATH", emptyOpenClDir().toString());
        return run(scenario + "-remote", remoteCommand(scenario, port, args), env);
    }

    /** Runs the scenario under the agent with another JOCL jar than the test's own (the agent must not assume one version). */
    static Result runRemoteWithJocl(String scenario, int port, Path joclJar) throws IOException, InterruptedException {
        List<String> command = List.of(Paths.java().toString(), "-javaagent:" + Paths.agentJar() + "=server=127.0.0.1:" + port,
            "-cp", Paths.scenariosDir() + java.io.File.pathSeparator + joclJar, PACKAGE + scenario);
        return run(scenario + "-remote-" + joclJar.getFileName(), command, Map.of("LD_LIBRARY_PATH", emptyOpenClDir().toString()));
    }

    /**
     * As {@link #runRemote(String, int, Map, String...)}, with more agent arguments after
     * {@code server=...} (e.g. {@code ",token=..."}; start with a comma).
     */
    static Result runRemoteWithAgentArgs(String scenario, int port, String agentArgs, Map<String, String> extraEnv, String... args)
            throws IOException, InterruptedException {
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("LD_LIBRARY_PATH", emptyOpenClDir().toString());
        return run(scenario + "-remote", remoteCommand(scenario, port, agentArgs, args), env);
    }

    /**
     * Runs the scenario under the agent against {@code server} (host:port, or direct://host:port), with extra JVM
     * options for the client and more agent arguments (start with a comma).
     */
    static Result runRemoteAt(String scenario, String server, List<String> jvmArgs, String agentArgs, String... args)
            throws IOException, InterruptedException {
        return runRemoteAt(scenario, server, jvmArgs, agentArgs, Map.of(), args);
    }

    /** As {@link #runRemoteAt(String, String, List, String, String...)}, with extra environment variables. */
    static Result runRemoteAt(String scenario, String server, List<String> jvmArgs, String agentArgs, Map<String, String> extraEnv,
                              String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of("-javaagent:" + Paths.agentJar() + "=server=" + server + agentArgs, "-cp", classPath(), PACKAGE + scenario));
        command.addAll(List.of(args));
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("LD_LIBRARY_PATH", emptyOpenClDir().toString());
        return run(scenario + "-remote", command, env);
    }

    /** Starts the scenario under the agent and returns without waiting for it. */
    static Running startRemote(String scenario, int port, String... args) throws IOException {
        return startRemoteWithAgentArgs(scenario, port, "", args);
    }

    /** As {@link #startRemote(String, int, String...)}, with more agent arguments (start with a comma). */
    static Running startRemoteWithAgentArgs(String scenario, int port, String agentArgs, String... args) throws IOException {
        String label = scenario + "-remote";
        Path[] files = outputFiles(label);
        ProcessBuilder builder = new ProcessBuilder(remoteCommand(scenario, port, agentArgs, args))
            .redirectOutput(files[0].toFile())
            .redirectError(files[1].toFile());
        cleanEnvironment(builder.environment());
        builder.environment().put("LD_LIBRARY_PATH", emptyOpenClDir().toString());
        return new Running(label, builder.start(), files[0], files[1]);
    }

    /** Starts the scenario under the agent against {@code server} (host:port), with extra environment variables. */
    static Running startRemoteAt(String scenario, String server, String agentArgs, Map<String, String> extraEnv, String... args)
            throws IOException {
        String label = scenario + "-remote";
        Path[] files = outputFiles(label);
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(),
            "-javaagent:" + Paths.agentJar() + "=server=" + server + agentArgs, "-cp", classPath(), PACKAGE + scenario));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(files[0].toFile())
            .redirectError(files[1].toFile());
        cleanEnvironment(builder.environment());
        builder.environment().putAll(extraEnv);
        builder.environment().put("LD_LIBRARY_PATH", emptyOpenClDir().toString());
        return new Running(label, builder.start(), files[0], files[1]);
    }

    static List<String> nativeCommand(String scenario, String... args) {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-cp", classPath(), PACKAGE + scenario));
        command.addAll(List.of(args));
        return command;
    }

    static List<String> remoteCommand(String scenario, int port, String... args) {
        return remoteCommand(scenario, port, "", args);
    }

    static List<String> remoteCommand(String scenario, int port, String agentArgs, String... args) {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(),
            "-javaagent:" + Paths.agentJar() + "=server=127.0.0.1:" + port + agentArgs,
            "-cp", classPath(), PACKAGE + scenario));
        command.addAll(List.of(args));
        return command;
    }

    static String classPath() {
        return Paths.scenariosDir() + java.io.File.pathSeparator + Paths.joclJar();
    }

    /** A folder holding nothing but empty libOpenCL.so files: any attempt to load OpenCL from it fails. */
    static synchronized Path emptyOpenClDir() throws IOException {
        if (emptyOpenClDir == null) {
            Path dir = Files.createTempDirectory("ava-no-opencl-");
            Files.createFile(dir.resolve("libOpenCL.so"));
            Files.createFile(dir.resolve("libOpenCL.so.1"));
            dir.toFile().deleteOnExit();
            dir.resolve("libOpenCL.so").toFile().deleteOnExit();
            dir.resolve("libOpenCL.so.1").toFile().deleteOnExit();
            emptyOpenClDir = dir;
        }
        return emptyOpenClDir;
    }

    /** Runs any command as a scenario run (clean environment plus {@code env}, 60 s limit, output kept under target/). */
    static Result run(String label, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        return run(label, command, env, TIMEOUT);
    }

    /** As {@link #run(String, List, Map)} with another time limit (many clients at once on two cores). */
    static Result run(String label, List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path[] files = outputFiles(label);
        ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(files[0].toFile())
            .redirectError(files[1].toFile());
        cleanEnvironment(builder.environment());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            kill(process);
            throw new AssertionError(label + " did not finish within " + timeout.toSeconds() + " s and was killed\n"
                + "command: " + String.join(" ", command) + "\n"
                + "---- stdout ----\n" + read(files[0]) + "---- stderr ----\n" + read(files[1]));
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - start);
        return new Result(label, command, process.exitValue(), read(files[0]), read(files[1]), duration);
    }

    /** Variables of the test's own environment that would change a scenario's behaviour are not passed on. */
    private static void cleanEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("AVA_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
    }

    private static Path[] outputFiles(String label) {
        Path dir = Paths.outputDir("scenarios");
        String base = String.format("%03d-%s", RUNS.incrementAndGet(), label);
        return new Path[] {dir.resolve(base + ".out"), dir.resolve(base + ".err")};
    }

    static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}

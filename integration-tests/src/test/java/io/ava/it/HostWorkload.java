package io.ava.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bench workload ({@code io.ava.bench.workloads.WorkloadMain}) in a forked JVM on the host: natively (JOCL on
 * PoCL), or under the real agent against a server, with no usable OpenCL (the empty libOpenCL.so of
 * {@link ScenarioRunner}).
 */
final class HostWorkload {
    static final String MAIN = "io.ava.bench.workloads.WorkloadMain";

    private HostWorkload() {
    }

    static ScenarioRunner.Result runNative(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-cp", Paths.benchJar().toString(), MAIN));
        command.addAll(List.of(args));
        return ScenarioRunner.run("workload-" + args[0] + "-native", command, Map.of());
    }

    static ScenarioRunner.Result runUnderAgent(String server, Map<String, String> extraEnv, String... args)
            throws IOException, InterruptedException {
        return runUnderAgent(server, extraEnv, ScenarioRunner.TIMEOUT, args);
    }

    static ScenarioRunner.Result runUnderAgent(String server, Map<String, String> extraEnv, java.time.Duration timeout,
            String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-javaagent:" + Paths.agentJar() + "=server=" + server,
            "-cp", Paths.benchJar().toString(), MAIN));
        command.addAll(List.of(args));
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("LD_LIBRARY_PATH", ScenarioRunner.emptyOpenClDir().toString());
        return ScenarioRunner.run("workload-" + args[0] + "-agent", command, env, timeout);
    }
}

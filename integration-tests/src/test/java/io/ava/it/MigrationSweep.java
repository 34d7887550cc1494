package io.ava.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a scenario under the agent once per call index, each run migrating before that call
 * (AVA_MIGRATION_CALL_ID), and requires every run to print what the native run printed.
 */
final class MigrationSweep {
    static final Pattern CALL_COUNT = Pattern.compile("Final call count = (\\d+)");
    static final Pattern MOVED = Pattern.compile("ava: session \\S+ moved from \\S+ to \\S+");
    static final Pattern NOT_MOVED = Pattern.compile("ava: live migration did not happen \\((.*)\\); the session stays");
    /** client JVMs start faster this way; the scenarios are short */
    static final Map<String, String> FAST_JVM = Map.of("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");

    record Outcome(int runs, int moved, List<String> notMoved, List<String> failures) {
    }

    private MigrationSweep() {
    }

    /** The number of calls the scenario makes under the agent (its "Final call count"). */
    static int callCount(String scenario, ServerProcess server) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(FAST_JVM);
        env.put("AVA_MIGRATION_CALL_ID", "none");
        ScenarioRunner.Result r = ScenarioRunner.runRemote(scenario, server.port(), env);
        assertEquals(0, r.exitCode(), r::describe);
        Matcher m = CALL_COUNT.matcher(r.stderr());
        assertTrue(m.find(), () -> "no 'Final call count = N' on stderr\n" + r.describe());
        return Integer.parseInt(m.group(1));
    }

    static Outcome sweep(String scenario, ServerPair servers, List<Integer> indexes) throws Exception {
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative(scenario);
        assertEquals(0, nativeRun.exitCode(), () -> "the scenario failed natively\n" + nativeRun.describe());
        String expected = Normalizer.normalize(nativeRun.stdout());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> notMoved = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger moved = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int index : indexes) {
                runs.add(pool.submit(() -> {
                    Map<String, String> env = new java.util.HashMap<>(FAST_JVM);
                    env.put("AVA_MIGRATION_CALL_ID", String.valueOf(index));
                    ScenarioRunner.Result r = ScenarioRunner.runRemote(scenario, servers.get(0).port(), env);
                    String problem = null;
                    if (!r.stderr().contains("start live migration at call_id " + index)) {
                        problem = "no 'start live migration at call_id " + index + "' on stderr";
                    } else if (r.exitCode() != 0) {
                        problem = "exit code " + r.exitCode();
                    } else if (!expected.equals(Normalizer.normalize(r.stdout()))) {
                        problem = "stdout differs from the native run's";
                    }
                    if (problem != null) {
                        failures.add(scenario + " migrating before call " + index + ": " + problem + "\n" + r.describe());
                    } else if (MOVED.matcher(r.stderr()).find()) {
                        moved.incrementAndGet();
                    } else {
                        Matcher m = NOT_MOVED.matcher(r.stderr());
                        notMoved.add("call " + index + ": " + (m.find() ? m.group(1) : "no migration line on stderr"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (!failures.isEmpty()) {
            failures.add(0, "expected (native) stdout:\n" + expected);
        }
        return new Outcome(indexes.size(), moved.get(), notMoved, failures);
    }

    /** Every run matched the native output, and most really moved (a few may be refused for a reason). */
    static void check(String scenario, Outcome o, ServerPair servers) {
        assertTrue(o.failures().isEmpty(), () -> o.failures().size() - 1 + " of " + o.runs() + " runs of " + scenario
                + " went wrong; the first:\n" + String.join("\n", o.failures().subList(0, Math.min(3, o.failures().size())))
                + "\n" + servers.logs(60));
        System.out.println(scenario + ": " + o.runs() + " runs, " + o.moved() + " migrated, " + o.notMoved().size()
                + " kept on the source" + (o.notMoved().isEmpty() ? "" : " (" + o.notMoved().get(0) + ")"));
        assertTrue(o.moved() >= o.runs() * 0.8, () -> scenario + ": only " + o.moved() + " of " + o.runs()
                + " runs migrated; kept on the source: " + o.notMoved());
    }
}

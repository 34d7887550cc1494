package io.ava.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Live migration at a chosen call, the way AvA's benchmark scripts do it (AVA_MIGRATION_CALL_ID):
 * at every call index for three programs, at 50 random indexes for eight more. Each run must
 * print exactly what the program prints natively; afterwards neither server keeps anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationAtCallIndexTest {
    private ServerPair servers;

    @BeforeAll
    void start() throws Exception {
        servers = ServerPair.ring("migrate-at-call", 2);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            Comparison.serverDroppedEverything("the migration runs", servers.get(0));
            Comparison.serverDroppedEverything("the migration runs", servers.get(1));
        } finally {
            servers.close();
        }
    }

    /** Maps and sub-buffers; rectangles and images with non-blocking transfers; events with profiling. */
    @ParameterizedTest
    @ValueSource(strings = {"MapAndSubBuffers", "NonBlockingRectAndImageTransfers", "EventProfiling"})
    void everyCallIndex(String scenario) throws Exception {
        int calls = MigrationSweep.callCount(scenario, servers.get(0));
        List<Integer> all = IntStream.range(0, calls).boxed().toList();
        MigrationSweep.check(scenario, MigrationSweep.sweep(scenario, servers, all), servers);
    }

    @ParameterizedTest
    @ValueSource(strings = {"VectorPipeline", "Buffers", "Kernels", "MapBuffer", "UserEvents", "SvmCoarse", "Threads",
            "MarkersBarriersCrossQueue"})
    void fiftyRandomCallIndexes(String scenario) throws Exception {
        int calls = MigrationSweep.callCount(scenario, servers.get(0));
        Random random = new Random(scenario.hashCode());
        List<Integer> picked = new ArrayList<>(IntStream.range(0, calls).boxed().toList());
        java.util.Collections.shuffle(picked, random);
        List<Integer> indexes = picked.subList(0, Math.min(50, calls));
        MigrationSweep.check(scenario, MigrationSweep.sweep(scenario, servers, indexes), servers);
    }

    /** r&lt;limit&gt; picks a call below the limit, and says which. */
    @Test
    void randomIndexBelowALimit() throws Exception {
        int calls = MigrationSweep.callCount("VectorPipeline", servers.get(0));
        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative("VectorPipeline");
        java.util.Map<String, String> env = new java.util.HashMap<>(MigrationSweep.FAST_JVM);
        env.put("AVA_MIGRATION_CALL_ID", "r" + calls);
        ScenarioRunner.Result r = ScenarioRunner.runRemote("VectorPipeline", servers.get(0).port(), env);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("start live migration at call_id (\\d+)").matcher(r.stderr());
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), r::describe);
        org.junit.jupiter.api.Assertions.assertTrue(Integer.parseInt(m.group(1)) < calls, r::describe);
        org.junit.jupiter.api.Assertions.assertTrue(r.stderr().contains("Final call count = " + calls), r::describe);
        org.junit.jupiter.api.Assertions.assertEquals(Normalizer.normalize(nativeRun.stdout()), Normalizer.normalize(r.stdout()),
                r::describe);
    }
}

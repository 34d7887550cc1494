package io.ava.server.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerMetricsTest {
    private final ServerMetrics m = new ServerMetrics(List.of("clGetPlatformIDs", "clCreateBuffer", "clReleaseMemObject"),
            List.of("cl_mem", "cl_kernel"));

    private double counter(String name, String... tags) {
        var c = m.registry().find(name).tags(tags).counter();
        var f = m.registry().find(name).tags(tags).functionCounter();
        return c != null ? c.count() : f != null ? f.count() : Double.NaN;
    }

    @Test
    void callsAreCountedAndTimedPerFunction() {
        m.call(1, 2_000_000, 0);
        m.call(1, 4_000_000, 0);
        m.call(0, 1_000, 0);
        assertEquals(2.0, counter("ava.calls", "function", "clCreateBuffer"));
        assertEquals(1.0, counter("ava.calls", "function", "clGetPlatformIDs"));
        assertNull(m.registry().find("ava.calls").tags("function", "clReleaseMemObject").functionCounter(), "no meter before the first call");
        var t = m.registry().find("ava.call.duration").tags("function", "clCreateBuffer").functionTimer();
        assertEquals(2, t.count(), 1e-9);
        assertEquals(6.0, t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS), 1e-9);
        m.call(99, 1, -59); // a number the spec lacks
        assertEquals(1.0, counter("ava.calls", "function", "unknown"));
        assertEquals(1.0, counter("ava.call.errors", "code", "CL_INVALID_OPERATION", "function", "unknown"));
    }

    @Test
    void errorsAreCountedByCodeName() {
        m.call(2, 1, -38);
        m.call(2, 1, -38);
        m.call(1, 1, -61);
        m.call(1, 1, 0);
        m.call(1, 1, -1234);
        assertEquals(2.0, counter("ava.call.errors", "code", "CL_INVALID_MEM_OBJECT", "function", "clReleaseMemObject"));
        assertEquals(1.0, counter("ava.call.errors", "code", "CL_INVALID_BUFFER_SIZE"));
        assertEquals(1.0, counter("ava.call.errors", "code", "CL_ERROR_-1234"));
        assertEquals(4.0, m.registry().find("ava.call.errors").counters().stream().mapToDouble(c -> c.count()).sum());
    }

    @Test
    void bytesSessionsAndMigrations() {
        m.bytes(Traffic.GRPC_IN, 100);
        m.bytes(Traffic.GRPC_IN, 50);
        m.bytes(Traffic.BULK_OUT, 1 << 20);
        m.bytes(Traffic.MIGRATION_OUT, 0);
        assertEquals(150.0, counter("ava.bytes", "channel", "grpc", "direction", "in"));
        assertEquals(1 << 20, counter("ava.bytes", "channel", "bulk", "direction", "out"));
        assertEquals(0.0, counter("ava.bytes", "channel", "migration", "direction", "out"));

        m.sessionOpened("client");
        m.sessionOpened("client");
        m.sessionClosed("disconnected");
        assertEquals(2.0, counter("ava.sessions.opened", "kind", "client"));
        assertEquals(1.0, counter("ava.sessions.closed", "reason", "disconnected"));

        assertEquals(0.0, counter("ava.migrations", "direction", "out", "outcome", "ok"), "present before the first migration");
        m.migrationOut(true, 300_000_000, 100_000_000);
        m.migrationOut(false, 5_000_000, 0);
        m.migrationIn(true, 200_000_000);
        assertEquals(1.0, counter("ava.migrations", "direction", "out", "outcome", "ok"));
        assertEquals(1.0, counter("ava.migrations", "direction", "out", "outcome", "failed"));
        assertEquals(1.0, counter("ava.migrations", "direction", "in", "outcome", "ok"));
        assertEquals(0.0, counter("ava.migrations", "direction", "in", "outcome", "failed"));
        var total = m.registry().find("ava.migration.duration").tags("direction", "out").timer();
        assertEquals(1, total.count(), "only migrations that moved are timed");
        assertEquals(300.0, total.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(100.0, m.registry().find("ava.migration.downtime").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS), 1e-9);
    }

    @Test
    void gaugesReadTheCensusOncePerScrape() {
        int[] asked = {0};
        m.census(() -> {
            asked[0]++;
            return new LiveSnapshot(2, Map.of("cl_mem", 3L), 4096);
        });
        String text = m.scrape();
        assertEquals(1, asked[0]);
        assertTrue(text.contains("ava_sessions 2.0"), text);
        assertTrue(text.contains("ava_device_memory_bytes 4096.0"), text);
        assertTrue(text.contains("ava_objects{type=\"cl_mem\"} 3.0"), text);
        assertTrue(text.contains("ava_objects{type=\"cl_kernel\"} 0.0"), text);
        m.census(() -> LiveSnapshot.EMPTY);
        text = m.scrape();
        assertTrue(text.contains("ava_sessions 0.0") && text.contains("ava_device_memory_bytes 0.0"), text);
        m.census(() -> {
            throw new IllegalStateException("boom");
        });
        assertTrue(m.scrape().contains("ava_sessions 0.0"), "a failing census keeps the last values");
    }

    @Test
    void prometheusNames() {
        m.call(1, 1_000, -38);
        m.bytes(Traffic.BULK_IN, 10);
        m.sessionOpened("migrated");
        m.migrationOut(true, 1_000_000, 1_000);
        String text = m.scrape();
        for (String name : List.of("ava_calls_total{function=\"clCreateBuffer\"} 1.0", "ava_call_duration_seconds_count{function=\"clCreateBuffer\"} 1",
                "ava_call_errors_total{code=\"CL_INVALID_MEM_OBJECT\",function=\"clCreateBuffer\"} 1.0",
                "ava_bytes_total{channel=\"bulk\",direction=\"in\"} 10.0", "ava_sessions_opened_total{kind=\"migrated\"} 1.0",
                "ava_migrations_total{direction=\"out\",outcome=\"ok\"} 1.0", "ava_migration_duration_seconds_count{direction=\"out\"} 1",
                "ava_migration_downtime_seconds_sum{direction=\"out\"} 1.0E-6")) {
            assertTrue(text.contains(name), name + " in\n" + text);
        }
    }

    @Test
    void disabledRecordsNothing() {
        ServerMetrics off = ServerMetrics.disabled();
        assertSame(off, ServerMetrics.disabled());
        assertFalse(off.enabled());
        off.call(1, 1, -38);
        off.bytes(Traffic.GRPC_IN, 5);
        off.sessionOpened("client");
        off.sessionClosed("x");
        off.migrationOut(true, 1, 1);
        off.migrationIn(false, 1);
        assertEquals("", off.scrape());
        assertNull(off.registry());
    }

    @Test
    void errorNames() {
        assertEquals("CL_INVALID_MEM_OBJECT", ClErrorNames.name(-38));
        assertEquals("CL_OUT_OF_RESOURCES", ClErrorNames.name(-5));
        assertEquals("CL_INVALID_OPERATION", ClErrorNames.name(-59));
        assertEquals("CL_ERROR_-999", ClErrorNames.name(-999));
    }
}

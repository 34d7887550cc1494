package io.ava.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's meters (Prometheus names in brackets): calls and their latency by function
 * ({@code ava_calls_total}, {@code ava_call_duration_seconds}), errors by OpenCL code
 * ({@code ava_call_errors_total}), payload bytes ({@code ava_bytes_total}), sessions
 * ({@code ava_sessions}, {@code ava_sessions_opened_total}, {@code ava_sessions_closed_total}),
 * live objects ({@code ava_objects}), device memory ({@code ava_device_memory_bytes}) and
 * migrations ({@code ava_migrations_total}, {@code ava_migration_duration_seconds},
 * {@code ava_migration_downtime_seconds}).
 *
 * <p>{@link #disabled()} is what a server without --metrics-port uses: every method returns at
 * once, so the hot path pays one field read.
 */
public final class ServerMetrics {
    private static final ServerMetrics DISABLED = new ServerMetrics();

    private final boolean enabled;
    private final PrometheusMeterRegistry registry;
    private final CallMeters calls;
    private final Counter[] traffic;
    private volatile Supplier<LiveSnapshot> census = () -> LiveSnapshot.EMPTY;
    private volatile LiveSnapshot live = LiveSnapshot.EMPTY;

    private ServerMetrics() {
        this.enabled = false;
        this.registry = null;
        this.calls = null;
        this.traffic = null;
    }

    /** @param functions the spec's function names, by function number */
    public ServerMetrics(List<String> functions, List<String> objectTypes) {
        this.enabled = true;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.calls = new CallMeters(registry, functions);
        this.traffic = new Counter[Traffic.values().length];
        for (Traffic t : Traffic.values()) {
            traffic[t.ordinal()] = Counter.builder("ava.bytes").baseUnit("bytes")
                    .description("payload bytes received (in) and sent (out), by channel")
                    .tag("channel", t.channel).tag("direction", t.direction).register(registry);
        }
        Gauge.builder("ava.sessions", this, m -> m.live.sessions()).description("sessions the server holds").register(registry);
        Gauge.builder("ava.device.memory", this, m -> m.live.deviceMemoryBytes()).baseUnit("bytes")
                .description("bytes of the buffers and images the sessions hold").register(registry);
        for (String type : objectTypes) {
            Gauge.builder("ava.objects", this, m -> m.live.objectsByType().getOrDefault(type, 0L))
                    .description("live objects the clients own, by type").tag("type", type).register(registry);
        }
        for (String outcome : List.of("ok", "failed")) {
            for (String direction : List.of("in", "out")) {
                migrationCounter(direction, outcome); // present (at 0) before the first migration
            }
        }
    }

    public static ServerMetrics disabled() {
        return DISABLED;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Where the gauges read from: asked once per scrape. */
    public void census(Supplier<LiveSnapshot> source) {
        this.census = source;
    }

    /** One call ran: its function number, the time it took and its OpenCL error (0: success). */
    public void call(int function, long nanos, int errorCode) {
        if (enabled) {
            calls.record(function, nanos, errorCode);
        }
    }

    public void bytes(Traffic t, long bytes) {
        if (enabled && bytes > 0) {
            traffic[t.ordinal()].increment(bytes);
        }
    }

    /** @param kind "client" (a new session) or "migrated" (handed over by a peer) */
    public void sessionOpened(String kind) {
        if (enabled) {
            Counter.builder("ava.sessions.opened").description("sessions opened, by how they came")
                    .tag("kind", kind).register(registry).increment();
        }
    }

    /** @param reason why it ended: client-ended, disconnected, migrated-away, refused, server-stop, ... */
    public void sessionClosed(String reason) {
        if (enabled) {
            Counter.builder("ava.sessions.closed").description("sessions closed, by why")
                    .tag("reason", reason).register(registry).increment();
        }
    }

    /** An outgoing migration ended: how long it took, and how long the program's calls were held. */
    public void migrationOut(boolean ok, long totalNanos, long downtimeNanos) {
        if (enabled) {
            migrationCounter("out", ok ? "ok" : "failed").increment();
            if (ok) {
                migrationTimer("ava.migration.duration", "out", "from start until the client is back on the peer")
                        .record(totalNanos, TimeUnit.NANOSECONDS);
                migrationTimer("ava.migration.downtime", "out", "time the program's calls were held (total less pre-copy)")
                        .record(downtimeNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** An incoming migration ended: taken over (the client came back here) or discarded. */
    public void migrationIn(boolean ok, long nanos) {
        if (enabled) {
            migrationCounter("in", ok ? "ok" : "failed").increment();
            if (ok) {
                migrationTimer("ava.migration.duration", "in", "from the first packet until the client is back here")
                        .record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private Counter migrationCounter(String direction, String outcome) {
        return Counter.builder("ava.migrations").description("migrations, by direction and outcome")
                .tag("direction", direction).tag("outcome", outcome).register(registry);
    }

    private Timer migrationTimer(String name, String direction, String description) {
        return Timer.builder(name).description(description).tag("direction", direction).register(registry);
    }

    /** The Prometheus text exposition, with the gauges read afresh. */
    public String scrape() {
        if (!enabled) {
            return "";
        }
        try {
            live = census.get();
        } catch (RuntimeException e) {
            // a census that fails leaves the gauges at their last values
        }
        return registry.scrape();
    }

    /** The registry, for tests and for binding more meters. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }
}

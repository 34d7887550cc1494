package io.ava.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Calls by function: a counter and a latency timer per function, made on a function's first call
 * and kept in arrays by function number, so a call costs two array reads and the meters' own
 * adds; errors by OpenCL code (rare, so a map is fine there).
 */
final class CallMeters {
    private final MeterRegistry registry;
    private final List<String> functions;
    private final Counter[] calls;
    private final Timer[] latency;
    private final Map<Long, Counter> errors = new ConcurrentHashMap<>();

    CallMeters(MeterRegistry registry, List<String> functions) {
        this.registry = registry;
        this.functions = List.copyOf(functions);
        this.calls = new Counter[functions.size()];
        this.latency = new Timer[functions.size()];
    }

    void record(int function, long nanos, int errorCode) {
        int f = function >= 0 && function < calls.length ? function : -1;
        if (f < 0) {
            counterFor(-1).increment(); // a function number the spec lacks: the call was refused
        } else {
            Counter c = calls[f];
            if (c == null) {
                // first call of this function: threads that race here get the same meters from the registry
                latency[f] = timerFor(f);
                calls[f] = c = counterFor(f);
            }
            c.increment();
            Timer t = latency[f];
            if (t != null) {
                t.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
        if (errorCode != 0) {
            errors.computeIfAbsent(((long) f << 32) | (errorCode & 0xffffffffL), k -> Counter.builder("ava.call.errors")
                    .description("calls that returned an OpenCL error, by error and function")
                    .tag("code", ClErrorNames.name(errorCode)).tag("function", name(f)).register(registry)).increment();
        }
    }

    private String name(int function) {
        return function < 0 ? "unknown" : functions.get(function);
    }

    private Counter counterFor(int function) {
        return Counter.builder("ava.calls").description("OpenCL calls run, by function").tag("function", name(function))
                .register(registry);
    }

    private Timer timerFor(int function) {
        return Timer.builder("ava.call.duration").description("time the server spent on a call (checks, native call, reply)")
                .tag("function", name(function)).register(registry);
    }
}

package io.ava.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Calls by function: a count and the summed time per function, kept in {@link LongAdder}s in
 * arrays by function number and read by Micrometer only when it is scraped
 * ({@code FunctionCounter} and {@code FunctionTimer}), so a call costs an array read and two
 * adds; errors by OpenCL code (rare, so a map is fine there).
 */
final class CallMeters {
    /** One function's count and time. */
    private static final class Cell {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private final MeterRegistry registry;
    private final List<String> functions;
    private final Cell[] cells;
    private final Map<Long, Counter> errors = new ConcurrentHashMap<>();

    CallMeters(MeterRegistry registry, List<String> functions) {
        this.registry = registry;
        this.functions = List.copyOf(functions);
        this.cells = new Cell[functions.size() + 1]; // the last: function numbers the spec lacks
    }

    void record(int function, long nanos, int errorCode) {
        int f = function >= 0 && function < functions.size() ? function : functions.size();
        Cell c = cells[f];
        if (c == null) {
            c = register(f); // the function's first call
        }
        c.count.increment();
        c.nanos.add(nanos);
        if (errorCode != 0) {
            errors.computeIfAbsent(((long) f << 32) | (errorCode & 0xffffffffL), k -> Counter.builder("ava.call.errors")
                    .description("calls that returned an OpenCL error, by error and function")
                    .tag("code", ClErrorNames.name(errorCode)).tag("function", name(f)).register(registry)).increment();
        }
    }

    private synchronized Cell register(int f) {
        Cell c = cells[f];
        if (c != null) {
            return c; // another thread made it meanwhile
        }
        Cell made = new Cell();
        FunctionCounter.builder("ava.calls", made, x -> x.count.doubleValue()).description("OpenCL calls run, by function")
                .tag("function", name(f)).register(registry);
        FunctionTimer.builder("ava.call.duration", made, x -> x.count.longValue(), x -> x.nanos.doubleValue(), TimeUnit.NANOSECONDS)
                .description("time the server spent on calls (checks, native call, reply), by function")
                .tag("function", name(f)).register(registry);
        cells[f] = made;
        return made;
    }

    private String name(int f) {
        return f < functions.size() ? functions.get(f) : "unknown";
    }
}

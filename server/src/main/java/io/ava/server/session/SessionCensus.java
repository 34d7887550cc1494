package io.ava.server.session;

import io.ava.server.metrics.LiveSnapshot;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Counts what the sessions hold, for the gauges: sessions, live objects by type, device memory. */
final class SessionCensus implements Supplier<LiveSnapshot> {
    private final SessionRegistry registry;

    SessionCensus(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public LiveSnapshot get() {
        Map<String, Long> objects = new HashMap<>();
        long bytes = 0;
        int sessions = 0;
        for (ServerSession s : registry.sessions()) {
            sessions++;
            if (!s.isClosed()) {
                bytes += s.table().census(objects);
            }
        }
        return new LiveSnapshot(sessions, objects, bytes);
    }
}

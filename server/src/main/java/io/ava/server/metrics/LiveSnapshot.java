package io.ava.server.metrics;

import java.util.Map;

/**
 * What the server holds at one moment, over all sessions: taken once per scrape, so the gauges
 * cost nothing between scrapes.
 *
 * @param sessions          sessions listed (serving, migrating, or waiting for a migrated client)
 * @param objectsByType     live objects the clients own, by OpenCL type (cl_mem, cl_kernel, ...)
 * @param deviceMemoryBytes bytes of the live buffers and images
 */
public record LiveSnapshot(int sessions, Map<String, Long> objectsByType, long deviceMemoryBytes) {
    public static final LiveSnapshot EMPTY = new LiveSnapshot(0, Map.of(), 0);

    public long objects() {
        long n = 0;
        for (long v : objectsByType.values()) {
            n += v;
        }
        return n;
    }
}

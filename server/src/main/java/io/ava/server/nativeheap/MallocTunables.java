package io.ava.server.nativeheap;

import java.util.Map;

/**
 * The glibc malloc setting a server process should run with: a fixed mmap threshold.
 *
 * <p>glibc raises its mmap threshold (up to 32 MiB) each time a large mmapped block is freed. In a
 * long-lived server every finished session frees its buffers, so later sessions' device buffers
 * (PoCL allocates them with malloc) come from malloc's arenas instead of fresh mappings, as a
 * one-shot native program gets them. On this kind of machine the same PoCL kernels then ran
 * slower: bfs's OpenCL part took 9.0-9.5 s with a fixed threshold against 10.7-11.0 s without
 * (the README has the experiment). A fixed threshold also stops the adjustment. The setting can
 * only be made before the process starts (GLIBC_TUNABLES), so the launchers set it.
 */
public final class MallocTunables {
    public static final String VARIABLE = "GLIBC_TUNABLES";
    /** glibc's default threshold, kept fixed. */
    public static final String SETTING = "glibc.malloc.mmap_threshold=131072";
    private static final String NAME = "glibc.malloc.mmap_threshold=";

    private MallocTunables() {
    }

    /** Whether {@code tunables} (a GLIBC_TUNABLES value, may be null) sets the mmap threshold. */
    public static boolean setsThreshold(String tunables) {
        if (tunables == null) {
            return false;
        }
        for (String part : tunables.split(":")) {
            if (part.startsWith(NAME)) {
                return true;
            }
        }
        return false;
    }

    /** {@code tunables} with {@link #SETTING} added, unless it sets a threshold of its own. */
    public static String with(String tunables) {
        if (setsThreshold(tunables)) {
            return tunables;
        }
        return tunables == null || tunables.isEmpty() ? SETTING : tunables + ":" + SETTING;
    }

    /** Adds the setting to a child's environment (a caller's own threshold wins). */
    public static void addTo(Map<String, String> environment) {
        environment.put(VARIABLE, with(environment.get(VARIABLE)));
    }

    /** A one-line hint for the log when this process runs without a fixed threshold, else null. */
    public static String hintIfMissing(String tunables) {
        if (setsThreshold(tunables)) {
            return null;
        }
        return "GLIBC_TUNABLES sets no glibc.malloc.mmap_threshold: after earlier sessions free their buffers,"
                + " new device buffers may come from malloc's arenas, where CPU kernels ran slower here;"
                + " bin/ava-server and the Docker image set " + VARIABLE + "=" + SETTING;
    }
}

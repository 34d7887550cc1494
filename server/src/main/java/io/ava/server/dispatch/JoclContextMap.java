package io.ava.server.dispatch;

import java.util.Set;

/**
 * JOCL 2.0.5 keeps each context's notify callback in one process-wide {@code std::map} with no lock:
 * clCreateContext and clCreateContextFromType insert into it, and every clReleaseContext looks a context up and
 * erases it. Two sessions doing that at the same moment corrupt the map and kill the server (SIGSEGV in
 * {@code std::_Rb_tree}, or exit 139 with no hs_err when the damaged heap breaks the JVM's own crash handler). So
 * every call that touches the map, from any session, holds {@link #LOCK}; they are rare and short.
 */
public final class JoclContextMap {
    /** Held around each native call that reads or writes JOCL's context-callback map. */
    public static final Object LOCK = new Object();

    /** The JOCL entry points that touch the map (the spec's names). */
    static final Set<String> FUNCTIONS = Set.of("clCreateContext", "clCreateContextFromType", "clReleaseContext");

    private JoclContextMap() {
    }
}

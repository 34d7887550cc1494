package io.ava.server.session;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions a server holds, for status and for shutdown. */
public final class SessionRegistry {
    private final Map<String, ServerSession> sessions = new ConcurrentHashMap<>();
    private volatile String serverName;

    public SessionRegistry(String serverName) {
        this.serverName = serverName;
    }

    public String serverName() {
        return serverName;
    }

    /** Once the port is known: the name says which server of a host this is (migration logs name it). */
    public void serverName(String name) {
        this.serverName = name;
    }

    private volatile MigrationHooks migrationHooks;
    /** Sessions handed over by a peer, waiting for their client, by resume token (hex). */
    private final Map<String, ServerSession> resumable = new ConcurrentHashMap<>();
    private final String idPrefix = "s" + Long.toHexString(new java.security.SecureRandom().nextInt(0xfffff) | 0x100000) + "-";
    private final java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong();

    /** A session id no other server hands out (a session keeps its id when it migrates). */
    public String newSessionId() {
        return idPrefix + nextId.incrementAndGet();
    }

    public MigrationHooks migrationHooks() {
        return migrationHooks;
    }

    public void migrationHooks(MigrationHooks hooks) {
        this.migrationHooks = hooks;
    }

    /** A handed-over session, listed, waiting for the client that presents the token. */
    public void awaitClient(ServerSession s, byte[] token) {
        resumable.put(java.util.HexFormat.of().formatHex(token), s);
        add(s);
        metrics.sessionOpened("migrated");
    }

    /** The session waiting for this token, taken (a token works once); null if none. */
    ServerSession takeResumable(byte[] token) {
        return resumable.remove(java.util.HexFormat.of().formatHex(token));
    }

    /** True if the session was still waiting for its client (and now is not). */
    public boolean takeResumableForTimeout(byte[] token) {
        return token != null && resumable.remove(java.util.HexFormat.of().formatHex(token)) != null;
    }

    public void forgetResumable(byte[] token) {
        resumable.remove(java.util.HexFormat.of().formatHex(token));
    }

    private volatile long reconnectGraceMillis;
    /** Sessions that may be re-attached after a dropped connection, by reconnect token (hex). */
    private final Map<String, ServerSession> reconnectable = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ava-reconnect-grace");
        t.setDaemon(true);
        return t;
    });

    /** How long a session whose client vanished waits for it to reconnect (0: it is released at once). */
    public long reconnectGraceMillis() {
        return reconnectGraceMillis;
    }

    public void reconnectGraceMillis(long millis) {
        this.reconnectGraceMillis = millis;
    }

    java.util.concurrent.ScheduledExecutorService timers() {
        return timers;
    }

    void reconnectable(byte[] token, ServerSession s) {
        reconnectable.put(java.util.HexFormat.of().formatHex(token), s);
    }

    /** The session this reconnect token belongs to, if the server still holds it. */
    ServerSession reconnecting(byte[] token) {
        ServerSession s = reconnectable.get(java.util.HexFormat.of().formatHex(token));
        return s == null || s.isClosed() ? null : s;
    }

    void forgetReconnect(byte[] token) {
        if (token != null) {
            reconnectable.remove(java.util.HexFormat.of().formatHex(token));
        }
    }

    void add(ServerSession s) {
        sessions.put(s.id(), s);
    }

    /** True if the session was listed (a handed-over session is listed only once it was rebuilt). */
    boolean remove(ServerSession s) {
        return sessions.remove(s.id(), s);
    }

    private volatile io.ava.server.metrics.ServerMetrics metrics = io.ava.server.metrics.ServerMetrics.disabled();

    /** The server's meters (disabled unless --metrics-port). */
    public io.ava.server.metrics.ServerMetrics metrics() {
        return metrics;
    }

    /** Set before the first session: sessions read it once, when they are made. */
    public void metrics(io.ava.server.metrics.ServerMetrics m) {
        this.metrics = m;
        m.census(new SessionCensus(this));
    }

    private volatile io.ava.server.dispatch.Limits limits = io.ava.server.dispatch.Limits.NONE;

    /** What each session may hold (--max-session-memory, --max-session-objects, --max-session-inflight). */
    public io.ava.server.dispatch.Limits limits() {
        return limits;
    }

    public void limits(io.ava.server.dispatch.Limits l) {
        this.limits = l;
    }

    private volatile io.ava.server.printf.PrintfCapture printf;
    private volatile boolean recording = true;

    /** Whether sessions keep a record log (on unless --no-record, which exists to measure its cost). */
    public boolean recording() {
        return recording;
    }

    public void recording(boolean on) {
        this.recording = on;
    }

    public void printf(io.ava.server.printf.PrintfCapture capture) {
        this.printf = capture;
    }

    public io.ava.server.printf.PrintfCapture printf() {
        return printf;
    }

    /**
     * Kernel printf text goes to the session that last launched a kernel that prints; with no
     * such session it goes to the server's log.
     */
    public void printfOutput(String text) {
        ServerSession target = null;
        for (ServerSession s : sessions.values()) {
            if (s.lastPrintfLaunch() != 0 && (target == null || s.lastPrintfLaunch() > target.lastPrintfLaunch())) {
                target = s;
            }
        }
        if (target == null) {
            System.err.print(text);
            return;
        }
        target.push(io.ava.proto.Push.newBuilder().setCallback(io.ava.proto.CallbackPush.newBuilder()
                .setCallbackId(0).setText(text)).build());
    }

    public Collection<ServerSession> sessions() {
        return List.copyOf(sessions.values());
    }

    public void closeAll() {
        for (ServerSession s : sessions()) {
            s.close("server-stop");
        }
    }
}

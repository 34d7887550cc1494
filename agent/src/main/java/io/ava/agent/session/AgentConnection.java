package io.ava.agent.session;

import io.ava.proto.Reply;
import io.ava.spec.Spec;

/**
 * The agent's session, opened at start on a background thread ({@link #connectInBackground}), or
 * else on the first OpenCL call, which then waits for it. When the server cannot be reached the
 * agent says so once, in one line, and every call fails fast with CL_DEVICE_NOT_AVAILABLE.
 */
public final class AgentConnection {
    private final AgentConfig config;
    private volatile RemoteSession session;
    private volatile boolean failed;

    public AgentConnection(AgentConfig config) {
        this.config = config;
    }

    public AgentConfig config() {
        return config;
    }

    /**
     * Opens the session on a daemon thread, so that the JVM's start and the program's own set-up
     * hide the connection's cost (channel, TLS, Netty warm-up: most of a second) instead of the
     * first OpenCL call paying it. The first call waits on the same lock if it comes sooner.
     */
    public void connectInBackground() {
        Thread t = new Thread(this::session, "ava-connect");
        t.setDaemon(true);
        t.start();
    }

    /** The open session, or null when there is none to be had. */
    public RemoteSession session() {
        RemoteSession s = session;
        if (s != null || failed) {
            return s;
        }
        synchronized (this) {
            if (session == null && !failed) {
                try {
                    session = RemoteSession.open(config.server(), config.credentials(), Spec.bundledDigest(), clientName(), this::asyncFailed,
                            config.reconnectSeconds());
                    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "ava-close"));
                } catch (SessionException e) {
                    // said before failed is set: a call that sees failed may end the program at once
                    System.err.println(refusal(config.server(), config.credentials(), e.getMessage()));
                    failed = true;
                }
            }
            return session;
        }
    }

    /** The one line that says why no session could be opened. */
    static String refusal(String server, Credentials credentials, String why) {
        String failing = "; OpenCL calls fail with CL_DEVICE_NOT_AVAILABLE";
        why = why.replaceAll("\\s*\\R\\s*", " "); // one line, whatever the transport said
        if (why.startsWith("UNAUTHENTICATED")) {
            String reason = why.contains("wrong token") ? "wrong token" : why.contains("missing token") ? "missing token"
                    : why.substring(why.indexOf(':') + 1).trim();
            return "ava: server " + server + " refused the session: " + reason + " (" + credentials.hint() + ")" + failing;
        }
        String lower = why.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("ssl") || lower.contains("certificate") || lower.contains("handshake") || lower.contains("tls")) {
            return "ava: TLS with ava-server at " + server + " failed (" + why + "; check the agent arguments tlsCa=, tlsCert=, "
                    + "tlsKey= against the server's --tls-* files)" + failing;
        }
        return "ava: cannot reach ava-server at " + server + " (" + why + ")" + failing;
    }

    /** The session broke mid-run: say so once; later calls fail fast. */
    void lost(SessionException e) {
        synchronized (this) {
            if (!failed) {
                RemoteSession s = session;
                System.err.println("ava: lost the session with ava-server at " + (s != null ? s.target() : config.server())
                        + " (" + e.getMessage()
                        + "); OpenCL calls fail with CL_DEVICE_NOT_AVAILABLE");
                failed = true;
                session = null;
            }
        }
    }

    private void asyncFailed(Reply r) {
        System.err.println("ava: an asynchronous call (call " + r.getCallId() + ") failed on the server with error "
                + r.getResult() + (r.getMessage().isEmpty() ? "" : ": " + r.getMessage()));
    }

    private void close() {
        RemoteSession s = session;
        if (s != null) {
            s.close();
        }
    }

    private static String clientName() {
        String cmd = System.getProperty("sun.java.command", "java");
        int space = cmd.indexOf(' ');
        return (space > 0 ? cmd.substring(0, space) : cmd) + " pid " + ProcessHandle.current().pid();
    }
}

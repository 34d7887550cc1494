package io.ava.server.session;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions a server holds, for status and for shutdown. */
public final class SessionRegistry {
    private final Map<String, ServerSession> sessions = new ConcurrentHashMap<>();
    private final String serverName;

    public SessionRegistry(String serverName) {
        this.serverName = serverName;
    }

    public String serverName() {
        return serverName;
    }

    void add(ServerSession s) {
        sessions.put(s.id(), s);
    }

    void remove(ServerSession s) {
        sessions.remove(s.id(), s);
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
            s.close();
        }
    }
}

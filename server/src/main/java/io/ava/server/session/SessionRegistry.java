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

    public Collection<ServerSession> sessions() {
        return List.copyOf(sessions.values());
    }

    public void closeAll() {
        for (ServerSession s : sessions()) {
            s.close();
        }
    }
}

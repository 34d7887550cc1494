package io.ava.server.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bulk side channel's port. gRPC copies every received message, which caps bulk transfers
 * at a fraction of what a socket carries; so buffers larger than a few hundred KiB move as raw
 * bytes on one plain TCP connection per session, opened by the client and proven by a random
 * token the session handed out over gRPC.
 */
public final class BulkListener {
    private static final Logger log = LoggerFactory.getLogger(BulkListener.class);
    static final int TOKEN_BYTES = 16;

    private final ServerSocketChannel server;
    private final Map<ByteBuffer, ServerSession> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public BulkListener(String bind) throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(bind, 0));
        Thread t = new Thread(this::acceptLoop, "ava-bulk-accept");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** A token the session's client may present once. */
    byte[] issue(ServerSession session) {
        byte[] token = new byte[TOKEN_BYTES];
        random.nextBytes(token);
        pending.put(ByteBuffer.wrap(token), session);
        return token;
    }

    void forget(ServerSession session) {
        pending.values().removeIf(s -> s == session);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread t = new Thread(() -> authenticate(ch), "ava-bulk-auth");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    io.ava.server.logging.Events.warn(log, "bulk-accept-failed").addKeyValue("reason", e.getMessage()).log();
                }
            }
        }
    }

    /**
     * The first 16 bytes must be a token a session handed out (over its authenticated gRPC
     * stream), compared in constant time; anything else is logged and closed before a byte of it
     * is read as data. A connection that sends nothing is dropped after 10 s.
     */
    private void authenticate(SocketChannel ch) {
        java.net.SocketAddress from = null;
        try {
            from = ch.getRemoteAddress();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().setSoTimeout(10_000); // honoured by the adaptor's stream, not by ch.read
            byte[] presented = ch.socket().getInputStream().readNBytes(TOKEN_BYTES);
            ch.socket().setSoTimeout(0);
            ServerSession s = presented.length == TOKEN_BYTES ? take(presented) : null;
            if (s == null) {
                io.ava.server.logging.Events.warn(log, "bulk-refused")
                        .addKeyValue("reason", presented.length < TOKEN_BYTES ? "no-token" : "wrong-token")
                        .addKeyValue("client", String.valueOf(from)).log();
                ch.close();
                return;
            }
            s.attachBulk(new BulkConnection(ch, s));
            ch.write(ByteBuffer.wrap(new byte[]{1}));
        } catch (IOException e) {
            System.err.println("ava-server: refused " + from + " on the bulk port: " + e.getMessage());
            try {
                ch.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** The session that issued {@code presented}, which is then used up; null for no such token. */
    private ServerSession take(byte[] presented) {
        for (Map.Entry<ByteBuffer, ServerSession> e : pending.entrySet()) {
            if (java.security.MessageDigest.isEqual(e.getKey().array(), presented) && pending.remove(e.getKey(), e.getValue())) {
                return e.getValue();
            }
        }
        return null;
    }

    public void close() throws IOException {
        server.close();
    }
}

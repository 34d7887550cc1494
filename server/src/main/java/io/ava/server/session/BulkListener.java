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

    private void authenticate(SocketChannel ch) {
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().setSoTimeout(10_000);
            ByteBuffer token = ByteBuffer.allocate(TOKEN_BYTES);
            while (token.hasRemaining()) {
                if (ch.read(token) < 0) {
                    ch.close();
                    return;
                }
            }
            token.flip();
            ServerSession s = pending.remove(token);
            if (s == null) {
                io.ava.server.logging.Events.warn(log, "bulk-refused").addKeyValue("reason", "bad-token")
                        .addKeyValue("client", String.valueOf(ch.getRemoteAddress())).log();
                ch.close();
                return;
            }
            s.attachBulk(new BulkConnection(ch, s));
            ch.write(ByteBuffer.wrap(new byte[]{1}));
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    public void close() throws IOException {
        server.close();
    }
}

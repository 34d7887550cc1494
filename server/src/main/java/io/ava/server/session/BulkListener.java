package io.ava.server.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ava.proto.Welcome;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The bulk side channel's port. gRPC copies every received message, which caps bulk transfers
 * at a fraction of what a socket carries; so buffers larger than a few hundred KiB move as raw
 * bytes on one plain TCP connection per session, opened by the client and proven by a random
 * token the session handed out over gRPC.
 *
 * <p>The same channel is also offered on a Unix domain socket in java.io.tmpdir, for clients on
 * this host: on loopback it carried 1 GiB in 100-140 ms against 230-460 ms over TCP (a 2-core VM),
 * and the CPU it saves is the kernels' when the OpenCL device is the CPU.
 */
public final class BulkListener {
    private static final Logger log = LoggerFactory.getLogger(BulkListener.class);
    static final int TOKEN_BYTES = 16;

    private static final long TOKEN_WAIT_MS = 10_000;

    private final ServerSocketChannel server;
    /** The Unix domain socket, or null when there is none. */
    private final ServerSocketChannel local;
    private final Path localPath;
    private final Map<ByteBuffer, ServerSession> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** Closes a connection that has not sent its token in time (a channel's reads have no timeout). */
    private final ScheduledExecutorService tokenTimeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ava-bulk-token-timeout");
        t.setDaemon(true);
        return t;
    });

    /** @param localSocket whether to offer the channel on a Unix domain socket too */
    public BulkListener(String bind, boolean localSocket) throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(bind, 0));
        start(server, false, "ava-bulk-accept");
        Path path = null;
        ServerSocketChannel uds = null;
        if (localSocket) {
            path = Path.of(System.getProperty("java.io.tmpdir"), "ava-bulk-" + ProcessHandle.current().pid() + "-" + port() + ".sock");
            try {
                Files.deleteIfExists(path);
                uds = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                uds.bind(UnixDomainSocketAddress.of(path));
                start(uds, true, "ava-bulk-accept-local");
            } catch (IOException | UnsupportedOperationException e) {
                io.ava.server.logging.Events.warn(log, "bulk-socket-unavailable").addKeyValue("path", path)
                        .addKeyValue("reason", e.getMessage()).log();
                if (uds != null) {
                    uds.close();
                }
                uds = null;
                path = null;
            }
        }
        local = uds;
        localPath = path;
    }

    private void start(ServerSocketChannel channel, boolean isLocal, String name) {
        Thread t = new Thread(() -> acceptLoop(channel, isLocal), name);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** The Unix domain socket's path, or null when the channel is on TCP only. */
    public Path localPath() {
        return localPath;
    }

    /** Tells a client where the channel is, with a token for {@code session}. */
    void offer(Welcome.Builder welcome, ServerSession session) {
        welcome.setBulkPort(port()).setBulkToken(com.google.protobuf.ByteString.copyFrom(issue(session)));
        if (localPath != null) {
            welcome.setBulkPath(localPath.toString());
        }
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

    private void acceptLoop(ServerSocketChannel channel, boolean isLocal) {
        while (channel.isOpen()) {
            try {
                SocketChannel ch = channel.accept();
                Thread t = new Thread(() -> authenticate(ch, isLocal), "ava-bulk-auth");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (channel.isOpen()) {
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
    private void authenticate(SocketChannel ch, boolean isLocal) {
        java.net.SocketAddress from = null;
        try {
            from = isLocal ? UnixDomainSocketAddress.of(localPath) : ch.getRemoteAddress();
            if (!isLocal) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            byte[] presented = readToken(ch);
            ServerSession s = presented.length == TOKEN_BYTES ? take(presented) : null;
            if (s == null) {
                io.ava.server.logging.Events.warn(log, "bulk-refused")
                        .addKeyValue("reason", presented.length < TOKEN_BYTES ? "no-token" : "wrong-token")
                        .addKeyValue("client", String.valueOf(from)).log();
                ch.close();
                return;
            }
            s.attachBulk(new BulkConnection(ch, s, isLocal), isLocal ? "unix" : "tcp");
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

    /**
     * The first bytes of a connection, up to a token's length. A channel's reads have no timeout (a
     * Unix domain channel has no socket adaptor to set one on), so a timer closes the channel instead.
     */
    private byte[] readToken(SocketChannel ch) throws IOException {
        ScheduledFuture<?> timeout = tokenTimeouts.schedule(() -> {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is all it does
            }
        }, TOKEN_WAIT_MS, TimeUnit.MILLISECONDS);
        try {
            ByteBuffer token = ByteBuffer.allocate(TOKEN_BYTES);
            while (token.hasRemaining() && ch.read(token) >= 0) {
                // until the token is whole or the client stops
            }
            return java.util.Arrays.copyOf(token.array(), token.position());
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("no token within " + TOKEN_WAIT_MS / 1000 + " s", e);
        } finally {
            timeout.cancel(false);
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

    /** Stops listening and removes the Unix domain socket's file. */
    public void close() {
        try {
            server.close();
            if (local != null) {
                local.close();
                Files.deleteIfExists(localPath);
            }
        } catch (IOException e) {
            io.ava.server.logging.Events.warn(log, "bulk-close-failed").addKeyValue("reason", e.getMessage()).log();
        }
        tokenTimeouts.shutdownNow();
    }
}

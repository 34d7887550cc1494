package io.ava.server.direct;

import io.ava.proto.ClientMessage;
import io.ava.server.security.Security;
import io.ava.server.session.SessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The direct port ({@code --direct-port}): client sessions on plain TCP, without gRPC. A client on
 * the same host spends most of its remoting CPU in gRPC's stack (HTTP/2 framing, Netty's event
 * loop, and the JIT compiling both), CPU a CPU device needs too; here each message is one
 * length-delimited protobuf write. The sessions themselves are the same as on the gRPC port. No TLS:
 * the server refuses the option together with {@code --tls-*}; the token, if any, comes in the Hello.
 */
public final class DirectListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectListener.class);

    private final ServerSocket server;
    private final SessionService sessions;
    private final Security security;

    public DirectListener(String bind, int port, SessionService sessions, Security security) throws IOException {
        this.sessions = sessions;
        this.security = security;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port));
        Thread t = new Thread(this::acceptLoop, "ava-direct-accept");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "ava-direct-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    io.ava.server.logging.Events.warn(log, "direct-accept-failed").addKeyValue("reason", e.getMessage()).log();
                }
            }
        }
    }

    private void serve(Socket s) {
        String remote = String.valueOf(s.getRemoteSocketAddress());
        DirectStream stream;
        try {
            s.setTcpNoDelay(true);
            stream = new DirectStream(s);
        } catch (IOException e) {
            closeQuietly(s);
            return;
        }
        stream.readInto(sessions.open(stream, remote), (ClientMessage first) -> {
            String why = security.refusal(first.hasHello() ? first.getHello().getAuthorization() : null);
            if (why != null) {
                System.err.println("ava-server: refused " + remote + " on the direct port: " + why);
            }
            return why;
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

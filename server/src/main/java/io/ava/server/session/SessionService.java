package io.ava.server.session;

import io.ava.proto.AvaSessionGrpc;
import io.ava.proto.ClientMessage;
import io.ava.proto.ServerMessage;
import io.ava.server.dispatch.Dispatcher;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.net.SocketAddress;

/** The client port: one {@link ServerSession} per stream. */
public final class SessionService extends AvaSessionGrpc.AvaSessionImplBase {
    /** Messages the server accepts ahead of processing; calls inside are queued per thread. */
    private static final int INBOUND_WINDOW = 32;
    /** The largest client message either client port (gRPC or direct) takes. */
    public static final int MAX_INBOUND_MESSAGE = 8 << 20;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SessionService.class);

    private final Dispatcher dispatcher;
    private final SessionRegistry registry;
    private final String specDigest;

    private final BulkListener bulkListener;

    public SessionService(Dispatcher dispatcher, SessionRegistry registry, String specDigest, BulkListener bulkListener) {
        this.bulkListener = bulkListener;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.specDigest = specDigest;
    }

    @Override
    public StreamObserver<ClientMessage> session(StreamObserver<ServerMessage> responseObserver) {
        return open((ServerCallStreamObserver<ServerMessage>) responseObserver, String.valueOf(SessionService.remoteAddress()));
    }

    /** A client stream from any transport (gRPC, or the direct port's socket) from {@code remote}. */
    public StreamObserver<ClientMessage> open(ServerCallStreamObserver<ServerMessage> out, String remote) {
        out.disableAutoRequest();
        out.request(INBOUND_WINDOW);
        return new SessionStream(out, remote);
    }

    /**
     * One client stream. Its first message says whose it is: a Hello opens a new session, a
     * Hello with a resume token continues a session a peer server handed over to this one.
     */
    private final class SessionStream implements StreamObserver<ClientMessage> {
        private final ServerCallStreamObserver<ServerMessage> out;
        private final String remote;
        private ServerSession session;

        SessionStream(ServerCallStreamObserver<ServerMessage> out, String remote) {
            this.out = out;
            this.remote = remote;
        }

        @Override
        public void onNext(ClientMessage msg) {
            if (session == null) {
                byte[] token = msg.hasHello() ? msg.getHello().getResumeToken().toByteArray() : new byte[0];
                byte[] reconnect = msg.hasHello() ? msg.getHello().getReconnectToken().toByteArray() : new byte[0];
                if (reconnect.length > 0) {
                    ServerSession held = registry.reconnecting(reconnect);
                    if (held == null || !held.reattach(msg.getHello(), out, remote)) {
                        io.ava.server.logging.Events.info(org.slf4j.LoggerFactory.getLogger(SessionService.class),
                                "reconnect-refused").addKeyValue("client", remote).addKeyValue("reason", "unknown-token").log();
                        out.onError(io.grpc.Status.NOT_FOUND.withDescription("the server no longer holds this session "
                                + "(its reconnect grace ran out, or the server restarted)").asRuntimeException());
                        return;
                    }
                    session = held;
                    return;
                }
                if (token.length > 0) {
                    ServerSession waiting = registry.takeResumable(token);
                    if (waiting == null) {
                        io.ava.server.logging.Events.warn(log, "refused").addKeyValue("reason", "unknown resume token")
                                .addKeyValue("client", remote).log();
                        out.onError(io.grpc.Status.NOT_FOUND.withDescription(
                                "no migrated session waits here for this resume token").asRuntimeException());
                        return;
                    }
                    waiting.attach(out, remote);
                    session = waiting;
                } else {
                    session = new ServerSession(registry.newSessionId(), remote, out, dispatcher, registry, specDigest,
                            bulkListener);
                    registry.add(session);
                    registry.metrics().sessionOpened("client");
                }
            }
            try {
                session.onNext(msg);
            } catch (RuntimeException e) {
                // a message the checks did not foresee costs that message, never the client's stream
                org.slf4j.LoggerFactory.getLogger(SessionService.class).error("event=bad-message client={}", remote, e);
                try {
                    out.request(1);
                } catch (RuntimeException gone) {
                    // the stream is already closed
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            if (session != null) {
                session.streamFailed(out, t);
            }
        }

        @Override
        public void onCompleted() {
            if (session != null) {
                session.streamCompleted(out);
            } else {
                out.onCompleted();
            }
        }
    }

    static SocketAddress remoteAddress() {
        return RemoteAddressInterceptor.REMOTE.get(Context.current());
    }
}

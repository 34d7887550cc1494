package io.ava.server.session;

import io.ava.proto.AvaSessionGrpc;
import io.ava.proto.ClientMessage;
import io.ava.proto.ServerMessage;
import io.ava.server.dispatch.Dispatcher;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/** The client port: one {@link ServerSession} per stream. */
public final class SessionService extends AvaSessionGrpc.AvaSessionImplBase {
    /** Messages the server accepts ahead of processing; calls inside are queued per thread. */
    private static final int INBOUND_WINDOW = 32;

    private final Dispatcher dispatcher;
    private final SessionRegistry registry;
    private final String specDigest;
    private final AtomicLong nextId = new AtomicLong();

    private final BulkListener bulkListener;

    public SessionService(Dispatcher dispatcher, SessionRegistry registry, String specDigest, BulkListener bulkListener) {
        this.bulkListener = bulkListener;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.specDigest = specDigest;
    }

    @Override
    public StreamObserver<ClientMessage> session(StreamObserver<ServerMessage> responseObserver) {
        ServerCallStreamObserver<ServerMessage> out = (ServerCallStreamObserver<ServerMessage>) responseObserver;
        out.disableAutoRequest();
        SocketAddress remote = SessionService.remoteAddress();
        ServerSession s = new ServerSession("s" + nextId.incrementAndGet(), String.valueOf(remote), out, dispatcher,
                registry, specDigest, bulkListener);
        registry.add(s);
        out.request(INBOUND_WINDOW);
        return s;
    }

    static SocketAddress remoteAddress() {
        return RemoteAddressInterceptor.REMOTE.get(Context.current());
    }
}

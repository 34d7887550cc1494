package io.ava.server.session;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import java.net.SocketAddress;

/** Makes the client's address available to the session it opens (for logs and status). */
public final class RemoteAddressInterceptor implements ServerInterceptor {
    static final Context.Key<SocketAddress> REMOTE = Context.key("ava-remote");
    /** the address the caller reached this server at (a migration target hands it to the client) */
    public static final Context.Key<SocketAddress> LOCAL = Context.key("ava-local");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        SocketAddress local = call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR);
        return Contexts.interceptCall(Context.current().withValue(REMOTE, remote).withValue(LOCAL, local), call, headers, next);
    }
}

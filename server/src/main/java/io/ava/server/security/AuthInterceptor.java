package io.ava.server.security;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Refuses every call that does not carry the server's token ({@code authorization: Bearer <token>}),
 * before any service code runs: one line in the server's log (who, which port, why) and
 * UNAUTHENTICATED to the caller. Without a token it lets everything through.
 */
public final class AuthInterceptor implements ServerInterceptor {
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {
    };

    private final byte[] token;
    private final String port;

    AuthInterceptor(byte[] token, String port) {
        this.token = token;
        this.port = port;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (token == null) {
            return next.startCall(call, headers);
        }
        String why = check(headers.get(Security.AUTHORIZATION));
        if (why == null) {
            return next.startCall(call, headers);
        }
        System.err.println("ava-server: refused " + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) + " on the " + port
                + " port (" + call.getMethodDescriptor().getBareMethodName() + "): " + why);
        call.close(Status.UNAUTHENTICATED.withDescription("ava-server refused the call: " + why), new Metadata());
        return (ServerCall.Listener<Q>) NOTHING;
    }

    /** Null when the header carries the token; otherwise why not. */
    String check(String header) {
        if (header == null) {
            return "missing token";
        }
        if (!header.startsWith(Security.BEARER)) {
            return "malformed authorization header (expected 'Bearer <token>')";
        }
        byte[] presented = header.substring(Security.BEARER.length()).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(presented, token) ? null : "wrong token";
    }
}

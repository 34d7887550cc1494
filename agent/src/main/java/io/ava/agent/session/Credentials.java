package io.ava.agent.session;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;

import java.io.File;
import java.io.IOException;

/**
 * What the agent presents to its server: the shared token (sent as {@code authorization: Bearer
 * <token>} on the session stream) and, with TLS, the CA it trusts and its own certificate.
 */
public record Credentials(String token, String tokenSource, File tlsCa, File tlsCert, File tlsKey) {
    public static final Credentials NONE = new Credentials(null, null, null, null, null);

    public boolean tls() {
        return tlsCa != null || tlsCert != null;
    }

    ChannelCredentials channelCredentials() throws IOException {
        if (!tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (tlsCa != null) {
            b.trustManager(tlsCa);
        }
        if (tlsCert != null) {
            b.keyManager(tlsCert, tlsKey);
        }
        return b.build();
    }

    ClientInterceptor[] interceptors() {
        if (token == null) {
            return new ClientInterceptor[0];
        }
        String value = "Bearer " + token;
        return new ClientInterceptor[]{new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(GrpcKeys.AUTHORIZATION, value);
                        super.start(listener, headers);
                    }
                };
            }
        }};
    }

    /** For the refusal message: where the token came from, or how to give one. */
    String hint() {
        return token == null
                ? "no token was given: set AVA_TOKEN, -Dava.token, or the agent argument token=... or tokenFile=..."
                : "the token from " + tokenSource + " is not the server's";
    }

    /**
     * Held apart so that premain, which builds a Credentials on the program's main thread, does
     * not load gRPC's Metadata (and java.util.logging with it: about 25 ms); only gRPC needs it.
     */
    private static final class GrpcKeys {
        static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    }
}

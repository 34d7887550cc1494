package io.ava.server.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The credentials a server (or an admin command) runs with: a shared token that every gRPC call
 * carries in its {@code authorization: Bearer <token>} header, and optionally TLS from PEM files
 * (mutual when a CA is given). The same token and files authenticate this server to its peers.
 * With neither, everything is open, as before.
 */
public final class Security {
    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final String BEARER = "Bearer ";

    private static final Security OPEN = new Security(null, null, null, null);
    private static volatile Security current = OPEN;

    private final byte[] token;
    private final Path cert;
    private final Path key;
    private final Path ca;
    private volatile SSLContext rawServer;
    private volatile SSLContext rawClient;

    private Security(byte[] token, Path cert, Path key, Path ca) {
        this.token = token;
        this.cert = cert;
        this.key = key;
        this.ca = ca;
    }

    public static Security open() {
        return OPEN;
    }

    /** What this process was started with (used by the migration source, which is a client of its peers). */
    public static Security current() {
        return current;
    }

    public static void install(Security s) {
        current = s;
    }

    /**
     * Reads the files. {@code cert} and {@code key} go together; {@code ca} alone is allowed for
     * a client (it then only checks the server).
     *
     * @throws IllegalArgumentException with a one-line reason when a file is unusable
     */
    public static Security load(Path tokenFile, Path cert, Path key, Path ca) {
        byte[] token = null;
        if (tokenFile != null) {
            String t;
            try {
                t = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the token file " + tokenFile + ": " + e.getMessage());
            }
            if (t.isEmpty()) {
                throw new IllegalArgumentException("the token file " + tokenFile + " is empty");
            }
            if (!t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("the token in " + tokenFile + " must be printable ASCII without spaces");
            }
            token = t.getBytes(StandardCharsets.US_ASCII);
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        for (Path p : new Path[]{cert, key, ca}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read " + p);
            }
        }
        return token == null && cert == null && ca == null ? OPEN : new Security(token, cert, key, ca);
    }

    /**
     * For the direct transport, which has no headers: null when a client that presents
     * {@code authorization} (from its Hello) may open a session, else why not.
     */
    public String refusal(String authorization) {
        return token == null ? null : new AuthInterceptor(token, "client").check(authorization == null || authorization.isEmpty() ? null : authorization);
    }

    public boolean hasToken() {
        return token != null;
    }

    public boolean tls() {
        return cert != null || ca != null;
    }

    public boolean isOpen() {
        return token == null && !tls();
    }

    /** For the start line: what a client must present. */
    public String describe() {
        if (isOpen()) {
            return "unauthenticated";
        }
        StringBuilder b = new StringBuilder();
        if (token != null) {
            b.append("token");
        }
        if (tls()) {
            b.append(b.length() > 0 ? " + " : "").append(ca != null ? "mutual TLS" : "TLS");
        }
        return b.toString();
    }

    /** Credentials for a listening port (needs --tls-cert/--tls-key when TLS is on). */
    public ServerCredentials serverCredentials() throws IOException {
        if (!tls()) {
            return InsecureServerCredentials.create();
        }
        if (cert == null) {
            throw new IOException("--tls-ca needs --tls-cert and --tls-key on a server");
        }
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(cert.toFile(), key.toFile());
        if (ca != null) {
            b.trustManager(ca.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return b.build();
    }

    /** Credentials to reach a server (a peer, or the admin port): our certificate, the CA we trust. */
    public ChannelCredentials channelCredentials() throws IOException {
        if (!tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (cert != null) {
            b.keyManager(cert.toFile(), key.toFile());
        }
        if (ca != null) {
            b.trustManager(ca.toFile());
        }
        return b.build();
    }

    /** Puts the token on every call of a channel (none without a token). */
    public ClientInterceptor[] clientInterceptors() {
        if (token == null) {
            return new ClientInterceptor[0];
        }
        String value = BEARER + new String(token, StandardCharsets.US_ASCII);
        return new ClientInterceptor[]{new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, value);
                        super.start(listener, headers);
                    }
                };
            }
        }};
    }

    /** Checks the token on every call to a port ({@code port} names it in the log). */
    public AuthInterceptor interceptor(String port) {
        return new AuthInterceptor(token, port);
    }

    /**
     * Wraps an accepted raw side-channel socket in TLS as a server (client certificate required
     * when a CA is configured); returns the socket itself without TLS.
     */
    public Socket serverSide(Socket raw) throws IOException {
        if (!tls()) {
            return raw;
        }
        SSLSocket s = (SSLSocket) rawServerContext().getSocketFactory().createSocket(raw, null, true);
        s.setUseClientMode(false);
        s.setNeedClientAuth(ca != null);
        s.startHandshake();
        return s;
    }

    /** Wraps a connected raw side-channel socket in TLS as a client, checking the peer's name against {@code host}. */
    public Socket clientSide(Socket raw, String host) throws IOException {
        if (!tls()) {
            return raw;
        }
        SSLSocket s = (SSLSocket) rawClientContext().getSocketFactory().createSocket(raw, host, raw.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private SSLContext rawServerContext() throws IOException {
        if (rawServer == null) {
            if (cert == null) {
                throw new IOException("TLS needs --tls-cert and --tls-key");
            }
            var b = io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .sslProvider(io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider.JDK);
            if (ca != null) {
                b.trustManager(ca.toFile()).clientAuth(io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE);
            }
            rawServer = ((io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext) b.build()).context();
        }
        return rawServer;
    }

    private SSLContext rawClientContext() throws IOException {
        if (rawClient == null) {
            var b = io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forClient()
                    .sslProvider(io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider.JDK);
            if (cert != null) {
                b.keyManager(cert.toFile(), key.toFile());
            }
            if (ca != null) {
                b.trustManager(ca.toFile());
            }
            rawClient = ((io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext) b.build()).context();
        }
        return rawClient;
    }
}

package io.ava.server.cli;

import io.ava.server.security.Security;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** What an admin command presents to a server that requires credentials. */
public final class ClientSecurityOptions {
    @Option(names = "--token-file", paramLabel = "FILE", description = "send the token in this file (the server's --token-file)")
    Path tokenFile;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "connect with TLS and trust server certificates signed by this CA")
    Path ca;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "our client certificate chain (PEM), for a server that requires mutual TLS")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the private key of --tls-cert (PKCS#8 PEM)")
    Path key;

    /** @throws IllegalArgumentException with a one-line reason */
    public Security load() {
        return Security.load(tokenFile, cert, key, ca);
    }

    /** A channel to {@code target} with these credentials. */
    public io.grpc.ManagedChannel channel(String target) throws java.io.IOException {
        Security s = load();
        return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(target, s.channelCredentials())
                .intercept(s.clientInterceptors()).build();
    }

    /** A one-line explanation of a refusal. */
    static String explain(io.grpc.StatusRuntimeException e) {
        if (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED) {
            return "the server refused: " + e.getStatus().getDescription() + " (give the server's token with --token-file)";
        }
        return null;
    }
}

package io.ava.server.cli;

import io.ava.server.security.Security;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The server's credentials: its client, admin and migration ports require them, and it presents them to peers. */
public final class ServerSecurityOptions {
    @Option(names = "--token-file", paramLabel = "FILE",
            description = "require this shared token (the file's content, trimmed) on the client, admin and migration ports; "
                    + "also sent to peers when migrating. Clients give it with AVA_TOKEN, -Dava.token or the agent "
                    + "argument token=/tokenFile=")
    Path tokenFile;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "serve TLS with this certificate chain (PEM); "
            + "also our client certificate towards peers")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the private key of --tls-cert (PKCS#8 PEM)")
    Path key;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "require client certificates signed by this CA (mutual TLS) "
            + "on every port; also the CA that peers' certificates must chain to")
    Path ca;

    /** @throws IllegalArgumentException with a one-line reason */
    public Security load() {
        if (ca != null && cert == null) {
            throw new IllegalArgumentException("--tls-ca needs --tls-cert and --tls-key");
        }
        return Security.load(tokenFile, cert, key, ca);
    }
}

package io.ava.server;

import io.ava.server.admin.AdminService;
import io.ava.server.cli.StatusCommand;
import io.ava.server.dispatch.DeviceSelection;
import io.ava.server.dispatch.Dispatcher;
import io.ava.server.dispatch.NativeFunctions;
import io.ava.server.session.BulkListener;
import io.ava.server.session.RemoteAddressInterceptor;
import io.ava.server.session.SessionRegistry;
import io.ava.server.session.SessionService;
import io.ava.spec.Spec;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.jocl.CL;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

@Command(name = "ava-server", mixinStandardHelpOptions = true, version = "ava-server 0.1.0",
        description = {"Serve OpenCL to JOCL programs that run under the ava agent.",
                "Each client connection is a session with its own objects; they are released when it disconnects "
                        + "(after --reconnect-grace when the connection dropped)."},
        subcommands = {StatusCommand.class, io.ava.server.cli.MigrateCommand.class, io.ava.server.cli.SpecCommand.class})
public final class AvaServerMain implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "4000", description = "client port (0 picks a free one; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--platform", paramLabel = "N", description = "offer only OpenCL platform N (by clGetPlatformIDs order)")
    Integer platform;

    @Option(names = "--device", paramLabel = "N", description = "offer only device N of the chosen platform")
    Integer device;

    public static void main(String[] args) {
        AvaServerMain main = new AvaServerMain();
        main.originalArgs = args.clone();
        System.exit(new CommandLine(main).execute(args));
    }

    @Option(names = "--no-printf-capture", description = "leave kernel printf output on the server's stdout "
            + "instead of forwarding it to the client that launched the kernel")
    boolean noPrintfCapture;

    @Option(names = "--no-record", description = "keep no record log of the calls that built each session's objects "
            + "(to measure what recording costs; such sessions cannot be migrated)")
    boolean noRecord;

    @Option(names = "--migrate-listen", paramLabel = "PORT",
            description = "accept sessions that peer servers hand over, on this port (their clients then use --port)")
    Integer migrateListen;

    @Option(names = "--migrate-to", paramLabel = "HOST:PORT",
            description = "the default peer (its --migrate-listen port): where `migrate` without --to and "
                    + "AVA_MIGRATION_CALL_ID send sessions")
    String migrateTo;

    @Option(names = "--advertise", paramLabel = "HOST:PORT",
            description = "the client address a peer redirects migrated clients to "
                    + "(default: the address the peer reached us at, with --port)")
    String advertise;

    @Option(names = "--migration-log", paramLabel = "FILE",
            description = "append each outgoing migration here: '[<server>] migration takes <ms>' and a JSON breakdown")
    java.nio.file.Path migrationLog;

    @Option(names = "--max-incoming-migrations", paramLabel = "N",
            description = "take in at most N sessions from peers, then refuse (default: no limit)")
    Integer maxIncoming;

    @Option(names = "--quiesce-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "how long a migration waits for calls in flight and queued commands to finish before it gives up "
                    + "(default ${DEFAULT-VALUE})")
    int quiesceSeconds;

    @Option(names = "--reconnect-grace", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long a session whose connection dropped (not closed by its client) waits for the client "
                    + "to reconnect and resume it, with no call lost or run twice; then it is released "
                    + "(0: release at once; default ${DEFAULT-VALUE})")
    int reconnectGraceSeconds;

    @CommandLine.Mixin
    io.ava.server.cli.ServerSecurityOptions securityOptions;

    private String[] originalArgs = new String[0];

    @Override
    public Integer call() throws IOException, InterruptedException {
        io.ava.server.security.Security security;
        try {
            security = securityOptions.load();
        } catch (IllegalArgumentException e) {
            System.err.println("ava-server: " + e.getMessage());
            return 2;
        }
        io.ava.server.security.Security.install(security);
        if (!noPrintfCapture) {
            Integer childExit = io.ava.server.printf.PrintfCapture.relaunchAsChild(originalArgs);
            if (childExit != null) {
                return childExit;
            }
        }
        try {
            CL.setExceptionsEnabled(false); // loads JOCL's native library and, through it, OpenCL
        } catch (LinkageError e) {
            System.err.println("ava-server: cannot load OpenCL (" + e.getMessage()
                    + "); install an OpenCL runtime, e.g. apt-get install pocl-opencl-icd ocl-icd-opencl-dev");
            return 2;
        }
        DeviceSelection selection = new DeviceSelection(platform, device);
        String problem = selection.resolve();
        if (problem != null) {
            System.err.println("ava-server: " + problem);
            return 2;
        }
        Spec spec = Spec.bundled();
        SessionRegistry registry = new SessionRegistry("ava-server@" + InetAddress.getLocalHost().getHostName());
        registry.printf(io.ava.server.printf.PrintfCapture.startIfChild(registry::printfOutput));
        registry.recording(!noRecord);
        if (reconnectGraceSeconds < 0) {
            System.err.println("ava-server: --reconnect-grace " + reconnectGraceSeconds + ": expected 0 or more seconds");
            return 2;
        }
        registry.reconnectGraceMillis(reconnectGraceSeconds * 1000L);
        Dispatcher dispatcher = new Dispatcher(spec, new NativeFunctions(spec), selection);
        if (migrateTo != null && !migrateTo.matches(".+:\\d+")) {
            System.err.println("ava-server: --migrate-to " + migrateTo + ": expected HOST:PORT");
            return 2;
        }
        io.ava.server.migration.Migrations migrations = new io.ava.server.migration.Migrations(registry, migrateTo, spec.digest(),
                new io.ava.server.migration.MigrationLog(migrationLog, registry::serverName), quiesceSeconds * 1000L);
        Server server;
        Server migrationServer = null;
        BulkListener bulkListener;
        try {
            // with TLS, bulk data stays inside the TLS stream (the raw side channel is not offered)
            bulkListener = security.tls() ? null : new BulkListener(bind);
            server = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port), security.serverCredentials())
                    .directExecutor()
                    .maxInboundMessageSize(8 << 20)
                    .flowControlWindow(16 << 20)
                    .addService(ServerInterceptors.intercept(new SessionService(dispatcher, registry, spec.digest(), bulkListener),
                            new RemoteAddressInterceptor(), security.interceptor("client")))
                    .addService(ServerInterceptors.intercept(new AdminService(registry, migrations), security.interceptor("admin")))
                    .build()
                    .start();
        } catch (IOException e) {
            System.err.println("ava-server: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("ava-server: cannot use the TLS files: " + e.getMessage());
            return 2;
        }
        if (migrateListen != null) {
            try {
                // its own threads: replaying and writing contents must not hold up a transport thread
                migrationServer = NettyServerBuilder.forAddress(new InetSocketAddress(bind, migrateListen), security.serverCredentials())
                        .executor(java.util.concurrent.Executors.newFixedThreadPool(2))
                        .maxInboundMessageSize(16 << 20)
                        .flowControlWindow(16 << 20)
                        .addService(ServerInterceptors.intercept(new io.ava.server.migration.MigrationService(spec, dispatcher,
                                registry, bulkListener, server.getPort(), advertise, maxIncoming), new RemoteAddressInterceptor(),
                                security.interceptor("migration")))
                        .build()
                        .start();
            } catch (IOException e) {
                server.shutdownNow();
                System.err.println("ava-server: cannot listen for migrations on " + bind + ":" + migrateListen + ": " + e.getMessage());
                return 2;
            }
        }
        Server migrations0 = migrationServer;
        registry.serverName(registry.serverName() + ":" + server.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            if (migrations0 != null) {
                migrations0.shutdownNow();
            }
            registry.closeAll();
        }, "ava-server-shutdown"));
        if (security.isOpen()) {
            System.err.println("ava-server: WARNING: unauthenticated: any client or peer that reaches these ports may use them "
                    + "(see --token-file, --tls-cert, --tls-key, --tls-ca)");
        }
        System.out.println("ava-server listening on " + bind + ":" + server.getPort() + " (" + selection.describe() + ")"
                + (migrationServer != null ? "; migrations on " + bind + ":" + migrationServer.getPort() : "")
                + (migrateTo != null ? "; default peer " + migrateTo : "") + "; " + security.describe()
                + (bulkListener != null ? "; bulk port " + bulkListener.port() : ""));
        System.out.flush();
        server.awaitTermination();
        return 0;
    }
}

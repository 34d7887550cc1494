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
                        + "(after --reconnect-grace when the connection dropped).",
                "Logs go to stderr, one line per event: logfmt, or JSON lines with AVA_LOG_FORMAT=json; "
                        + "AVA_LOG_LEVEL=debug also logs every failed call.",
                "Start it with GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072, as bin/ava-server and the Docker image do: "
                        + "without a fixed threshold, later sessions' device buffers come from malloc's arenas, where CPU "
                        + "kernels ran slower (the README says more)."},
        subcommands = {StatusCommand.class, io.ava.server.cli.MigrateCommand.class, io.ava.server.cli.SpecCommand.class})
public final class AvaServerMain implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "4000", description = "client port (0 picks a free one; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--direct-port", paramLabel = "PORT",
            description = "also serve client sessions on PORT without gRPC (agent: server=direct://HOST:PORT): much less CPU "
                    + "per call for clients on this host or a trusted network; no TLS, so not with --tls-* (0 picks a free "
                    + "port; default: off)")
    Integer directPort;

    @Option(names = "--no-bulk-socket", description = "offer the bulk side channel on its TCP port only; by default it is "
            + "also on a Unix domain socket in java.io.tmpdir, which clients on this host use instead (less CPU per byte)")
    boolean noBulkSocket;

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

    @Option(names = "--max-session-memory", paramLabel = "SIZE", defaultValue = "device",
            description = "device memory one session may hold: the bytes of its live buffers, images, pipes and SVM "
                    + "allocations (sub-buffers add nothing; a buffer counts until it and its sub-buffers are released). "
                    + "Past it, creating one fails with CL_MEM_OBJECT_ALLOCATION_FAILURE. SIZE: 512m, 2g, bytes, "
                    + "'unlimited', or 'device' (default: the largest device's global memory)")
    String maxSessionMemory;

    @Option(names = "--max-session-objects", paramLabel = "N", defaultValue = "100000",
            description = "live objects (contexts, queues, buffers, images, programs, kernels, events, samplers) one "
                    + "session may hold; past it, creating one fails with CL_OUT_OF_RESOURCES "
                    + "(0: no limit; default ${DEFAULT-VALUE})")
    long maxSessionObjects;

    @Option(names = "--max-session-inflight", paramLabel = "SIZE", defaultValue = "256m",
            description = "bulk bytes one session may have received and not yet used: past it the server reads no more "
                    + "of its side channel until calls have taken them (a transfer sent through gRPC instead is refused "
                    + "with CL_OUT_OF_HOST_MEMORY); one transfer alone is always let in if it fits --max-session-memory "
                    + "(default ${DEFAULT-VALUE})")
    String maxSessionInflight;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "serve Prometheus metrics at http://BIND:PORT/metrics (0 picks a free port; default: no metrics, no HTTP port)")
    Integer metricsPort;

    @Option(names = "--metrics-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "address the metrics port listens on (default ${DEFAULT-VALUE})")
    String metricsBind;

    private String[] originalArgs = new String[0];
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AvaServerMain.class);

    /** The session limits the options ask for; an IllegalArgumentException says what is wrong. */
    io.ava.server.dispatch.Limits limits(DeviceSelection selection) {
        long memory;
        if (maxSessionMemory.trim().equalsIgnoreCase("device")) {
            long device = selection == null ? 0 : selection.globalMemory();
            memory = device > 0 ? device : io.ava.server.dispatch.Limits.UNLIMITED;
        } else {
            memory = parse("--max-session-memory", maxSessionMemory);
        }
        if (maxSessionObjects < 0) {
            throw new IllegalArgumentException("--max-session-objects " + maxSessionObjects + ": expected N >= 0");
        }
        long objects = maxSessionObjects == 0 ? io.ava.server.dispatch.Limits.UNLIMITED : maxSessionObjects;
        return new io.ava.server.dispatch.Limits(memory, objects, parse("--max-session-inflight", maxSessionInflight));
    }

    private static long parse(String option, String value) {
        try {
            return io.ava.server.dispatch.Limits.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        // gRPC logs through java.util.logging: into the same one-line-per-event log
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
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
        String mallocHint = io.ava.server.nativeheap.MallocTunables.hintIfMissing(
                System.getenv(io.ava.server.nativeheap.MallocTunables.VARIABLE));
        if (mallocHint != null) {
            log.info(mallocHint);
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
        io.ava.server.dispatch.Limits limits;
        try {
            limits = limits(selection);
        } catch (IllegalArgumentException e) {
            System.err.println("ava-server: " + e.getMessage());
            return 2;
        }
        Spec spec = Spec.bundled();
        SessionRegistry registry = new SessionRegistry("ava-server@" + InetAddress.getLocalHost().getHostName());
        registry.printf(io.ava.server.printf.PrintfCapture.startIfChild(registry::printfOutput));
        registry.recording(!noRecord);
        registry.limits(limits);
        io.ava.server.metrics.ServerMetrics metrics = io.ava.server.metrics.ServerMetrics.disabled();
        if (metricsPort != null) {
            metrics = new io.ava.server.metrics.ServerMetrics(spec.functions().stream().map(f -> f.name()).toList(),
                    java.util.Arrays.stream(io.ava.spec.HandleType.values())
                            .filter(t -> t != io.ava.spec.HandleType.cl_platform_id && t != io.ava.spec.HandleType.cl_device_id)
                            .map(Enum::name).toList());
            registry.metrics(metrics);
        }
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
        SessionService sessionService;
        if (directPort != null && security.tls()) {
            System.err.println("ava-server: --direct-port carries no TLS; it cannot be used with --tls-cert/--tls-key/--tls-ca");
            return 2;
        }
        try {
            // with TLS, bulk data stays inside the TLS stream (the raw side channel is not offered)
            bulkListener = security.tls() ? null : new BulkListener(bind, !noBulkSocket);
            sessionService = new SessionService(dispatcher, registry, spec.digest(), bulkListener);
            server = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port), security.serverCredentials())
                    .directExecutor()
                    .maxInboundMessageSize(SessionService.MAX_INBOUND_MESSAGE)
                    .flowControlWindow(16 << 20)
                    .addService(ServerInterceptors.intercept(sessionService,
                            new RemoteAddressInterceptor(), security.interceptor("client")))
                    .addService(ServerInterceptors.intercept(new AdminService(registry, migrations), security.interceptor("admin")))
                    .addStreamTracerFactory(new io.ava.server.metrics.GrpcTraffic(metrics,
                            io.ava.server.metrics.Traffic.GRPC_IN, io.ava.server.metrics.Traffic.GRPC_OUT))
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
                        .addStreamTracerFactory(new io.ava.server.metrics.GrpcTraffic(metrics,
                                io.ava.server.metrics.Traffic.MIGRATION_IN, io.ava.server.metrics.Traffic.MIGRATION_OUT))
                        .build()
                        .start();
            } catch (IOException e) {
                server.shutdownNow();
                System.err.println("ava-server: cannot listen for migrations on " + bind + ":" + migrateListen + ": " + e.getMessage());
                return 2;
            }
        }
        io.ava.server.direct.DirectListener direct = null;
        if (directPort != null) {
            try {
                direct = new io.ava.server.direct.DirectListener(bind, directPort, sessionService, security);
            } catch (IOException e) {
                stopAll(server, migrationServer);
                System.err.println("ava-server: cannot listen for direct sessions on " + bind + ":" + directPort + ": " + e.getMessage());
                return 2;
            }
        }
        io.ava.server.metrics.MetricsEndpoint endpoint = null;
        if (metricsPort != null) {
            try {
                endpoint = io.ava.server.metrics.MetricsEndpoint.start(metricsBind, metricsPort, metrics);
            } catch (IOException e) {
                stopAll(server, migrationServer);
                System.err.println("ava-server: cannot serve metrics on " + metricsBind + ":" + metricsPort + ": " + e.getMessage());
                return 2;
            }
        }
        Server migrations0 = migrationServer;
        io.ava.server.direct.DirectListener direct0 = direct;
        BulkListener bulk0 = bulkListener;
        io.ava.server.metrics.MetricsEndpoint endpoint0 = endpoint;
        registry.serverName(registry.serverName() + ":" + server.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            io.ava.server.logging.Events.info(log, "server-stop").addKeyValue("server", registry.serverName())
                    .addKeyValue("sessions", registry.sessions().size()).log();
            server.shutdownNow();
            if (direct0 != null) {
                direct0.close();
            }
            if (migrations0 != null) {
                migrations0.shutdownNow();
            }
            if (endpoint0 != null) {
                endpoint0.close();
            }
            registry.closeAll();
            if (bulk0 != null) {
                bulk0.close();
            }
        }, "ava-server-shutdown"));
        if (security.isOpen()) {
            io.ava.server.logging.Events.warn(log, "unauthenticated")
                    .addKeyValue("reason", "any client or peer that reaches these ports may use them "
                            + "(see --token-file, --tls-cert, --tls-key, --tls-ca)").log();
        }
        String metricsAt = endpoint == null ? null : metricsBind + ":" + endpoint.port();
        System.out.println("ava-server listening on " + bind + ":" + server.getPort() + " (" + selection.describe() + ")"
                + (migrationServer != null ? "; migrations on " + bind + ":" + migrationServer.getPort() : "")
                + (migrateTo != null ? "; default peer " + migrateTo : "")
                + (metricsAt != null ? "; metrics on http://" + metricsAt + "/metrics" : "")
                + "; per session: " + limits + "; " + security.describe()
                + (bulkListener != null ? "; bulk port " + bulkListener.port() : "")
                + (bulkListener != null && bulkListener.localPath() != null ? "; bulk socket " + bulkListener.localPath() : "")
                + (direct != null ? "; direct port " + direct.port() : ""));
        System.out.flush();
        io.ava.server.logging.Events.info(log, "server-start").addKeyValue("server", registry.serverName())
                .addKeyValue("listen", bind + ":" + server.getPort())
                .addKeyValue("migrate_listen", migrationServer != null ? bind + ":" + migrationServer.getPort() : "none")
                .addKeyValue("default_peer", migrateTo != null ? migrateTo : "none")
                .addKeyValue("metrics", metricsAt != null ? metricsAt : "none")
                .addKeyValue("device", selection.describe()).addKeyValue("record", !noRecord).log();
        server.awaitTermination();
        return 0;
    }

    /** A later port failed: the ones already listening stop before the server exits with status 2. */
    private static void stopAll(Server server, Server migrationServer) {
        server.shutdownNow();
        if (migrationServer != null) {
            migrationServer.shutdownNow();
        }
    }
}

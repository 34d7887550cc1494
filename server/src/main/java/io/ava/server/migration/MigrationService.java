package io.ava.server.migration;

import io.ava.proto.AvaMigrationGrpc;
import io.ava.proto.MigrationPacket;
import io.ava.proto.MigrationReply;
import io.ava.server.dispatch.Dispatcher;
import io.ava.server.session.BulkListener;
import io.ava.server.session.ServerSession;
import io.ava.server.session.SessionRegistry;
import io.ava.spec.Spec;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** The migration port (--migrate-listen): takes sessions that peers hand over. */
public final class MigrationService extends AvaMigrationGrpc.AvaMigrationImplBase {
    private final Spec spec;
    private final Dispatcher dispatcher;
    private final SessionRegistry registry;
    private final BulkListener bulkListener;
    private final int clientPort;
    private final String advertise;
    private final Integer maxIncoming;
    private final AtomicInteger accepted = new AtomicInteger();
    /** one generator, seeded at start: seeding a new one per migration can take tens of ms */
    static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static {
        RANDOM.nextBytes(new byte[16]);
    }
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ava-migration-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param advertise the client address to hand out (host:port), or null for the address the
     *                  source reached this server at, with the client port
     * @param maxIncoming how many sessions this server takes in at most (null: no limit)
     */
    public MigrationService(Spec spec, Dispatcher dispatcher, SessionRegistry registry, BulkListener bulkListener,
                            int clientPort, String advertise, Integer maxIncoming) {
        this.spec = spec;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.bulkListener = bulkListener;
        this.clientPort = clientPort;
        this.advertise = advertise;
        this.maxIncoming = maxIncoming;
    }

    @Override
    public StreamObserver<MigrationPacket> handover(StreamObserver<MigrationReply> replies) {
        InetSocketAddress local = (InetSocketAddress) io.ava.server.session.RemoteAddressInterceptor.LOCAL.get(Context.current());
        String host = local == null ? "127.0.0.1" : local.getAddress().getHostAddress();
        return new IncomingMigration(this, replies, host);
    }

    /** Null when another session may come in; otherwise why not. */
    String admit() {
        if (maxIncoming != null && accepted.incrementAndGet() > maxIncoming) {
            accepted.decrementAndGet();
            return "this server takes in at most " + maxIncoming + " migrated sessions (--max-incoming-migrations)";
        }
        return null;
    }

    ServerSession newSession(String id, String peer) {
        ServerSession s = new ServerSession(id, peer, null, dispatcher, registry, spec.digest(), bulkListener);
        s.mayHaveUserEvents(); // its replayed calls did not come through onNext, so it cannot tell
        return s;
    }

    String clientAddress(String localHost) {
        if (advertise != null) {
            return advertise;
        }
        return (localHost.contains(":") ? "[" + localHost + "]" : localHost) + ":" + clientPort;
    }

    Spec spec() {
        return spec;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    SessionRegistry registry() {
        return registry;
    }

    ScheduledExecutorService timer() {
        return timer;
    }
}

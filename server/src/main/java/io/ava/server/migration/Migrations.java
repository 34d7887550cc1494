package io.ava.server.migration;

import io.ava.proto.Control;
import io.ava.proto.MigrationNotice;
import io.ava.proto.MigrationResult;
import io.ava.proto.Push;
import io.ava.server.session.MigrationHooks;
import io.ava.server.session.ServerSession;
import io.ava.server.session.SessionRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server's outgoing migrations: started by the admin command or by a client
 * (AVA_MIGRATION_CALL_ID), each on a thread of its own, never on a gRPC transport thread.
 */
public final class Migrations implements MigrationHooks {
    private final SessionRegistry registry;
    private final String defaultPeer;
    private final String specDigest;
    private final MigrationLog log;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ava-migration");
        t.setDaemon(true);
        return t;
    });

    private final long quiesceMillis;

    public Migrations(SessionRegistry registry, String defaultPeer, String specDigest, MigrationLog log, long quiesceMillis) {
        this.quiesceMillis = quiesceMillis;
        this.registry = registry;
        this.defaultPeer = defaultPeer;
        this.specDigest = specDigest;
        this.log = log;
        registry.migrationHooks(this);
        if (defaultPeer != null) {
            PeerLink.warmUp(defaultPeer);
        }
    }

    /** How long a migration waits for the application's running calls and queued commands. */
    long quiesceMillis() {
        return quiesceMillis;
    }

    String specDigest() {
        return specDigest;
    }

    String serverName() {
        return registry.serverName();
    }

    public MigrationLog log() {
        return log;
    }

    @Override
    public void control(ServerSession session, Control control) {
        switch (control.getKindCase()) {
            case MIGRATE -> {
                if (defaultPeer == null) {
                    session.push(Push.newBuilder().setMigration(MigrationNotice.newBuilder().setAborted(
                            "this server has no default peer (start it with --migrate-to HOST:PORT)")).build());
                    return;
                }
                threads.execute(() -> new OutgoingMigration(session, defaultPeer, true, this).run());
            }
            case QUIESCED -> {
                if (session.migration() instanceof OutgoingMigration m) {
                    m.quiesced();
                }
            }
            case RESUME_FAILED -> {
                if (session.migration() instanceof OutgoingMigration m) {
                    m.resumeFailed(control.getResumeFailed());
                }
            }
            default -> {
            }
        }
    }

    /**
     * Migrates the named sessions (all of them with {@code sessionId} null) to {@code to}, or to
     * the default peer; completes when every migration has finished or failed.
     */
    public CompletableFuture<List<MigrationResult>> migrate(String sessionId, String to) {
        String peer = to == null || to.isBlank() ? defaultPeer : to;
        List<CompletableFuture<MigrationResult>> runs = new ArrayList<>();
        if (peer == null) {
            return CompletableFuture.failedFuture(new MigrationException(
                    "no peer given: use --to HOST:PORT, or start the server with --migrate-to"));
        }
        for (ServerSession s : registry.sessions()) {
            if ((sessionId == null || s.id().equals(sessionId)) && !"awaiting client".equals(s.state())
                    && !"detached".equals(s.state())) {
                runs.add(CompletableFuture.supplyAsync(() -> new OutgoingMigration(s, peer, false, this).run(), threads));
            }
        }
        if (runs.isEmpty() && sessionId != null) {
            return CompletableFuture.failedFuture(new MigrationException("no session " + sessionId + " on this server"));
        }
        return CompletableFuture.allOf(runs.toArray(new CompletableFuture[0]))
                .thenApply(v -> runs.stream().map(CompletableFuture::join).toList());
    }

    private static final java.security.SecureRandom IDS = new java.security.SecureRandom();

    /** A migration id: short, random, unique enough to grep both servers' logs for. */
    static String newId() {
        return "m" + Long.toHexString(IDS.nextLong() & 0xffffffffffL | 0x10000000000L).substring(1);
    }

    io.ava.server.metrics.ServerMetrics metrics() {
        return registry.metrics();
    }

    MigrationResult finished(MigrationResult r) {
        log.add(r);
        return r;
    }
}

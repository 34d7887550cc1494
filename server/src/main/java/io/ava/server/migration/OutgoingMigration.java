package io.ava.server.migration;

import io.ava.proto.MigrationAccepted;
import io.ava.proto.MigrationNotice;
import io.ava.proto.MigrationPacket;
import io.ava.proto.MigrationResult;
import io.ava.proto.Push;
import io.ava.proto.RecordedCall;
import io.ava.proto.Redirect;
import io.ava.server.logging.Events;
import io.ava.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Moves one session to a peer: quiesce, stream log, state and contents, wait for the peer to
 * accept, redirect the client, wait until the client is back on the peer, free the session here.
 * Every failure before the client is back leaves the session serving here.
 */
final class OutgoingMigration {
    private static final Logger log = LoggerFactory.getLogger(OutgoingMigration.class);
    private static final long ACCEPT_MILLIS = 300_000;
    private static final long RESUME_MILLIS = 30_000;

    private final ServerSession session;
    private final String to;
    private final boolean clientAsked;
    private final Migrations migrations;
    private final CompletableFuture<Void> quiesced = new CompletableFuture<>();
    /** completed exceptionally when the client cannot resume on the peer, or goes away */
    private final CompletableFuture<Void> clientTrouble = new CompletableFuture<>();
    private final Breakdown b = new Breakdown();
    /** names this migration in both servers' logs */
    private final String id = Migrations.newId();

    OutgoingMigration(ServerSession session, String to, boolean clientAsked, Migrations migrations) {
        this.session = session;
        this.to = to;
        this.clientAsked = clientAsked;
        this.migrations = migrations;
    }

    /** set once the client has been told where to go: its stream then ends in order */
    private volatile boolean redirected;

    private void clientLeft(boolean orderly) {
        if (!(orderly && redirected)) {
            clientTrouble.completeExceptionally(new MigrationException("the client went away during the migration"));
        }
        // else: it left for the peer, which reports it back
    }

    void quiesced() {
        quiesced.complete(null);
    }

    void resumeFailed(String why) {
        clientTrouble.completeExceptionally(new MigrationException("the client could not reach the peer: " + why));
    }

    MigrationResult run() {
        MDC.put("session", session.id());
        MDC.put("migration", id);
        try {
            return run0();
        } finally {
            MDC.remove("session");
            MDC.remove("migration");
        }
    }

    private void step(String step, long nanos) {
        Events.info(log, "migration-step").addKeyValue("session", session.id()).addKeyValue("migration", id)
                .addKeyValue("step", step).addKeyValue("ms", nanos / 1_000_000).log();
    }

    private MigrationResult run0() {
        long start = System.nanoTime();
        Events.info(log, "migration-start").addKeyValue("session", session.id()).addKeyValue("migration", id)
                .addKeyValue("to", to).addKeyValue("trigger", clientAsked ? "client" : "operator").log();
        if (session.recordLog() == null) {
            return refused(start, "the server runs with --no-record: its sessions cannot migrate", clientAsked);
        }
        if (!session.beginMigration(this, this::clientLeft)) {
            // the migration under way answers the client (redirect or abort)
            return refused(start, "the session is closed or already migrating", false);
        }
        PeerLink link = null;
        boolean movedAway = false;
        String failure = null;
        try {
            link = PeerLink.open(to);
            long sentAhead = -1;
            io.ava.proto.ContentChannel channel;
            long t0 = System.nanoTime();
            if (clientAsked) {
                // AVA_MIGRATION_CALL_ID: the program paused itself at that call; the cut is exact
                channel = null;
            } else {
                // pre-copy: the peer replays the log while the program runs on; only what changes
                // after the pause goes again, so replay (program builds) is not downtime
                SessionSnapshot early = SessionSnapshot.precopy(session, migrations.specDigest(), migrations.serverName());
                link.send(MigrationPacket.newBuilder().setHeader(early.header.toBuilder().setMigrationId(id)).build());
                channel = link.awaitContentChannel(30_000);
                for (RecordedCall r : early.records) {
                    link.send(MigrationPacket.newBuilder().setRecord(r).build());
                }
                link.send(MigrationPacket.newBuilder().setPresync(true).build());
                link.awaitPresynced(ACCEPT_MILLIS);
                sentAhead = early.lastSequence;
                b.precopy = System.nanoTime() - t0;
                b.precopied = early.records.size();
                step("precopy", b.precopy);
            }
            long q = System.nanoTime();
            quiesce();
            b.quiesce = System.nanoTime() - q;
            step("quiesced", b.quiesce);
            long t = System.nanoTime();
            MigrationAccepted accepted = handOver(link, sentAhead, channel);
            b.acceptedAt = System.nanoTime();
            b.handover = b.acceptedAt - t;
            b.replayMicros = accepted.getReplayMicros();
            b.restoreMicros = accepted.getRestoreMicros();
            step("accepted", b.handover);
            // the client goes on against the peer; everything it was sent here is out before this
            session.flushOutput();
            redirected = true;
            session.push(Push.newBuilder().setMigration(MigrationNotice.newBuilder().setRedirect(Redirect.newBuilder()
                    .setAddress(accepted.getClientAddress()).setResumeToken(accepted.getResumeToken())
                    .setTargetName(accepted.getTargetName()))).build());
            b.redirect = System.nanoTime() - b.acceptedAt;
            step("redirected", b.redirect);
            awaitResumed(link);
            b.resume = System.nanoTime() - b.acceptedAt - b.redirect;
            link.finish();
            movedAway = true;
        } catch (MigrationException | RuntimeException e) {
            failure = e instanceof MigrationException ? e.getMessage() : "internal error: " + e;
            if (link != null) {
                link.abort(failure);
            }
            if (!session.clientLost() && !redirected) { // after a redirect the client already decided itself
                session.push(Push.newBuilder().setMigration(MigrationNotice.newBuilder().setAborted(failure)).build());
            }
        } finally {
            if (link != null) {
                link.close();
                migrations.metrics().bytes(io.ava.server.metrics.Traffic.MIGRATION_OUT, link.sentBytes() + b.contentsSent);
            }
            session.endMigration(movedAway);
        }
        long total = System.nanoTime() - start;
        migrations.metrics().migrationOut(movedAway, total, Math.max(0, total - b.precopy));
        return migrations.finished(result(start, movedAway, failure));
    }

    /** Refused before it began: a client that asked (and paused itself) is told to carry on. */
    private MigrationResult refused(long start, String why, boolean tellClient) {
        if (tellClient) {
            session.push(Push.newBuilder().setMigration(MigrationNotice.newBuilder().setAborted(why)).build());
        }
        migrations.metrics().migrationOut(false, System.nanoTime() - start, 0);
        return migrations.finished(result(start, false, why));
    }

    private void quiesce() throws MigrationException {
        if (!clientAsked) {
            session.push(Push.newBuilder().setMigration(MigrationNotice.newBuilder().setPrepare(true)).build());
            try {
                quiesced.get(migrations.quiesceMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new MigrationException("the client did not pause its calls within " + migrations.quiesceMillis() / 1000 + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigrationException("interrupted");
            }
        }
        if (session.clientLost()) {
            throw new MigrationException("the client went away during the migration");
        }
        if (!session.drainThreads(migrations.quiesceMillis())) {
            throw new MigrationException("a call of the application still runs after " + migrations.quiesceMillis() / 1000
                    + " s (it waits for something only a later call would do)");
        }
        QueueDrain.finish(session.table(), migrations.quiesceMillis(), session::releaseAtClose);
        session.flushOutput();
    }

    /** Streams the session; returns once the peer has rebuilt it. */
    private MigrationAccepted handOver(PeerLink link, long sentAhead, io.ava.proto.ContentChannel precopyChannel)
            throws MigrationException {
        long t = System.nanoTime();
        Contents contents = Contents.plan(session.table());
        SessionSnapshot snap = SessionSnapshot.take(session, migrations.specDigest(), migrations.serverName(), contents.bytes,
                sentAhead);
        b.snapshot = System.nanoTime() - t;
        b.bytes = contents.bytes;
        b.buffers = contents.buffers;
        b.images = contents.images;
        b.records = snap.records.size();
        b.objects = snap.state.getRefsCount();
        b.events = snap.state.getEventsCount();
        b.maps = snap.state.getMapsCount();
        link.send(MigrationPacket.newBuilder().setHeader(snap.header.toBuilder().setMigrationId(id)).build());
        io.ava.proto.ContentChannel channel = precopyChannel != null ? precopyChannel : link.awaitContentChannel(30_000);
        b.connect = System.nanoTime() - t - b.snapshot;
        for (RecordedCall r : snap.records) {
            link.send(MigrationPacket.newBuilder().setRecord(r).build());
        }
        link.send(MigrationPacket.newBuilder().setState(snap.state).build());
        try (ContextQueues queues = new ContextQueues()) {
            // the peer replays the log while the first bytes travel: they wait in the socket
            ContentReader reader = new ContentReader(queues);
            long c = System.nanoTime();
            reader.send(contents, link.host(), channel);
            b.contents = System.nanoTime() - c;
            b.contentsSent = contents.bytes;
            b.snapshot += reader.readNanos;
        }
        link.send(MigrationPacket.newBuilder().setCommit(true).build());
        long c = System.nanoTime();
        MigrationAccepted accepted = link.awaitAccepted(ACCEPT_MILLIS);
        b.commit = System.nanoTime() - c;
        return accepted;
    }

    private void awaitResumed(PeerLink link) throws MigrationException {
        try {
            CompletableFuture.anyOf(link.resumed, clientTrouble).get(RESUME_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ? e.getCause().getCause() : e.getCause();
            if (c instanceof MigrationException m) {
                throw m;
            }
            link.awaitResumed(1); // the peer's failure, described
        } catch (TimeoutException e) {
            throw new MigrationException("the client did not reach the peer within " + RESUME_MILLIS / 1000 + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted");
        }
    }

    private MigrationResult result(long start, boolean ok, String failure) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        return MigrationResult.newBuilder().setSessionId(session.id()).setOk(ok).setTo(to).setMillis(millis)
                .setMessage(failure == null ? "" : failure).setFinishedAt(System.currentTimeMillis())
                .setMigrationId(id).setJson(b.json(id, session.id(), migrations.serverName(), to, ok, millis, failure)).build();
    }

    /** The time each step took, and what moved. */
    private static final class Breakdown {
        long quiesce;
        long snapshot;
        long precopy;
        int precopied;
        long connect;
        long contents;
        long commit;
        long handover;
        long acceptedAt;
        long redirect;
        long resume;
        long replayMicros;
        long restoreMicros;
        long bytes;
        long contentsSent;
        int buffers;
        int images;
        int records;
        int objects;
        int events;
        int maps;

        String json(String migration, String session, String from, String to, boolean ok, long totalMillis, String failure) {
            // transfer: streaming records, state and contents to the peer, less the source's reads
            long transfer = Math.max(0, (handover - commit) / 1000 - snapshot / 1000);
            return "{\"migration\":\"" + migration + "\",\"session\":\"" + session + "\",\"from\":\"" + esc(from) + "\",\"to\":\"" + esc(to) + "\",\"ok\":" + ok
                    + ",\"total_ms\":" + totalMillis + ",\"downtime_ms\":" + ms(Math.max(0, totalMillis * 1000 - precopy / 1000))
                    + ",\"precopy_ms\":" + ms(precopy / 1000) + ",\"precopied_records\":" + precopied
                    + ",\"quiesce_ms\":" + ms(quiesce / 1000) + ",\"snapshot_ms\":" + ms(snapshot / 1000)
                    + ",\"transfer_ms\":" + ms(transfer) + ",\"replay_ms\":" + ms(replayMicros)
                    + ",\"restore_ms\":" + ms(restoreMicros) + ",\"redirect_ms\":" + ms(redirect / 1000)
                    + ",\"resume_ms\":" + ms(resume / 1000) + ",\"connect_ms\":" + ms(connect / 1000)
                    + ",\"contents_ms\":" + ms(contents / 1000) + ",\"commit_ms\":" + ms(commit / 1000) + ",\"bytes\":" + bytes + ",\"records\":" + records
                    + ",\"objects\":" + objects + ",\"buffers\":" + buffers + ",\"images\":" + images
                    + ",\"events\":" + events + ",\"maps\":" + maps
                    + (failure != null ? ",\"error\":\"" + esc(failure) + "\"" : "") + "}";
        }

        private static String ms(long micros) {
            return String.format(java.util.Locale.ROOT, "%.3f", micros / 1000.0);
        }

        private static String esc(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }
}

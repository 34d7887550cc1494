package io.ava.server.migration;

import io.ava.proto.Call;
import io.ava.proto.EventState;
import io.ava.proto.MapState;
import io.ava.proto.MigrationAccepted;
import io.ava.proto.MigrationHeader;
import io.ava.proto.MigrationPacket;
import io.ava.proto.MigrationReply;
import io.ava.proto.ObjectRefs;
import io.ava.proto.ObjectState;
import io.ava.proto.RecordedCall;
import io.ava.server.dispatch.ClError;
import io.ava.server.dispatch.Dispatcher;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.server.handles.NativeRefs;
import io.ava.server.session.BulkListener;
import io.ava.server.session.ServerSession;
import io.ava.server.session.SessionRegistry;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.Spec;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import io.ava.server.logging.Events;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The target's half of one migration: rebuilds the session as the packets arrive (replaying the
 * log binds the original ids), writes the contents, applies the state at commit, then waits for
 * the client. The session is discarded if the source gives up or the client never comes.
 */
final class IncomingMigration implements StreamObserver<MigrationPacket> {
    private static final Logger log = LoggerFactory.getLogger(IncomingMigration.class);
    private static final long CLIENT_WAIT_SECONDS = 60;

    private final MigrationService service;
    private final StreamObserver<MigrationReply> replies;
    private final String localHost;
    private ServerSession session;
    private ReplayContext replay;
    private ContentWriter contents;
    private ObjectState state;
    private long replayNanos;
    private byte[] token;
    private boolean done;
    private volatile boolean resumed;
    /** the source's name for this migration (from the header), for the logs */
    private volatile String migrationId = "";
    private long startedAt;
    private boolean counted;
    /** bytes of object contents the source announced (its last header) */
    private long contentBytes;

    IncomingMigration(MigrationService service, StreamObserver<MigrationReply> replies, String localHost) {
        this.service = service;
        this.replies = replies;
        this.localHost = localHost;
    }

    @Override
    public void onNext(MigrationPacket p) {
        if (done) {
            return;
        }
        if (p.hasHeader() && session == null) {
            migrationId = p.getHeader().getMigrationId();
            startedAt = System.nanoTime();
        }
        MDC.put("migration", migrationId);
        if (session != null || p.hasHeader()) {
            MDC.put("session", session != null ? session.id() : p.getHeader().getSessionId());
        }
        try {
            switch (p.getKindCase()) {
                case HEADER -> header(p.getHeader());
                case RECORD -> record(p.getRecord());
                case STATE -> {
                    state = p.getState();
                    contents().replayed();
                }
                case COMMIT -> commit();
                case PRESYNC -> {
                    if (session == null) {
                        throw new MigrationException("presync before the header");
                    }
                    // every record before this one has been replayed: packets run in order
                    replies.onNext(MigrationReply.newBuilder().setPresynced(true).build());
                }
                default -> throw new MigrationException("unknown migration packet");
            }
        } catch (MigrationException | RuntimeException e) {
            String why = e instanceof MigrationException ? e.getMessage() : "internal error: " + e;
            Events.warn(log, "migration-refused").addKeyValue("session", session == null ? "?" : session.id())
                    .addKeyValue("migration", migrationId).addKeyValue("reason", why).log();
            discard();
            done = true;
            replies.onError(Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException());
        } finally {
            MDC.remove("migration");
            MDC.remove("session");
        }
    }

    /** Counts the migration once, when it ends either way. */
    private synchronized void ended(boolean ok) {
        if (!counted && startedAt != 0) {
            counted = true;
            service.registry().metrics().migrationIn(ok, System.nanoTime() - startedAt);
        }
    }

    private ContentWriter contents() throws MigrationException {
        if (contents == null) {
            throw new MigrationException("contents before the header");
        }
        return contents;
    }

    private void header(MigrationHeader h) throws MigrationException {
        contentBytes = h.getContentBytes();
        if (session != null) {
            // after a pre-copy: what changed while the program ran on
            if (!h.getSessionId().equals(session.id())) {
                throw new MigrationException("a header for another session");
            }
            RootObjects.bind(h.getRootsList(), session.table());
            session.table().continueServerIds(h.getNextServerId());
            for (long id : h.getPrintfIdsList()) {
                session.table().markPrintf(id);
            }
            return;
        }
        if (!h.getSpecDigest().equals(service.spec().digest())) {
            throw new MigrationException("the servers' OpenCL specs differ: migrate only between servers of the same ava build");
        }
        String refusal = service.admit();
        if (refusal != null) {
            throw new MigrationException(refusal);
        }
        session = service.newSession(h.getSessionId(), "migrated from " + h.getSourceServer());
        replay = new ReplayContext(session);
        contents = new ContentWriter(session.table(), localHost);
        replies.onNext(MigrationReply.newBuilder().setContent(contents.channel()).build());
        RootObjects.bind(h.getRootsList(), session.table());
        session.table().continueServerIds(h.getNextServerId());
        for (long id : h.getPrintfIdsList()) {
            session.table().markPrintf(id);
        }
        Events.info(log, "migration-receiving").addKeyValue("session", h.getSessionId()).addKeyValue("migration", migrationId)
                .addKeyValue("from", h.getSourceServer()).addKeyValue("content_bytes", h.getContentBytes()).log();
    }

    private void record(RecordedCall r) throws MigrationException {
        if (session == null) {
            throw new MigrationException("records before the header");
        }
        long t = System.nanoTime();
        Call call = r.getCall();
        FunctionSpec f = service.spec().function(call.getFunction());
        HandleTable table = session.table();
        table.forceServerIds(r.getCreatedList().stream().mapToLong(Long::longValue).toArray());
        replay.current(call);
        Dispatcher.Outcome o = service.dispatcher().execute(call, replay);
        table.forceServerIds(new long[0]);
        long took = System.nanoTime() - t;
        replayNanos += took;
        if (took > 5_000_000 && log.isInfoEnabled()) {
            Events.info(log, "slow-replay").addKeyValue("session", session.id()).addKeyValue("migration", migrationId)
                    .addKeyValue("call", call.getCallId()).addKeyValue("function", f == null ? "?" : f.name())
                    .addKeyValue("ms", took / 1_000_000).log();
        }
        String name = f == null ? "function " + call.getFunction() : f.name();
        if (o.failed) {
            throw new MigrationException("replaying call " + call.getCallId() + " (" + name + ") failed with error "
                    + o.reply.getResult() + (o.reply.getMessage().isEmpty() ? "" : ": " + o.reply.getMessage()));
        }
        for (long id : r.getCreatedList()) {
            if (table.find(id) == null && table.svm(id) == null) {
                throw new MigrationException("replaying call " + call.getCallId() + " (" + name + ") did not recreate object " + id);
            }
        }
    }

    private void commit() throws MigrationException {
        if (session == null || state == null) {
            throw new MigrationException("commit before the header and state");
        }
        contents.awaitDone();
        long t = System.nanoTime();
        HandleTable table = session.table();
        Map<Long, Integer> refs = new HashMap<>();
        Set<Long> named = new java.util.HashSet<>();
        for (ObjectRefs r : state.getRefsList()) {
            refs.put(r.getId(), r.getRefs());
            if (r.getNamed()) {
                named.add(r.getId());
            }
        }
        for (EventState e : state.getEventsList()) {
            event(e, table);
        }
        for (MapState m : state.getMapsList()) {
            map(m, table);
        }
        Set<Long> liveSvm = new java.util.HashSet<>(state.getLiveSvmList());
        for (long id : table.svmIds()) {
            if (!liveSvm.contains(id)) {
                HandleTable.SvmAllocation a = table.svmFreed(id);
                CL.clSVMFree(a.context(), a.pointer()); // freed on the source after it was recorded
            }
        }
        adjustReferences(table, refs, named);
        contents.close();
        long restoreNanos = contents.nanos + System.nanoTime() - t;
        token = new byte[16];
        MigrationService.RANDOM.nextBytes(token);
        session.awaitResume(this::clientBack);
        service.registry().awaitClient(session, token);
        service.timer().schedule(this::clientLate, CLIENT_WAIT_SECONDS, TimeUnit.SECONDS);
        Events.info(log, "migration-accepted").addKeyValue("session", session.id()).addKeyValue("migration", migrationId)
                .addKeyValue("objects", table.liveObjects()).addKeyValue("replay_ms", replayNanos / 1_000_000)
                .addKeyValue("restore_ms", restoreNanos / 1_000_000).log();
        service.registry().metrics().bytes(io.ava.server.metrics.Traffic.MIGRATION_IN, contentBytes);
        replies.onNext(MigrationReply.newBuilder().setAccepted(MigrationAccepted.newBuilder()
                .setClientAddress(service.clientAddress(localHost)).setResumeToken(com.google.protobuf.ByteString.copyFrom(token))
                .setTargetName(service.registry().serverName()).setReplayMicros(replayNanos / 1000)
                .setRestoreMicros(restoreNanos / 1000).setObjects((int) table.liveObjects())).build());
    }

    /** A completed enqueue's event becomes a user event with the same status, and its facts are kept. */
    private static void event(EventState e, HandleTable table) throws MigrationException {
        HandleEntry ctx = table.find(e.getContext());
        if (ctx == null || ctx.type() != HandleType.cl_context) {
            List<HandleEntry> any = table.all(HandleType.cl_context);
            if (any.isEmpty()) {
                throw new MigrationException("event " + e.getId() + " has no context to live in");
            }
            ctx = any.get(0);
        }
        int[] err = new int[1];
        cl_event ev = CL.clCreateUserEvent((cl_context) ctx.object(), err);
        if (err[0] != CL.CL_SUCCESS) {
            throw new MigrationException("cannot rebuild event " + e.getId() + " (error " + err[0] + ")");
        }
        CL.clSetUserEventStatus(ev, e.getStatus() < 0 ? e.getStatus() : CL.CL_COMPLETE);
        HandleEntry entry = table.bind(e.getId(), HandleType.cl_event, ev, 0, null);
        for (int k = 1; k < e.getRefs(); k++) {
            CL.clRetainEvent(ev);
            table.retained(entry);
        }
        long[] profiling = e.getProfilingCount() == 0 ? null : e.getProfilingList().stream().mapToLong(Long::longValue).toArray();
        // an enqueue's event holds a reference to its queue, as the driver's did on the source
        HandleEntry q = e.getQueue() == 0 ? null : table.find(e.getQueue());
        cl_command_queue held = null;
        if (q != null && q.type() == HandleType.cl_command_queue) {
            held = (cl_command_queue) q.object();
            CL.clRetainCommandQueue(held);
        }
        table.migratedEvent(e.getId(), new HandleTable.EventFacts(e.getQueue(), e.getContext(), e.getCommandType(), profiling, held));
    }

    /** An open map: mapped again (buffers) or its host copy put back (images), under the same map id. */
    private void map(MapState m, HandleTable table) throws MigrationException {
        cl_mem mem;
        try {
            mem = (cl_mem) table.lookup(m.getMem(), HandleType.cl_mem).object();
        } catch (ClError e) {
            throw new MigrationException("map " + m.getMapId() + " of memory object " + m.getMem() + ", which was not rebuilt");
        }
        if (m.getImage()) {
            ByteBuffer copy = contents.imageMapCopies.get(m.getMapId());
            if (copy == null) {
                throw new MigrationException("the bytes of image map " + m.getMapId() + " did not arrive");
            }
            table.imageMapped(m.getMapId(), new HandleTable.ImageMapping(mem, toArray(m.getOriginList()), toArray(m.getRegionList()),
                    m.getRowPitch(), m.getSlicePitch()));
            table.mapped(m.getMapId(), copy);
            return;
        }
        HandleEntry q = table.find(m.getQueue());
        cl_command_queue queue = q != null && q.type() == HandleType.cl_command_queue
                ? (cl_command_queue) q.object() : contents.queues().forMem(mem);
        int[] err = new int[1];
        ByteBuffer memory = CL.clEnqueueMapBuffer(queue, mem, true, m.getFlags(), m.getOffset(), m.getSize(), 0, null, null, err);
        if (err[0] != CL.CL_SUCCESS || memory == null) {
            throw new MigrationException("mapping buffer " + m.getMem() + " again failed with error " + err[0]);
        }
        table.mapped(m.getMapId(), memory, new HandleTable.MapOrigin(m.getQueue(), m.getMem(), m.getFlags(), m.getOffset(), m.getSize()));
    }

    private static long[] toArray(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Replay made each object once; the client holds as many references as it had on the source
     * (objects it released but a dependent keeps get released here, as they were there).
     */
    private void adjustReferences(HandleTable table, Map<Long, Integer> refs, Set<Long> named) {
        List<HandleEntry> entries = new ArrayList<>(table.allOldestFirst());
        java.util.Collections.reverse(entries);
        for (HandleEntry e : entries) {
            if (e.type() == HandleType.cl_platform_id || e.type() == HandleType.cl_device_id || table.eventFacts(e.id()) != null) {
                continue;
            }
            int want = refs.getOrDefault(e.id(), 0);
            int have = table.clientReferences(e);
            for (int k = have; k < want; k++) {
                NativeRefs.retain(e);
                table.retained(e);
                session.recordLog().retained(e.id());
            }
            for (int k = want; k < have; k++) {
                NativeRefs.release(e);
                if (want == 0 && k == have - 1 && named.contains(e.id())) {
                    table.releasedKeepingName(e); // a dependent keeps it alive, and the client knows its id
                } else {
                    table.released(e);
                }
                session.recordLog().released(e.id());
            }
        }
    }

    private void clientBack() {
        resumed = true;
        Events.info(log, "migration-resumed").addKeyValue("session", session.id()).addKeyValue("migration", migrationId).log();
        ended(true);
        synchronized (this) {
            if (!done) {
                replies.onNext(MigrationReply.newBuilder().setResumed(true).build());
            }
        }
    }

    private void clientLate() {
        if (!resumed && service.registry().takeResumableForTimeout(token)) {
            Events.warn(log, "migration-expired").addKeyValue("session", session.id()).addKeyValue("migration", migrationId)
                    .addKeyValue("reason", "the client did not come within " + CLIENT_WAIT_SECONDS + " s").log();
            discard();
        }
    }

    @Override
    public void onError(Throwable t) {
        sourceGone("the source gave up: " + Status.fromThrowable(t).getDescription());
    }

    @Override
    public void onCompleted() {
        if (!resumed) {
            sourceGone("the source ended the migration before the client came");
        } else {
            synchronized (this) {
                done = true;
                replies.onCompleted();
            }
        }
    }

    private void sourceGone(String why) {
        synchronized (this) {
            done = true;
        }
        if (!resumed && session != null) {
            Events.info(log, "migration-discarded").addKeyValue("session", session.id()).addKeyValue("migration", migrationId)
                    .addKeyValue("reason", why).log();
            if (token != null) {
                service.registry().forgetResumable(token);
            }
            discard();
        }
    }

    private void discard() {
        if (contents != null) {
            contents.close();
        }
        if (session != null && !resumed) {
            session.close("migration-discarded");
        }
        if (!resumed) {
            ended(false);
        }
    }
}

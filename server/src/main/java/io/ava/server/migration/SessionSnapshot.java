package io.ava.server.migration;

import io.ava.proto.EventState;
import io.ava.proto.MapState;
import io.ava.proto.MigrationHeader;
import io.ava.proto.ObjectRefs;
import io.ava.proto.ObjectState;
import io.ava.proto.RecordedCall;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.server.replay.RecordLog;
import io.ava.server.session.ServerSession;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a quiesced session is, apart from the bytes its objects hold: the header (platforms and
 * devices by position, id counters), the record log, and the state the calls alone do not
 * rebuild (reference counts, events, open maps, live SVM allocations).
 */
final class SessionSnapshot {
    final MigrationHeader header;
    final List<RecordedCall> records;
    final ObjectState state;
    /** the newest record sent: after a pre-copy, only newer ones (and every kernel setting) go again */
    final long lastSequence;

    private SessionSnapshot(MigrationHeader header, List<RecordedCall> records, ObjectState state, long lastSequence) {
        this.header = header;
        this.records = records;
        this.state = state;
        this.lastSequence = lastSequence;
    }

    /** While the program still runs: the header and the log so far (no state; it changes until the pause). */
    static SessionSnapshot precopy(ServerSession session, String specDigest, String sourceName) throws MigrationException {
        return take(session, specDigest, sourceName, 0, -1, false);
    }

    /**
     * After the pause: the header again, the records newer than {@code afterSequence} (all with
     * -1), every kernel setting (they are replaced in place, so they always go again), and the state.
     */
    static SessionSnapshot take(ServerSession session, String specDigest, String sourceName, long contentBytes,
                                long afterSequence) throws MigrationException {
        return take(session, specDigest, sourceName, contentBytes, afterSequence, true);
    }

    private static SessionSnapshot take(ServerSession session, String specDigest, String sourceName, long contentBytes,
                                        long afterSequence, boolean withState) throws MigrationException {
        HandleTable table = session.table();
        RecordLog log = session.recordLog();
        List<RecordLog.Record> all = log.snapshot();
        MigrationHeader header = MigrationHeader.newBuilder().setSessionId(session.id()).setSpecDigest(specDigest)
                .setSourceServer(sourceName).addAllRoots(RootObjects.describe(table, log.heldIds()))
                .setNextServerId(table.nextServerId()).addAllPrintfIds(table.printfIds())
                .setContentBytes(contentBytes).build();
        List<RecordedCall> records = new ArrayList<>();
        long last = afterSequence;
        for (RecordLog.Record r : all) {
            if (r.sequence() != 0 && r.sequence() <= afterSequence) {
                continue; // the peer replayed it during the pre-copy
            }
            last = Math.max(last, r.sequence());
            RecordedCall.Builder rc = RecordedCall.newBuilder().setCall(r.call());
            for (long id : r.created()) {
                rc.addCreated(id);
            }
            records.add(rc.build());
        }
        return new SessionSnapshot(header, records, withState ? state(table, log) : null, last);
    }

    private static ObjectState state(HandleTable table, RecordLog log) {
        ObjectState.Builder s = ObjectState.newBuilder();
        Set<Long> held = log.heldIds();
        for (HandleEntry e : table.allOldestFirst()) {
            if (e.type() == HandleType.cl_platform_id || e.type() == HandleType.cl_device_id) {
                continue;
            }
            int refs = table.clientReferences(e);
            if (e.type() == HandleType.cl_event && !held.contains(e.id())) {
                if (refs > 0) {
                    s.addEvents(event(e, refs, table));
                }
                continue;
            }
            s.addRefs(ObjectRefs.newBuilder().setId(e.id()).setRefs(refs).setNamed(true));
            held.remove(e.id());
        }
        for (long id : held) {
            s.addRefs(ObjectRefs.newBuilder().setId(id).setRefs(0)); // released, kept for a dependent
        }
        for (Map.Entry<Long, HandleTable.MapOrigin> m : table.mapOrigins().entrySet()) {
            HandleTable.MapOrigin o = m.getValue();
            s.addMaps(MapState.newBuilder().setMapId(m.getKey()).setMem(o.mem()).setQueue(o.queue()).setFlags(o.flags())
                    .setOffset(o.offset()).setSize(o.size()));
        }
        for (Map.Entry<Long, HandleTable.ImageMapping> m : table.imageMappings().entrySet()) {
            HandleTable.ImageMapping im = m.getValue();
            MapState.Builder b = MapState.newBuilder().setMapId(m.getKey()).setImage(true)
                    .setMem(table.idOfNative(im.image().getNativePointer()))
                    .setRowPitch(im.rowPitch()).setSlicePitch(im.slicePitch());
            for (long v : im.origin()) {
                b.addOrigin(v);
            }
            for (long v : im.region()) {
                b.addRegion(v);
            }
            s.addMaps(b);
        }
        s.addAllLiveSvm(table.svmIds());
        return s.build();
    }

    /** An enqueue's event: its facts, read from the driver (or kept from an earlier migration). */
    private static EventState.Builder event(HandleEntry e, int refs, HandleTable table) {
        cl_event ev = (cl_event) e.object();
        EventState.Builder b = EventState.newBuilder().setId(e.id()).setRefs(refs);
        int[] status = new int[1];
        CL.clGetEventInfo(ev, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, 4, Pointer.to(status), null);
        b.setStatus(status[0] > 0 ? CL.CL_COMPLETE : status[0]);
        HandleTable.EventFacts known = table.eventFacts(e.id());
        if (known != null) {
            b.setContext(known.context()).setQueue(known.queue()).setCommandType(known.commandType());
            if (known.profiling() != null) {
                for (long p : known.profiling()) {
                    b.addProfiling(p);
                }
            }
            return b;
        }
        long[] ptr = new long[1];
        CL.clGetEventInfo(ev, CL.CL_EVENT_CONTEXT, 8, Pointer.to(ptr), null);
        b.setContext(table.idOfNative(ptr[0]));
        ptr[0] = 0;
        CL.clGetEventInfo(ev, CL.CL_EVENT_COMMAND_QUEUE, 8, Pointer.to(ptr), null);
        b.setQueue(ptr[0] == 0 ? 0 : table.idOfNative(ptr[0]));
        int[] type = new int[1];
        CL.clGetEventInfo(ev, CL.CL_EVENT_COMMAND_TYPE, 4, Pointer.to(type), null);
        b.setCommandType(type[0]);
        long[] t = new long[1];
        for (int p = CL.CL_PROFILING_COMMAND_QUEUED; p <= CL.CL_PROFILING_COMMAND_END + 1; p++) {
            if (CL.clGetEventProfilingInfo(ev, p, 8, Pointer.to(t), null) != CL.CL_SUCCESS) {
                break;
            }
            b.addProfiling(t[0]);
        }
        return b;
    }
}

package io.ava.server.dispatch;

import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.Role;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** What a successful call changes besides its results: references, the record log, printf routing, sizes. */
final class Bookkeeping {
    private Bookkeeping() {
    }

    /**
     * Before a launch: a kernel that prints makes this session the one its output goes to. Done
     * before the driver runs it, since the output may come while the enqueue is still returning.
     */
    static void beforeLaunch(FunctionSpec f, HandleEntry[] entries, SessionContext ctx) {
        if ((f.name().equals("clEnqueueNDRangeKernel") || f.name().equals("clEnqueueTask"))
                && entries[1] != null && ctx.table().usesPrintf(entries[1].id())) {
            ctx.printfLaunched();
        }
    }

    /** Notes which programs and kernels print. */
    static void notePrintf(FunctionSpec f, Call call, Object[] args, HandleEntry[] entries, SessionContext ctx) {
        HandleTable table = ctx.table();
        switch (f.name()) {
            case "clCreateProgramWithSource":
                if (args[2] != null) {
                    for (String source : (String[]) args[2]) {
                        if (source != null && source.contains("printf")) {
                            table.markPrintf(call.getNewId());
                        }
                    }
                }
                break;
            case "clCreateProgramWithBinary":
                if (args[4] != null) {
                    for (byte[] b : (byte[][]) args[4]) {
                        if (b != null && new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).contains("printf")) {
                            table.markPrintf(call.getNewId());
                        }
                    }
                }
                break;
            case "clLinkProgram":
            case "clCreateKernel":
                for (HandleEntry e : entries) {
                    if (e != null && table.usesPrintf(e.id())) {
                        table.markPrintf(call.getNewId());
                    }
                }
                if (f.name().equals("clLinkProgram") && call.getArgsCount() > 0) {
                    for (long id : call.getArgs(f.slot(5)).getLongs().getValuesList()) {
                        if (table.usesPrintf(id)) {
                            table.markPrintf(call.getNewId());
                        }
                    }
                }
                break;
            default:
                break;
        }
    }

    /** Reference bookkeeping after a successful retain or release. */
    static void succeeded(FunctionSpec f, HandleEntry[] entries, HandleTable table, io.ava.server.replay.RecordLog log) {
        if (f.deallocates() != null) {
            HandleEntry gone = entries[f.deallocates().index()];
            table.released(gone);
            HandleTable.EventFacts facts = gone.type() == HandleType.cl_event ? table.eventFacts(gone.id()) : null;
            if (facts != null && facts.heldQueue() != null && table.clientReferences(gone) == 0) {
                org.jocl.CL.clReleaseCommandQueue(facts.heldQueue()); // what the migrated event held
            }
            if (log != null) {
                log.released(entries[f.deallocates().index()].id());
            }
        } else if (f.retains() != null) {
            table.retained(entries[f.retains().index()]);
            if (log != null) {
                log.retained(entries[f.retains().index()].id());
            }
        }
    }

    /** The objects a successful call created: its new object, or the kernels of clCreateKernelsInProgram. */
    static long[] createdIds(FunctionSpec f, Reply.Builder reply) {
        if (f.allocates() != null) {
            return reply.getResult() != 0 ? new long[]{reply.getResult()} : new long[0];
        }
        List<Long> ids = new ArrayList<>();
        for (ArgSpec a : f.args()) {
            if (a.role() == Role.out_handles && (a.handleType() == HandleType.cl_kernel || a.handleType() == HandleType.cl_device_id)
                    && ReplyOutputs.get(reply, a.index()) != null) {
                for (long id : ReplyOutputs.get(reply, a.index()).getRefs().getIdsList()) {
                    if (id != 0) {
                        ids.add(id);
                    }
                }
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static final long[] NO_IDS = new long[0];

    /** Adds a successful call the spec marks record to the session's log. */
    static void record(FunctionSpec f, Call call, Object[] args, long[] created, SessionContext ctx) {
        io.ava.server.replay.RecordLog log = ctx.recordLog();
        if (log == null || !f.record()) {
            return;
        }
        long[] handles = new long[f.args().size()];
        List<Long> more = null; // rare (several input programs or headers): no allocation per kernel argument
        long bound = 0;
        for (int i = 0; i < handles.length; i++) {
            ArgSpec a = f.arg(i);
            if (a.role() == Role.handle) {
                handles[i] = call.getScalars(f.slot(i));
            } else if (a.role() == Role.handles && !call.getArgs(f.slot(i)).getIsNull()) {
                // depends_on over an array: every element (input programs, headers)
                List<Long> ids = call.getArgs(f.slot(i)).getLongs().getValuesList();
                handles[i] = ids.isEmpty() ? 0 : ids.get(0);
                if (ids.size() > 1 && f.dependsOn().contains(a)) {
                    more = more == null ? new ArrayList<>() : more;
                    more.addAll(ids.subList(1, ids.size()));
                }
            } else if (a.role() == Role.in && f.name().equals("clSetKernelArg") && call.getArgs(f.slot(i)).hasRefs()) {
                io.ava.proto.HandleRefs refs = call.getArgs(f.slot(i)).getRefs();
                bound = refs.getIdsCount() == 1 ? refs.getIds(0) : 0;
            }
        }
        log.recorded(f, call, handles, created, bound, more == null ? NO_IDS : more.stream().mapToLong(Long::longValue).toArray());
    }

    /** Bytes of a buffer the call creates: the server checks later transfers against it. */
    static long memSize(FunctionSpec f, Object[] args, Object inputBytes) {
        switch (f.name()) {
            case "clCreateBuffer":
                return (Long) args[2];
            case "clCreateSubBuffer2":
                return args[3] == null ? 0 : ((org.jocl.cl_buffer_region) args[3]).size; // a null region: the driver refuses it
            case "clCreateSubBuffer": {
                ByteBuffer info = (ByteBuffer) inputBytes;
                return info == null || info.capacity() < 16 ? 0 : info.order(ByteOrder.nativeOrder()).getLong(8);
            }
            default:
                return 0;
        }
    }
}

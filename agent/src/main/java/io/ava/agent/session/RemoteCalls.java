package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import io.ava.proto.Call;
import io.ava.proto.LongList;
import io.ava.proto.Reply;
import io.ava.proto.Value;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.Role;
import io.ava.spec.SizeExpr;
import io.ava.spec.Spec;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns one intercepted JOCL native call into a remote call and its reply back into what the
 * native would have returned and written, following the spec entry's plan.
 */
public final class RemoteCalls {
    static final int CL_SUCCESS = 0;
    static final int CL_DEVICE_NOT_AVAILABLE = -2;
    static final int CL_INVALID_VALUE = ArgEncoder.CL_INVALID_VALUE;
    /** AVA_TRACE=1 prints every call on stderr (function, call id, time since start, thread, whether it was pipelined). */
    private static final boolean TRACE = "1".equals(System.getenv("AVA_TRACE"));
    /** trace times count from the agent's start (JVM start is a few ms earlier) */
    private static final long TRACE_START = System.nanoTime();

    private final Spec spec;
    private final AgentConnection connection;
    private final ClientObjects objects = new ClientObjects();
    private final AsyncPredictor predictor = new AsyncPredictor(objects);
    private final AtomicLong nextCallId = new AtomicLong();
    private final AtomicLong nextObjectId = new AtomicLong();
    private final HostPtrMirror hostPtrs = new HostPtrMirror();
    private final ClientCallbacks callbacks = new ClientCallbacks();
    private final MappedMemory maps = new MappedMemory();
    private final SharedVirtualMemory svm = new SharedVirtualMemory();
    private final ProfilingTimes profilingTimes = new ProfilingTimes();
    /** calls counted (they have a call id, as AVA_MIGRATION_CALL_ID counts them) but answered without the server */
    private final AtomicLong answeredHere = new AtomicLong();
    private static final java.util.Set<String> refusedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** bytes per pixel of each image, for the host extent of image transfers */
    private final java.util.Map<Long, Long> imageElementSizes = new java.util.concurrent.ConcurrentHashMap<>();
    private final ArgEncoder encoder = new ArgEncoder(nextObjectId, svm, imageElementSizes);
    private final ReplyApplier applier = new ReplyApplier(objects, imageElementSizes);
    private volatile RemoteSession listening;
    private final int readBufferFunction;
    private final int imageInfoFunction;
    private static final long CL_MEM_USE_HOST_PTR = 1 << 3;

    public RemoteCalls(Spec spec, AgentConnection connection) {
        this.spec = spec;
        this.connection = connection;
        this.readBufferFunction = spec.forNative("clEnqueueReadBufferNative").index();
        this.imageInfoFunction = spec.forNative("clGetImageInfoNative").index();
        this.releaseEventFunction = spec.forNative("clReleaseEventNative").index();
        if (connection.config().countCalls()) {
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> System.err.println("Final call count = " + nextCallId.get()
                            + (answeredHere.get() > 0 ? " (" + answeredHere.get() + " answered by the agent)" : "")),
                    "ava-call-count"));
        }
    }

    public Spec spec() {
        return spec;
    }

    /** Calls made so far (numbered from 0 across all threads, as AVA_MIGRATION_CALL_ID counts). */
    public long callCount() {
        return nextCallId.get();
    }

    /** Runs a call; returns what the native returns (Integer status, a handle object, or null). */
    public Object invoke(int function, Object[] args) {
        FunctionSpec f = spec.function(function);
        RemoteSession session = connection.session();
        if (session == null) {
            return failure(f, args, CL_DEVICE_NOT_AVAILABLE);
        }
        if (listening != session) {
            listening = session;
            session.onPush(push -> {
                if (push.getCallbackId() == 0) {
                    // kernel printf output, before the reply that follows it: in order, as natively
                    System.out.print(push.getText());
                    System.out.flush();
                } else {
                    callbacks.dispatch(push, session);
                }
            });
        }
        if (f.name().equals("clSetCommandQueueProperty")) {
            // JOCL's native library prints this itself, through C's stdout
            NativeStdout.println("clSetCommandQueueProperty is no longer supported in OpenCL 1.1");
        }
        if (f.returns() == FunctionSpec.Returns.svm && ((Long) args[1] & SharedVirtualMemory.CL_MEM_SVM_FINE_GRAIN_BUFFER) != 0) {
            if (refusedOnce.add("fine-grained SVM")) {
                System.err.println("ava: clSVMAlloc with CL_MEM_SVM_FINE_GRAIN_BUFFER is refused: fine-grained SVM lets "
                        + "host and device share memory without maps, which a device on another machine cannot do");
            }
            return null;
        }
        long callId = nextCallId.getAndIncrement();
        if (callId == connection.config().migrationCallId()) {
            // AvA's benchmark trigger: this call and later ones run on the peer
            System.err.println("start live migration at call_id " + callId);
            session.requestMigration();
        }
        if (f.name().equals("clGetEventProfilingInfo")) {
            Object known = profilingTimes.answer(args);
            if (known != null) {
                answeredHere.incrementAndGet();
                return known;
            }
        } else if (f.name().equals("clReleaseEvent")) {
            profilingTimes.forget(args[0]);
        }
        Call.Builder call = Call.newBuilder().setCallId(callId).setFunction(function)
                .setThread(Thread.currentThread().getId());
        // one slot more than arguments: the bytes of a returned mapping
        HostMemory.Region[] outRegions = new HostMemory.Region[args.length + 1];
        ByteBuffer shadow = null;
        if (f.returns() == FunctionSpec.Returns.mapped) {
            shadow = shadowFor(f, args);
            if (shadow != null) {
                outRegions[args.length] = HostMemory.resolve(Pointer.to(shadow));
            }
        }
        MappedMemory.Mapping unmapping = null;
        if (f.name().equals("clEnqueueSVMMap") && args[3] != null) {
            outRegions[3] = HostMemory.resolve((Pointer) args[3]); // the shadow, at the mapped offset
        }
        List<RemoteSession.BulkIn> bulk = new ArrayList<>();
        long[] eventIds = new long[args.length];
        SizeExpr.Args scalars = i -> scalar(args[i]);
        for (int i = 0; i < args.length; i++) {
            ArgSpec a = f.arg(i);
            if (f.isPacked(i)) {
                call.addScalars(a.role() == Role.scalar ? scalar(args[i])
                        : args[i] == null ? 0 : Jocl.id((NativePointerObject) args[i]));
                continue;
            }
            if (a.role() == Role.mapped) {
                unmapping = maps.find((ByteBuffer) args[i]);
                if (unmapping == null) {
                    return failure(f, args, CL_INVALID_VALUE);
                }
                try {
                    session.awaitTransfer(unmapping.mapId()); // a non-blocking map's bytes must land first
                } catch (SessionException e) {
                    connection.lost(e);
                    return failure(f, args, CL_DEVICE_NOT_AVAILABLE);
                }
                if (unmapping.writes()) {
                    bulk.add(new RemoteSession.BulkIn(i, HostMemory.resolve(Pointer.to(unmapping.shadow())),
                            unmapping.shadow().capacity()));
                }
                call.addArgs(Value.newBuilder().setLongs(LongList.newBuilder().addValues(unmapping.mapId())
                        .addValues(unmapping.writes() ? 1 : 0)));
                continue;
            }
            try {
                call.addArgs(a.role() == Role.callback && args[i] != null
                        ? Value.newBuilder().setScalar(callbacks.register(f, args[i], args)).build()
                        : encoder.encode(f, a, args[i], scalars, outRegions, bulk, eventIds, i, args));
            } catch (LocalError e) {
                return failure(f, args, e.code);
            }
        }
        long newId = 0;
        if (f.allocates() != null || f.returns() == FunctionSpec.Returns.svm) {
            newId = nextObjectId.incrementAndGet();
            call.setNewId(newId);
        }
        try {
            if (f.async().test(args) && f.allocates() == null && bulk.isEmpty() && predictor.predict(f, args)) {
                if (TRACE) {
                    trace(f, callId, args, "async");
                }
                if (isNonBlockingRead(f, args)) {
                    // the bytes come with the server's word that the driver finished (a push)
                    RemoteSession.Pending pending = new RemoteSession.Pending(outRegions);
                    session.sendAsyncTransfer(call.setAsync(true).build(), pending);
                    lastTransfer.set(pending);
                } else {
                    session.sendAsync(call.setAsync(true).build());
                }
                applier.applyPredicted(f, args, eventIds);
                afterCall(f, args, CL_SUCCESS, null);
                return status(f, CL_SUCCESS);
            }
            if (TRACE) {
                trace(f, callId, args, "sync");
            }
            boolean transfer = isNonBlockingRead(f, args);
            RemoteSession.Pending pending = new RemoteSession.Pending(outRegions);
            Reply reply = session.call(call.build(), bulk, pending, transfer);
            Object result = applier.apply(f, args, reply, outRegions, eventIds);
            lastTransfer.set(transfer ? pending : null);
            if (reply.getEventTimesCount() > 0) {
                profilingTimes.record(reply);
            }
            if (f.returns() == FunctionSpec.Returns.mapped && reply.getErrcode() == CL_SUCCESS && !reply.getNullObject()) {
                maps.opened(callId, (Long) args[3], shadow);
                result = shadow;
            }
            if (unmapping != null && result instanceof Integer && (Integer) result == CL_SUCCESS) {
                maps.closed(unmapping);
            }
            result = afterSvm(f, args, reply, result, callId);
            afterCall(f, args, result instanceof Integer ? (Integer) result : result != null ? CL_SUCCESS : -1, result);
            return result;
        } catch (SessionException e) {
            connection.lost(e);
            return failure(f, args, CL_DEVICE_NOT_AVAILABLE);
        }
    }

    /** The non-blocking read this thread started last, for {@link #keepUntilDone} right after it. */
    private final ThreadLocal<RemoteSession.Pending> lastTransfer = new ThreadLocal<>();
    private final int releaseEventFunction;

    /**
     * Stands in for JOCL's {@code CL.scheduleReferenceRelease}, which JOCL calls after every
     * successful non-blocking transfer: it starts a thread that calls {@code clWaitForEvents} on the
     * event (to keep the host buffer reachable until then) and releases the event afterwards. Over
     * ava that thread is a second client thread making a blocking remote call per transfer, which
     * costs a round trip and a server thread. Here the transfer the agent tracks holds the buffer
     * until its bytes have landed (a write's bytes were sent during the call), and the event JOCL
     * made for itself is released at once: the server's transfer holds its own reference. An event
     * the application asked for is left alone (JOCL's retain and later release cancel out).
     */
    public void keepUntilDone(org.jocl.cl_event event, Object hostMemory, boolean applicationEvent) {
        RemoteSession.Pending p = lastTransfer.get();
        lastTransfer.remove();
        if (p != null) {
            p.keepAlive(hostMemory);
        }
        if (!applicationEvent && event != null && Jocl.id(event) != 0) {
            invoke(releaseEventFunction, new Object[]{event});
        }
    }

    private static void trace(FunctionSpec f, long callId, Object[] args, String mode) {
        StringBuilder b = new StringBuilder("ava-trace call=").append(callId)
                .append(String.format(java.util.Locale.ROOT, " t=%.3fms", (System.nanoTime() - TRACE_START) / 1e6)).append(" thread=")
                .append(Thread.currentThread().getName()).append(' ').append(mode).append(' ').append(f.name()).append('(');
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            b.append(i == 0 ? "" : ", ").append(a instanceof NativePointerObject && !(a instanceof Pointer)
                    ? "#" + Jocl.id((NativePointerObject) a) : String.valueOf(a instanceof Object[] ? java.util.Arrays.toString((Object[]) a) : a));
        }
        System.err.println(b.append(')'));
    }

    /** Bookkeeping of shared virtual memory once the server answered. */
    private Object afterSvm(FunctionSpec f, Object[] args, Reply reply, Object result, long callId) {
        switch (f.name()) {
            case "clSVMAlloc":
                return reply.getNullObject() || reply.getResult() == 0 ? null : svm.allocated(reply.getResult(), (Long) args[2]);
            case "clSVMFree": {
                SharedVirtualMemory.Location l = svm.locate((Pointer) args[1]);
                if (l != null) {
                    svm.freed(l);
                }
                return result;
            }
            case "clEnqueueSVMMap": {
                SharedVirtualMemory.Location l = svm.locate((Pointer) args[3]);
                if (l != null && result instanceof Integer && (Integer) result == CL_SUCCESS) {
                    svm.mapped(l, new SharedVirtualMemory.Mapping(callId, (Long) args[4], (Long) args[2]));
                }
                return result;
            }
            case "clEnqueueSVMUnmap": {
                SharedVirtualMemory.Location l = svm.locate((Pointer) args[1]);
                if (l != null && result instanceof Integer && (Integer) result == CL_SUCCESS) {
                    svm.unmapping(l);
                }
                return result;
            }
            default:
                return result;
        }
    }

    /** The local buffer a map returns: as large as the mapped range, big-endian as JOCL's own. */
    private ByteBuffer shadowFor(FunctionSpec f, Object[] args) {
        if (f.name().equals("clEnqueueMapBuffer")) {
            long cb = (Long) args[5];
            return cb > 0 && cb <= Integer.MAX_VALUE - 8 ? ByteBuffer.allocateDirect((int) cb) : null;
        }
        if (f.name().equals("clEnqueueMapImage") && args[1] != null && args[5] != null && ((long[]) args[5]).length >= 3) {
            // the server maps images by reading the region with the image's own pitches (see its ImageMaps)
            long elem = imageInfo(args[1], org.jocl.CL.CL_IMAGE_ELEMENT_SIZE);
            long row = imageInfo(args[1], org.jocl.CL.CL_IMAGE_ROW_PITCH);
            long slice = imageInfo(args[1], org.jocl.CL.CL_IMAGE_SLICE_PITCH);
            long[] region = (long[]) args[5];
            long size = (region[2] - 1) * slice + (region[1] - 1) * row + region[0] * elem;
            return elem > 0 && size > 0 && size <= Integer.MAX_VALUE - 8 ? ByteBuffer.allocateDirect((int) size) : null;
        }
        return null;
    }

    private long imageInfo(Object image, int param) {
        long[] v = new long[1];
        Object r = invoke(imageInfoFunction, new Object[]{image, param, 8L, Pointer.to(v), null});
        return r instanceof Integer && (Integer) r == CL_SUCCESS ? v[0] : -1;
    }

    /** A read whose bytes the server sends when the driver has them (never made blocking). */
    private static boolean isNonBlockingRead(FunctionSpec f, Object[] args) {
        switch (f.name()) {
            case "clEnqueueReadBuffer":
            case "clEnqueueReadBufferRect":
            case "clEnqueueReadImage":
                return !(Boolean) args[2];
            case "clEnqueueMapBuffer":
            case "clEnqueueMapImage":
                return !(Boolean) args[2] && ((Long) args[3] & MappedMemory.CL_MAP_WRITE_INVALIDATE_REGION) == 0;
            case "clEnqueueSVMMap":
                return !(Boolean) args[1] && ((Long) args[2] & MappedMemory.CL_MAP_WRITE_INVALIDATE_REGION) == 0;
            default:
                return false;
        }
    }

    /** Keeps USE_HOST_PTR memory as the application would see it natively. */
    private void afterCall(FunctionSpec f, Object[] args, int code, Object result) {
        String name = f.name();
        if (name.equals("clCreateBuffer")) {
            if (result != null && Jocl.id((NativePointerObject) result) != 0 && args[3] != null
                    && ((Long) args[1] & CL_MEM_USE_HOST_PTR) != 0) {
                hostPtrs.register(Jocl.id((NativePointerObject) result), Jocl.id((NativePointerObject) args[0]),
                        (Long) args[2], (Pointer) args[3]);
            }
            return;
        }
        if (hostPtrs.isEmpty() || code != CL_SUCCESS || hostPtrs.refreshing()) {
            return;
        }
        if (name.equals("clReleaseMemObject") && objects.get(Jocl.id((NativePointerObject) args[0]), HandleType.cl_mem) == null) {
            hostPtrs.released(Jocl.id((NativePointerObject) args[0]));
            return;
        }
        if (name.startsWith("clEnqueue") && args[0] != null) {
            long q = Jocl.id((NativePointerObject) args[0]);
            hostPtrs.enqueued(q, objects.contextOf(q, HandleType.cl_command_queue));
        }
        boolean blocking = (name.equals("clEnqueueReadBuffer") || name.equals("clEnqueueWriteBuffer")) && (Boolean) args[2];
        if (name.equals("clFinish") || name.equals("clWaitForEvents") || blocking) {
            hostPtrs.sync((queue, mem, size, host) ->
                    invoke(readBufferFunction, new Object[]{queue, mem, true, 0L, size, host, 0, null, null}));
        }
    }

    /** What the native returns when the call cannot be made at all. */
    static Object failure(FunctionSpec f, Object[] args, int code) {
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.errcode_ret && args[i] != null) {
                ((int[]) args[i])[0] = code;
            }
        }
        return status(f, code);
    }

    private static Object status(FunctionSpec f, int code) {
        switch (f.returns()) {
            case status:
                return code;
            case handle:
            case none:
            default:
                return null;
        }
    }

    static long scalar(Object o) {
        if (o instanceof Integer) {
            return (Integer) o;
        }
        if (o instanceof Long) {
            return (Long) o;
        }
        if (o instanceof Boolean) {
            return (Boolean) o ? 1 : 0;
        }
        return 0;
    }

}

package io.ava.agent.session;

import com.google.protobuf.ByteString;
import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import io.ava.proto.BlobList;
import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.KernelMeta;
import io.ava.proto.LongList;
import io.ava.proto.Reply;
import io.ava.proto.TextList;
import io.ava.proto.Value;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.HostExtent;
import io.ava.spec.Role;
import io.ava.spec.SizeExpr;
import io.ava.spec.Spec;
import org.jocl.BuildProgramFunction;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.cl_program;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns one intercepted JOCL native call into a remote call and its reply back into what the
 * native would have returned and written, following the spec entry's plan.
 */
public final class RemoteCalls {
    static final int CL_SUCCESS = 0;
    static final int CL_DEVICE_NOT_AVAILABLE = -2;
    static final int CL_INVALID_VALUE = -30;
    /** Input bytes up to this size travel inside the call; larger ones as bulk chunks ahead of it. */
    static final int INLINE_LIMIT = 256 * 1024;
    /** AVA_TRACE=1 prints every call on stderr (function, call id, thread, whether it was pipelined). */
    private static final boolean TRACE = "1".equals(System.getenv("AVA_TRACE"));

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
    private static final java.util.Set<String> refusedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** bytes per pixel of each image, for the host extent of image transfers */
    private final java.util.Map<Long, Long> imageElementSizes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile RemoteSession listening;
    private final int readBufferFunction;
    private final int imageInfoFunction;
    private static final long CL_MEM_USE_HOST_PTR = 1 << 3;

    public RemoteCalls(Spec spec, AgentConnection connection) {
        this.spec = spec;
        this.connection = connection;
        this.readBufferFunction = spec.forNative("clEnqueueReadBufferNative").index();
        this.imageInfoFunction = spec.forNative("clGetImageInfoNative").index();
    }

    public Spec spec() {
        return spec;
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
                        : encode(f, a, args[i], scalars, outRegions, bulk, eventIds, i, args));
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
                session.sendAsync(call.setAsync(true).build());
                applyPredicted(f, args, eventIds);
                afterCall(f, args, CL_SUCCESS, null);
                return status(f, CL_SUCCESS);
            }
            if (TRACE) {
                trace(f, callId, args, "sync");
            }
            boolean transfer = isNonBlockingRead(f, args);
            Reply reply = session.call(call.build(), bulk, new RemoteSession.Pending(outRegions), transfer);
            Object result = apply(f, args, reply, outRegions, eventIds);
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

    private static void trace(FunctionSpec f, long callId, Object[] args, String mode) {
        StringBuilder b = new StringBuilder("ava-trace call=").append(callId).append(" thread=")
                .append(Thread.currentThread().getName()).append(' ').append(mode).append(' ').append(f.name()).append('(');
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            b.append(i == 0 ? "" : ", ").append(a instanceof NativePointerObject && !(a instanceof Pointer)
                    ? "#" + Jocl.id((NativePointerObject) a) : String.valueOf(a instanceof Object[] ? java.util.Arrays.toString((Object[]) a) : a));
        }
        System.err.println(b.append(')'));
    }

    private static int[] formatOf(Object o) {
        org.jocl.cl_image_format fmt = o instanceof org.jocl.cl_image_format[] && ((Object[]) o).length > 0
                ? ((org.jocl.cl_image_format[]) o)[0] : o instanceof org.jocl.cl_image_format ? (org.jocl.cl_image_format) o : null;
        return fmt == null ? null : new int[]{fmt.image_channel_order, fmt.image_channel_data_type};
    }

    /** The argument values a rectangle's or image's host extent is computed from. */
    private HostExtent.Args extentArgs(Object[] args) {
        return new HostExtent.Args() {
            public long scalar(int index) {
                return RemoteCalls.scalar(args[index]);
            }

            public long[] longs(int index) {
                return (long[]) args[index];
            }

            public long imageElementSize(int index) {
                Long size = args[index] == null ? null : imageElementSizes.get(Jocl.id((NativePointerObject) args[index]));
                return size == null ? -1 : size;
            }

            public int[] format(int index) {
                return formatOf(args[index]);
            }

            public long[] desc(int index) {
                org.jocl.cl_image_desc d = (org.jocl.cl_image_desc) args[index];
                return d == null ? null : new long[]{d.image_type, d.image_width, d.image_height, d.image_depth,
                        d.image_array_size, d.image_row_pitch, d.image_slice_pitch};
            }
        };
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

    private Value encode(FunctionSpec f, ArgSpec a, Object arg, SizeExpr.Args scalars, HostMemory.Region[] outRegions,
                         List<RemoteSession.BulkIn> bulk, long[] eventIds, int i, Object[] args) throws LocalError {
        Value.Builder v = Value.newBuilder();
        if (arg == null && a.role() != Role.errcode_ret) {
            return v.setIsNull(true).build();
        }
        switch (a.role()) {
            case scalar:
                return v.setScalar(scalar(arg)).build();
            case handle:
                return v.setScalar(Jocl.id((NativePointerObject) arg)).build();
            case handles: {
                LongList.Builder ids = LongList.newBuilder();
                for (Object o : (Object[]) arg) {
                    ids.addValues(o == null ? -1 : Jocl.id((NativePointerObject) o));
                }
                return v.setLongs(ids).build();
            }
            case out_handles:
                return v.setOutSize(((Object[]) arg).length).build();
            case out_event: {
                eventIds[i] = nextObjectId.incrementAndGet();
                return v.setScalar(eventIds[i]).build();
            }
            case in:
            case inout: {
                Pointer p = (Pointer) arg;
                if (Jocl.pointsToObjects(p)) {
                    HandleRefs.Builder refs = HandleRefs.newBuilder();
                    for (NativePointerObject o : Jocl.pointers(p)) {
                        HandleType t = o == null ? null : HandleType.forJoclClass(o.getClass());
                        if (t == null) {
                            throw new LocalError(CL_INVALID_VALUE);
                        }
                        refs.addIds(Jocl.id(o)).addTypes(t.ordinal());
                    }
                    return v.setRefs(refs).build();
                }
                HostMemory.Region r = region(p);
                long size = a.extent() != null ? a.extent().bytes(extentArgs(args)) : a.size().eval(scalars);
                if (size < 0 || r.available() < size) {
                    throw new LocalError(CL_INVALID_VALUE);
                }
                if (a.role() == Role.inout) {
                    outRegions[i] = r;
                }
                if (size > INLINE_LIMIT) {
                    bulk.add(new RemoteSession.BulkIn(i, r, size));
                    return v.setBulkSize(size).build();
                }
                return v.setData(r.read(0, (int) size)).build();
            }
            case out: {
                Pointer p = (Pointer) arg;
                if (Jocl.pointsToObjects(p)) {
                    // handle-valued answers (CL_CONTEXT_DEVICES) and CL_PROGRAM_BINARIES
                    return v.setOutSize((long) Jocl.pointers(p).length * 8).build();
                }
                HostMemory.Region r = region(p);
                outRegions[i] = r;
                return v.setOutSize(Math.max(0, r.available())).build();
            }
            case longs: {
                LongList.Builder l = LongList.newBuilder();
                for (long x : (long[]) arg) {
                    l.addValues(x);
                }
                return v.setLongs(l).build();
            }
            case out_scalar:
            case size_ret:
                return v.setOutSize(1).build();
            case errcode_ret:
                return v.setIsNull(true).build();
            case string:
                return v.setText((String) arg).build();
            case strings: {
                TextList.Builder t = TextList.newBuilder();
                for (String s : (String[]) arg) {
                    t.addValues(s == null ? "" : s);
                }
                return v.setTexts(t).build();
            }
            case binaries: {
                BlobList.Builder b = BlobList.newBuilder();
                for (byte[] bytes : (byte[][]) arg) {
                    b.addValues(bytes == null ? ByteString.EMPTY : ByteString.copyFrom(bytes));
                }
                return v.setBlobs(b).build();
            }
            case out_ints:
                return v.setOutSize(((int[]) arg).length).build();
            case properties: {
                Buffer buf = Jocl.buffer((NativePointerObject) arg);
                LongList.Builder l = LongList.newBuilder();
                if (buf instanceof LongBuffer) {
                    LongBuffer lb = ((LongBuffer) buf).duplicate();
                    lb.clear();
                    while (lb.hasRemaining()) {
                        l.addValues(lb.get());
                    }
                }
                return v.setLongs(l).build();
            }
            case svm_ptr: {
                SharedVirtualMemory.Location l = svm.locate((Pointer) arg);
                if (l == null) {
                    return v.setLongs(LongList.newBuilder().addValues(-1).addValues(0)).build(); // refused by the server
                }
                LongList.Builder ids = LongList.newBuilder().addValues(l.allocation().id()).addValues(l.offset());
                if (f.name().equals("clEnqueueSVMUnmap")) {
                    SharedVirtualMemory.Mapping m = svm.mapping(l);
                    if (m == null) {
                        throw new LocalError(CL_INVALID_VALUE);
                    }
                    ids.addValues(m.size()).addValues(m.writes() ? 1 : 0);
                    if (m.writes()) {
                        bulk.add(new RemoteSession.BulkIn(i, HostMemory.resolve((Pointer) arg), m.size()));
                    }
                }
                return v.setLongs(ids).build();
            }
            case svm_ptrs: {
                LongList.Builder ids = LongList.newBuilder();
                for (Object o : (Object[]) arg) {
                    SharedVirtualMemory.Location l = o instanceof Pointer ? svm.locate((Pointer) o) : null;
                    ids.addValues(l == null ? -1 : l.allocation().id()).addValues(l == null ? 0 : l.offset());
                }
                return v.setLongs(ids).build();
            }
            case exec_info: {
                Pointer p = (Pointer) arg;
                if (Jocl.pointsToObjects(p)) {
                    LongList.Builder ids = LongList.newBuilder();
                    for (NativePointerObject o : Jocl.pointers(p)) {
                        SharedVirtualMemory.Location l = o instanceof Pointer ? svm.locate((Pointer) o) : null;
                        ids.addValues(l == null ? -1 : l.allocation().id()).addValues(l == null ? 0 : l.offset());
                    }
                    return v.setLongs(ids).build();
                }
                HostMemory.Region r = region(p);
                long size = a.size().eval(scalars);
                if (size < 0 || r.available() < size) {
                    throw new LocalError(CL_INVALID_VALUE);
                }
                return v.setData(r.read(0, (int) size)).build();
            }
            case image_format: {
                LongList.Builder l = LongList.newBuilder();
                Object[] formats = arg instanceof org.jocl.cl_image_format[] ? (Object[]) arg : new Object[]{arg};
                for (Object o : formats) {
                    org.jocl.cl_image_format fmt = (org.jocl.cl_image_format) o;
                    l.addValues(fmt == null ? 0 : fmt.image_channel_order).addValues(fmt == null ? 0 : fmt.image_channel_data_type);
                }
                return v.setLongs(l).build();
            }
            case image_desc: {
                org.jocl.cl_image_desc d = (org.jocl.cl_image_desc) arg;
                return v.setLongs(LongList.newBuilder().addValues(d.image_type).addValues(d.image_width)
                        .addValues(d.image_height).addValues(d.image_depth).addValues(d.image_array_size)
                        .addValues(d.image_row_pitch).addValues(d.image_slice_pitch).addValues(d.num_mip_levels)
                        .addValues(d.num_samples).addValues(d.buffer == null ? 0 : Jocl.id(d.buffer))).build();
            }
            case out_image_formats:
                return v.setOutSize(((Object[]) arg).length).build();
            case buffer_region: {
                org.jocl.cl_buffer_region r = (org.jocl.cl_buffer_region) arg;
                return v.setLongs(LongList.newBuilder().addValues(r.origin).addValues(r.size)).build();
            }
            case callback:
                return v.setScalar(1).build();
            case user_data:
                return v.setIsNull(true).build();
            default:
                throw new LocalError(CL_INVALID_VALUE);
        }
    }

    private static HostMemory.Region region(Pointer p) throws LocalError {
        if (Jocl.id(p) != 0) {
            // a pointer into memory the server owns (SVM, mapped memory) cannot be dereferenced here
            throw new LocalError(CL_INVALID_VALUE);
        }
        try {
            HostMemory.Region r = HostMemory.resolve(p);
            if (r == null) {
                throw new LocalError(CL_INVALID_VALUE);
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw new LocalError(CL_INVALID_VALUE);
        }
    }

    private void applyPredicted(FunctionSpec f, Object[] args, long[] eventIds) {
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.out_event && args[i] != null) {
                Jocl.setId((NativePointerObject) args[i], eventIds[i]);
                objects.created(eventIds[i], HandleType.cl_event, contextOfQueue(args[0]), 0);
            }
        }
        if (f.name().equals("clSetKernelArg")) {
            objects.argSet(Jocl.id((NativePointerObject) args[0]), (Integer) args[1]);
        }
    }

    private Object apply(FunctionSpec f, Object[] args, Reply reply, HostMemory.Region[] outRegions, long[] eventIds) {
        if (!reply.getExceptionClass().isEmpty()) {
            throw JoclExceptions.rethrow(reply.getExceptionClass(), reply.getExceptionMessage());
        }
        int code;
        Object result;
        if (f.returns() == FunctionSpec.Returns.handle) {
            code = reply.getErrcode();
            result = null;
            long id = reply.getResult();
            if (!reply.getNullObject()) {
                result = Jocl.newHandle(f.allocates(), id);
            }
            if (id != 0) {
                if (f.name().startsWith("clCreateImage")) {
                    imageElementSizes.put(id, HostExtent.elementSize(formatOf(args[2])));
                }
                objects.created(id, f.allocates(), contextFor(f, args, id), memSize(f, args));
                if (f.allocates() == HandleType.cl_kernel && reply.getKernelsCount() > 0) {
                    objects.kernelMeta(id, reply.getKernels(0));
                }
            }
            for (int i = 0; i < args.length; i++) {
                if (f.arg(i).role() == Role.errcode_ret && args[i] != null) {
                    ((int[]) args[i])[0] = code;
                }
            }
        } else if (f.returns() == FunctionSpec.Returns.mapped) {
            code = reply.getErrcode();
            result = null; // the caller returns the shadow when the map succeeded
            for (int i = 0; i < args.length; i++) {
                if (f.arg(i).role() == Role.errcode_ret && args[i] != null) {
                    ((int[]) args[i])[0] = code;
                }
            }
            Value returned = reply.getOutputsOrDefault(args.length, null);
            if (returned != null && returned.hasData() && outRegions[args.length] != null) {
                outRegions[args.length].write(0, returned.getData());
            }
        } else {
            code = (int) reply.getResult();
            result = code;
        }
        if (code == CL_SUCCESS) {
            if (f.deallocates() != null) {
                objects.applied(Jocl.id((NativePointerObject) args[0]), f.deallocates().handleType(), false);
            } else if (f.retains() != null) {
                objects.applied(Jocl.id((NativePointerObject) args[0]), f.retains().handleType(), true);
            } else if (f.name().equals("clSetKernelArg") || f.name().equals("clSetKernelArgSVMPointer")) {
                objects.argSet(Jocl.id((NativePointerObject) args[0]), (Integer) args[1]);
            }
        }
        Iterator<KernelMeta> kernelMetas = reply.getKernelsList().iterator();
        for (int i = 0; i < args.length; i++) {
            ArgSpec a = f.arg(i);
            Object arg = args[i];
            if (arg == null) {
                continue;
            }
            Value v = reply.getOutputsOrDefault(i, null);
            switch (a.role()) {
                case out_event:
                    if (code == CL_SUCCESS) {
                        Jocl.setId((NativePointerObject) arg, eventIds[i]);
                        objects.created(eventIds[i], HandleType.cl_event, contextOfQueue(args[0]), 0);
                    }
                    break;
                case out_handles:
                    if (v != null && v.hasRefs()) {
                        Object[] array = (Object[]) arg;
                        boolean owned = a.handleType() == HandleType.cl_kernel;
                        long context = owned ? objects.contextOf(Jocl.id((NativePointerObject) args[0]), HandleType.cl_program) : 0;
                        for (int k = 0; k < array.length && k < v.getRefs().getIdsCount(); k++) {
                            long id = v.getRefs().getIds(k);
                            if (id == 0) {
                                continue;
                            }
                            array[k] = fill((NativePointerObject) array[k], a.handleType(), id);
                            if (owned) {
                                objects.created(id, HandleType.cl_kernel, context, 0);
                                if (kernelMetas.hasNext()) {
                                    objects.kernelMeta(id, kernelMetas.next());
                                }
                            } else {
                                objects.reported(id, a.handleType(), false);
                            }
                        }
                    }
                    break;
                case out:
                    if (v != null) {
                        writeOut((Pointer) arg, v, outRegions[i]);
                    }
                    break;
                case out_scalar:
                    if (v != null) {
                        if (arg instanceof int[]) {
                            ((int[]) arg)[0] = (int) v.getScalar();
                        } else {
                            ((long[]) arg)[0] = v.getScalar();
                        }
                    }
                    break;
                case size_ret:
                    if (v != null) {
                        ((long[]) arg)[0] = v.getScalar();
                    }
                    break;
                case out_image_formats:
                    if (v != null) {
                        Object[] out = (Object[]) arg;
                        for (int k = 0; k < out.length && 2 * k + 1 < v.getLongs().getValuesCount(); k++) {
                            org.jocl.cl_image_format fmt = out[k] != null ? (org.jocl.cl_image_format) out[k] : new org.jocl.cl_image_format();
                            fmt.image_channel_order = (int) v.getLongs().getValues(2 * k);
                            fmt.image_channel_data_type = (int) v.getLongs().getValues(2 * k + 1);
                            out[k] = fmt;
                        }
                    }
                    break;
                case inout:
                case svm_ptr:
                    if (v != null && v.hasData() && outRegions[i] != null) {
                        outRegions[i].write(0, v.getData());
                    }
                    break;
                case out_ints:
                    if (v != null) {
                        int[] out = (int[]) arg;
                        for (int k = 0; k < out.length && k < v.getLongs().getValuesCount(); k++) {
                            out[k] = (int) v.getLongs().getValues(k);
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        if (f.name().equals("clBuildProgram") && args[4] != null) {
            // the build ran to completion on the server: tell the application, as a driver would
            ((BuildProgramFunction) args[4]).function((cl_program) args[0], args[5]);
        }
        return result;
    }

    private void writeOut(Pointer p, Value v, HostMemory.Region region) {
        if (v.hasRefs()) {
            HandleRefs refs = v.getRefs();
            HandleType[] types = HandleType.values();
            if (Jocl.pointsToObjects(p)) {
                NativePointerObject[] targets = Jocl.pointers(p);
                for (int k = 0; k < targets.length && k < refs.getIdsCount(); k++) {
                    HandleType t = types[refs.getTypes(k)];
                    targets[k] = fill(targets[k], t, refs.getIds(k));
                    objects.reported(refs.getIds(k), t, false);
                }
            } else if (region != null) {
                for (int k = 0; k < refs.getIdsCount() && (k + 1) * 8L <= region.available(); k++) {
                    region.writeLong(k * 8L, refs.getIds(k));
                    objects.reported(refs.getIds(k), types[refs.getTypes(k)], false);
                }
            }
        } else if (v.hasBlobs()) {
            NativePointerObject[] targets = Jocl.pointsToObjects(p) ? Jocl.pointers(p) : new NativePointerObject[0];
            for (int k = 0; k < targets.length && k < v.getBlobs().getValuesCount(); k++) {
                if (targets[k] instanceof Pointer) {
                    HostMemory.Region r = HostMemory.resolve((Pointer) targets[k]);
                    ByteString blob = v.getBlobs().getValues(k);
                    if (r != null && r.available() >= blob.size()) {
                        r.write(0, blob);
                    }
                }
            }
        } else if (v.hasLongs() && region != null) {
            for (int k = 0; k < v.getLongs().getValuesCount() && (k + 1) * 8L <= region.available(); k++) {
                region.writeLong(k * 8L, v.getLongs().getValues(k));
            }
        } else if (v.hasData() && region != null) {
            // an info answer larger than the application's array: natively it overruns the array, here it is cut
            ByteString data = v.getData();
            region.write(0, data.size() > region.available() ? data.substring(0, (int) Math.max(0, region.available())) : data);
        }
        // bulk_size: the chunks were written into the region as they arrived
    }

    /** Writes an id into the application's object, or makes the object where the array slot is empty. */
    private static NativePointerObject fill(NativePointerObject target, HandleType type, long id) {
        if (target == null) {
            return Jocl.newHandle(type, id);
        }
        Jocl.setId(target, id);
        return target;
    }

    private long contextFor(FunctionSpec f, Object[] args, long newId) {
        if (f.allocates() == HandleType.cl_context) {
            return newId;
        }
        if (args.length > 0 && args[0] instanceof NativePointerObject) {
            NativePointerObject first = (NativePointerObject) args[0];
            HandleType t = HandleType.forJoclClass(first.getClass());
            if (t == HandleType.cl_context) {
                return Jocl.id(first);
            }
            if (t != null) {
                return objects.contextOf(Jocl.id(first), t);
            }
        }
        return 0;
    }

    /** Bytes of a buffer the call creates, for the local checks of later transfers. */
    private static long memSize(FunctionSpec f, Object[] args) {
        switch (f.name()) {
            case "clCreateBuffer":
                return (Long) args[2];
            case "clCreateSubBuffer2":
                return ((org.jocl.cl_buffer_region) args[3]).size;
            case "clCreateSubBuffer": {
                HostMemory.Region r = HostMemory.resolve((Pointer) args[3]);
                return r == null || r.available() < 16 ? 0 : r.read(8, 8).asReadOnlyByteBuffer().order(java.nio.ByteOrder.nativeOrder()).getLong();
            }
            default:
                return 0;
        }
    }

    private long contextOfQueue(Object queue) {
        return queue == null ? 0 : objects.contextOf(Jocl.id((NativePointerObject) queue), HandleType.cl_command_queue);
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

    private static long scalar(Object o) {
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

    /** A call the agent refuses before sending, with the code the native would give. */
    private static final class LocalError extends Exception {
        final int code;

        LocalError(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }
}

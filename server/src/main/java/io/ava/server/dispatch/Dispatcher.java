package io.ava.server.dispatch;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.LongList;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.proto.Value;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.InfoValue;
import io.ava.spec.Role;
import io.ava.spec.SizeExpr;
import io.ava.spec.Spec;
import org.jocl.CL;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.cl_event;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_program;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one call: checks every handle, size and count against what the session knows, builds the
 * real JOCL arguments, calls the native, and turns the outcome into a reply. Nothing reaches
 * native code before the checks pass, so a bad call costs an error code, never the process.
 */
public final class Dispatcher {
    public static final int CL_SUCCESS = 0;
    public static final int CL_INVALID_VALUE = -30;
    public static final int CL_INVALID_OPERATION = -59;
    public static final int CL_INVALID_EVENT_WAIT_LIST = -57;
    private static final int CL_MEM_USE_HOST_PTR = 1 << 3;
    private static final long CL_MAP_WRITE_INVALIDATE_REGION = 1 << 2;
    private static final int CL_CONTEXT_PLATFORM = 0x1084;
    /** A reply carries output bytes inline up to this size; larger ones go as bulk chunks. */
    public static final int INLINE_LIMIT = 256 * 1024;
    /** The most elements a long[] argument may claim: OpenCL reads at most 3 (work sizes, regions). */
    private static final int MAX_LONGS = 64;

    private final Spec spec;
    private final NativeFunctions natives;
    private final KernelMetaProbe kernelProbe = new KernelMetaProbe();
    private final KernelArgInfoOption argInfo = new KernelArgInfoOption();
    /** CL_{DEVICE,CONTEXT,QUEUE,MEM,SAMPLER,PROGRAM,KERNEL,EVENT}_REFERENCE_COUNT */
    private static final java.util.Set<Integer> REFERENCE_COUNTS = java.util.Set.of(0x1047, 0x1080, 0x1092, 0x1105,
            0x1150, 0x1160, 0x1192, 0x11D2);
    private final DeviceSelection selection;

    private final int barrierWithWaitList;
    private final int createUserEvent;

    public Dispatcher(Spec spec, NativeFunctions natives, DeviceSelection selection) {
        this.barrierWithWaitList = spec.forNative("clEnqueueBarrierWithWaitListNative").index();
        this.createUserEvent = spec.forNative("clCreateUserEventNative").index();
        this.spec = spec;
        this.natives = natives;
        this.selection = selection;
        // device pointers the driver reports that are not root devices are sub-devices (freed once released)
        HandleTable.rootDevices(new java.util.function.LongPredicate() {
            private volatile java.util.Set<Long> roots;

            @Override
            public boolean test(long ptr) {
                java.util.Set<Long> r = roots;
                if (r == null) {
                    roots = r = DeviceSelection.rootDevicePointers();
                }
                return r.isEmpty() || r.contains(ptr);
            }
        });
    }

    /** What a call produced: its reply and the output buffers too big to travel inline. */
    public static final class Outcome {
        public final Reply reply;
        public final List<BulkOut> bulk;
        public final boolean failed;

        Outcome(Reply reply, List<BulkOut> bulk, boolean failed) {
            this.reply = reply;
            this.bulk = bulk;
            this.failed = failed;
        }

        /** An answer made without the driver, with no bulk output: failed unless its result is CL_SUCCESS. */
        static Outcome answered(Reply.Builder reply) {
            return new Outcome(reply.build(), List.of(), reply.getResult() != CL_SUCCESS);
        }
    }

    public record BulkOut(int arg, ByteBuffer data) {
    }

    private static final long[] NO_IDS = new long[0];

    /** The enqueue's event, under the id the client chose (not the server's own transfer event). */
    private static void bindOutputEvent(FunctionSpec f, Call call, Object[] args, boolean ownEvent, HandleTable table) {
        if (ownEvent) {
            return;
        }
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.out_event && args[i] != null && ((NativePointerObject) args[i]).getNativePointer() != 0) {
                table.bind(call.getArgs(f.slot(i)).getScalar(), HandleType.cl_event, (NativePointerObject) args[i], 0, null);
            }
        }
    }

    /** Whether the call creates a user event, which completes only when a later call of the client says so. */
    public boolean createsUserEvent(Call call) {
        return call.getFunction() == createUserEvent;
    }

    /** The ids of objects this call will create (its new object, its output event), to reserve on arrival. */
    public long[] createdIds(Call call) {
        FunctionSpec f = spec.function(call.getFunction());
        if (f == null || !f.isSupported() || (f.allocates() == null && !f.hasOutEvent())) {
            return NO_IDS; // most calls create nothing: no work per call for them
        }
        long[] ids = NO_IDS;
        if (f.allocates() != null && call.getNewId() != 0) {
            ids = new long[]{call.getNewId()};
        }
        for (int i = 0; i < f.args().size(); i++) {
            if (f.arg(i).role() == Role.out_event && !f.isPacked(i) && f.slot(i) < call.getArgsCount()) {
                Value v = call.getArgs(f.slot(i));
                if (!v.getIsNull() && v.getScalar() > 0) {
                    ids = java.util.Arrays.copyOf(ids, ids.length + 1);
                    ids[ids.length - 1] = v.getScalar();
                }
            }
        }
        return ids;
    }

    public Outcome execute(Call call, SessionContext ctx) {
        HandleTable table = ctx.table();
        FunctionSpec f = spec.function(call.getFunction());
        if (f == null) {
            return refuse(call, CL_INVALID_OPERATION, "unknown function number " + call.getFunction());
        }
        if (!f.isSupported()) {
            return refuse(call, CL_INVALID_OPERATION, f.name() + " is not supported by ava: " + f.unsupported());
        }
        if (!natives.has(f.index())) {
            return refuse(call, CL_INVALID_OPERATION, f.name() + " has no native in this JOCL");
        }
        int packed = 0;
        for (int i = 0; i < f.args().size(); i++) {
            packed += f.isPacked(i) ? 1 : 0;
        }
        if (call.getScalarsCount() != packed || call.getArgsCount() != f.args().size() - packed) {
            return refuse(call, CL_INVALID_VALUE, f.name() + " takes " + f.args().size() + " arguments, the call has "
                    + (call.getScalarsCount() + call.getArgsCount()));
        }
        try {
            if (selection.handles(f)) {
                return selection.execute(f, call, table);
            }
            Outcome migrated = MigratedEventInfo.answer(f, call, table);
            if (migrated != null) {
                return migrated;
            }
            Outcome withoutArgInfo = argInfo.answer(f, call, table);
            if (withoutArgInfo != null) {
                return withoutArgInfo;
            }
            // calls that create objects reserve their budget before native code; it is given back once they bound them
            long[] reserved = f.allocates() != null || f.hasOutEvent() || f.returns() == FunctionSpec.Returns.svm
                    || f.name().equals("clCreateKernelsInProgram") ? new long[2] : null;
            try {
                return run(f, call, ctx, reserved);
            } finally {
                if (reserved != null && (reserved[0] != 0 || reserved[1] != 0)) {
                    table.unreserve(reserved[0], reserved[1]);
                }
            }
        } catch (ClError e) {
            return refuse(call, f, e.code(), f.name() + ": " + e.getMessage());
        } catch (ArgDecoding.NullElement e) {
            // what JOCL's native throws on the client for the same list (it is never handed to the driver here)
            Reply r = Reply.newBuilder().setCallId(call.getCallId()).setResult(CL_INVALID_VALUE)
                    .setExceptionClass(NullPointerException.class.getName()).setExceptionMessage(e.getMessage()).build();
            return new Outcome(r, List.of(), true);
        }
    }

    /** New handles a call asks for: its object, the kernels of clCreateKernelsInProgram, the event the client wants. */
    private static long newObjects(FunctionSpec f, Object[] args) {
        long n = f.allocates() != null ? 1 : 0;
        if (f.name().equals("clCreateKernelsInProgram") && args[2] != null) {
            n += Math.max(0, ((Number) args[1]).longValue());
        }
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.out_event && args[i] != null) {
                n++;
            }
        }
        return n;
    }

    private Outcome run(FunctionSpec f, Call call, SessionContext ctx, long[] reserved) throws ClError, ArgDecoding.NullElement {
        HandleTable table = ctx.table();
        boolean nonBlockingTransfer = isNonBlockingTransfer(f, call);
        Class<?>[] types = natives.parameterTypes(f.index());
        int n = f.args().size();
        Object[] args = new Object[n];
        ByteBuffer[] outBuffers = new ByteBuffer[n];
        HandleEntry[] entries = new HandleEntry[n];
        SizeExpr.Args scalars = i -> f.isPacked(i) ? call.getScalars(f.slot(i)) : call.getArgs(f.slot(i)).getScalar();
        Object keepAlive = null;
        long binariesProgramCount = -1;
        long svmId = 0;
        List<Long> svmIds = new ArrayList<>();
        int svmMapArg = -1;
        ByteBuffer svmView = null;
        long mapId = -1;

        InfoValue info = null;
        if (f.infoSelector() != null) {
            info = f.infoHandles((int) scalars.scalar(f.infoSelector().index()));
        }

        for (int i = 0; i < n; i++) {
            ArgSpec a = f.arg(i);
            Class<?> t = types[i];
            if (f.isPacked(i)) {
                long x = call.getScalars(f.slot(i));
                if (a.role() == Role.scalar) {
                    args[i] = ArgDecoding.scalar(x, t);
                } else if (x == 0) {
                    if (!a.nullable()) {
                        throw new ClError(a.handleType().invalidCode(), a.name() + " is null");
                    }
                    args[i] = null;
                } else {
                    entries[i] = table.lookup(x, a.handleType());
                    args[i] = entries[i].object();
                }
                continue;
            }
            Value v = call.getArgs(f.slot(i));
            if (v.getIsNull() && a.role() != Role.errcode_ret) {
                args[i] = null; // JOCL passes NULL for a null array, pointer or object: so does the server
                continue;
            }
            switch (a.role()) {
                case handles:
                    args[i] = ArgDecoding.handleArray(a, v, t, scalars, table);
                    break;
                case out_handles: {
                    int len = ArgDecoding.outArrayLength(a, v, scalars);
                    Object arr = Array.newInstance(t.getComponentType(), len);
                    for (int k = 0; k < len; k++) {
                        Array.set(arr, k, ArgDecoding.newObject(t.getComponentType()));
                    }
                    args[i] = arr;
                    break;
                }
                case out_event:
                    table.checkFree(v.getScalar());
                    args[i] = new org.jocl.cl_event();
                    break;
                case in:
                case inout: {
                    if (v.hasRefs()) {
                        long need = a.extent() != null ? a.extent().bytes(ArgDecoding.extentArgs(args, scalars, types))
                                : a.size().eval(scalars);
                        if (need < 0 || (long) v.getRefs().getIdsCount() * org.jocl.Sizeof.POINTER < need) {
                            // the driver would read past the handles given (and follow what lies there)
                            throw new ClError(CL_INVALID_VALUE, a.name() + ": " + need + " bytes to read, "
                                    + v.getRefs().getIdsCount() + " handles given");
                        }
                        args[i] = Pointer.to(ArgDecoding.refs(v.getRefs(), table));
                        break;
                    }
                    long size = a.extent() != null ? a.extent().bytes(ArgDecoding.extentArgs(args, scalars, types)) : a.size().eval(scalars);
                    if (v.hasData() && f.allocates() == null && !nonBlockingTransfer && a.role() == Role.in) {
                        // small inputs the driver copies during the call (kernel argument values, fill
                        // patterns, blocking writes): a heap array, which JOCL pins for the call
                        byte[] bytes = v.getData().toByteArray();
                        if (size < 0 || bytes.length < size) {
                            throw new ClError(CL_INVALID_VALUE, a.name() + ": " + size + " bytes to read, "
                                    + bytes.length + " bytes given");
                        }
                        args[i] = Pointer.to(bytes);
                        break;
                    }
                    ByteBuffer data = v.hasData() || !v.hasBulkSize() ? ArgDecoding.direct(v.getData()) : ctx.takeBulk(call.getCallId(), i);
                    if (data == null) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": bulk data missing");
                    }
                    if (size < 0 || data.capacity() < size) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": " + size + " bytes to read, "
                                + data.capacity() + " bytes given");
                    }
                    keepAlive = data;
                    args[i] = Pointer.to(data);
                    if (a.role() == Role.inout) {
                        outBuffers[i] = data; // written back to the client after the call
                    }
                    break;
                }
                case out: {
                    if (info != null && info.kind() == InfoValue.Kind.binaries) {
                        binariesProgramCount = v.getOutSize();
                        break; // filled below, once the program's binary sizes are known
                    }
                    long size = a.extent() != null ? a.extent().bytes(ArgDecoding.extentArgs(args, scalars, types)) : a.size().eval(scalars);
                    if (f.infoSelector() != null) {
                        // the driver writes only the answer's size: the client keeps what fits in its memory
                        size = size < 0 ? 0 : Math.min(size, infoSize(f, args, i, types));
                        // and is told the buffer's real size: an answer that grew since it was measured (a build
                        // log while another thread builds) would otherwise be written past the buffer's end
                        args[i - 1] = size;
                    } else if (size < 0 || size > v.getOutSize()) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": " + size + " bytes to write, the client's memory holds "
                                + v.getOutSize());
                    }
                    CallChecks.checkTransfer(f, a, args, entries, size);
                    if (size > INLINE_LIMIT && (size > Integer.MAX_VALUE || size > ctx.limits().maxMemory())) {
                        // more than any buffer of the session can hold: not allocated
                        throw new ClError(Limits.CL_OUT_OF_HOST_MEMORY, a.name() + ": " + size
                                + " bytes exceed the session's memory limit (--max-session-memory)");
                    }
                    ByteBuffer buf = size > INLINE_LIMIT || nonBlockingTransfer ? DirectBuffers.SHARED.acquire((int) size)
                            : ByteBuffer.allocateDirect((int) Math.max(size, 1)).order(ByteOrder.nativeOrder());
                    outBuffers[i] = buf;
                    args[i] = Pointer.to(buf);
                    break;
                }
                case longs:
                    args[i] = ArgDecoding.longs(a, v, scalars);
                    break;
                case out_scalar:
                    args[i] = Array.newInstance(t.getComponentType(), 1);
                    break;
                case errcode_ret:
                    args[i] = new int[1];
                    break;
                case size_ret:
                    args[i] = new long[1];
                    break;
                case string:
                    args[i] = v.getText();
                    break;
                case strings: {
                    long count = a.size().eval(scalars);
                    if (count < 0 || count > v.getTexts().getValuesCount()) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": count " + count + " but "
                                + v.getTexts().getValuesCount() + " strings given");
                    }
                    args[i] = v.getTexts().getValuesList().toArray(new String[0]);
                    break;
                }
                case binaries: {
                    byte[][] b = new byte[v.getBlobs().getValuesCount()][];
                    for (int k = 0; k < b.length; k++) {
                        b[k] = v.getBlobs().getValues(k).toByteArray();
                    }
                    args[i] = b;
                    break;
                }
                case out_ints: {
                    args[i] = new int[ArgDecoding.outArrayLength(a, v, scalars)];
                    break;
                }
                case properties:
                    args[i] = ArgDecoding.properties(v, t, table);
                    break;
                case svm_ptr: {
                    List<Long> p = v.getLongs().getValuesList();
                    HandleTable.SvmAllocation alloc = p.size() < 2 ? null : table.svm(p.get(0));
                    long off = p.size() < 2 ? -1 : p.get(1);
                    if (alloc == null || off < 0 || off > alloc.size()) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": not a pointer into shared virtual memory of this session");
                    }
                    svmId = p.get(0);
                    // JOCL's own pointer where there is no offset: some of JOCL's SVM natives ignore offset pointers
                    args[i] = off == 0 ? alloc.pointer() : alloc.pointer().withByteOffset(off);
                    CallChecks.checkSvmRange(f, a, alloc, off, scalars);
                    if (f.name().equals("clEnqueueSVMMap")) {
                        long size = scalars.scalar(4);
                        svmMapArg = i;
                        svmView = alloc.pointer().getByteBuffer(off, size);
                    } else if (f.name().equals("clEnqueueSVMUnmap") && p.size() >= 4 && p.get(3) != 0) {
                        // the host's writes to the mapped range, from the client's shadow
                        ByteBuffer written = ctx.takeBulk(call.getCallId(), i);
                        long size = p.get(2);
                        if (written == null || size < 0 || off + size > alloc.size() || written.capacity() != size) {
                            throw new ClError(CL_INVALID_VALUE, a.name() + ": the mapped bytes did not arrive");
                        }
                        ByteBuffer dst = alloc.pointer().getByteBuffer(off, size);
                        dst.put(written.duplicate().clear());
                        DirectBuffers.SHARED.release(written);
                    }
                    break;
                }
                case svm_ptrs: {
                    Pointer[] ptrs = ArgDecoding.svmPointers(a, v.getLongs().getValuesList(), table, svmIds);
                    long count = a.size().eval(scalars);
                    if (count < 0 || count > ptrs.length) {
                        // a negative count reaches JOCL as a huge unsigned one: it allocates that many (bad_alloc, abort)
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": " + count + " pointers expected, " + ptrs.length + " given");
                    }
                    args[i] = ptrs;
                    break;
                }
                case exec_info: {
                    if (v.hasLongs()) {
                        args[i] = Pointer.to(ArgDecoding.svmPointers(a, v.getLongs().getValuesList(), table, new ArrayList<>()));
                    } else {
                        byte[] bytes = v.getData().toByteArray();
                        if (bytes.length < a.size().eval(scalars)) {
                            throw new ClError(CL_INVALID_VALUE, a.name() + ": fewer bytes than param_value_size");
                        }
                        args[i] = Pointer.to(bytes);
                    }
                    break;
                }
                case image_format: {
                    List<Long> fmt = v.getLongs().getValuesList();
                    cl_image_format[] formats = new cl_image_format[fmt.size() / 2];
                    for (int k = 0; k < formats.length; k++) {
                        formats[k] = new cl_image_format();
                        formats[k].image_channel_order = fmt.get(2 * k).intValue();
                        formats[k].image_channel_data_type = fmt.get(2 * k + 1).intValue();
                    }
                    if (formats.length == 0) {
                        throw new ClError(-39, a.name() + ": no image format"); // CL_INVALID_IMAGE_FORMAT_DESCRIPTOR
                    }
                    args[i] = t.isArray() ? formats : formats[0];
                    break;
                }
                case image_desc: {
                    List<Long> d = v.getLongs().getValuesList();
                    if (d.size() != 10) {
                        throw new ClError(-65, a.name() + ": malformed image description"); // CL_INVALID_IMAGE_DESCRIPTOR
                    }
                    cl_image_desc desc = new cl_image_desc();
                    desc.image_type = d.get(0).intValue();
                    desc.image_width = d.get(1);
                    desc.image_height = d.get(2);
                    desc.image_depth = d.get(3);
                    desc.image_array_size = d.get(4);
                    desc.image_row_pitch = d.get(5);
                    desc.image_slice_pitch = d.get(6);
                    desc.num_mip_levels = d.get(7).intValue();
                    desc.num_samples = d.get(8).intValue();
                    if (d.get(7) != 0 || d.get(8) != 0) {
                        // the spec requires 0 for both; PoCL stops the whole process on anything else ("unimplemented")
                        throw new ClError(-65, a.name() + ": num_mip_levels and num_samples must be 0");
                    }
                    desc.buffer = d.get(9) == 0 ? null : (org.jocl.cl_mem) table.lookup(d.get(9), HandleType.cl_mem).object();
                    args[i] = desc;
                    break;
                }
                case out_image_formats: {
                    cl_image_format[] formats = new cl_image_format[ArgDecoding.outArrayLength(a, v, scalars)];
                    for (int k = 0; k < formats.length; k++) {
                        formats[k] = new cl_image_format();
                    }
                    args[i] = formats;
                    break;
                }
                case mapped: {
                    List<Long> m = v.getLongs().getValuesList();
                    ByteBuffer memory = m.isEmpty() ? null : table.mapping(m.get(0));
                    if (memory == null) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": not a pointer this session mapped");
                    }
                    if (m.size() > 1 && m.get(1) != 0) {
                        ByteBuffer written = ctx.takeBulk(call.getCallId(), i);
                        if (written == null || written.capacity() > memory.capacity()) {
                            throw new ClError(CL_INVALID_VALUE, a.name() + ": the mapped bytes did not arrive");
                        }
                        ByteBuffer dst = memory.duplicate();
                        dst.clear();
                        dst.put(written.duplicate().clear());
                        DirectBuffers.SHARED.release(written);
                    }
                    mapId = m.get(0);
                    args[i] = memory;
                    break;
                }
                case buffer_region: {
                    List<Long> r = v.getLongs().getValuesList();
                    if (r.size() != 2) {
                        throw new ClError(CL_INVALID_VALUE, a.name() + ": a buffer region is origin and size");
                    }
                    args[i] = new org.jocl.cl_buffer_region(r.get(0), r.get(1));
                    break;
                }
                case callback:
                    args[i] = v.getScalar() == 0 ? null : Callbacks.forDriver(t, v.getScalar(), ctx);
                    break;
                case user_data:
                    args[i] = null; // user data stays on the client
                    break;
                default:
                    throw new ClError(CL_INVALID_OPERATION, "role " + a.role() + " is not handled");
            }
        }
        CallChecks.checkCrossArguments(f, args, entries, scalars);
        if (f.name().equals("clCreateProgramWithBinary")) {
            BinaryChecks.check(args[4], args[3], scalars.scalar(1));
        }
        if (f.name().equals("clSetKernelArg") && args[0] instanceof org.jocl.cl_kernel k && args[1] instanceof Number index
                && args[2] instanceof Number size && call.getArgsCount() > f.slot(3)) {
            KernelArgValues.check(k, index.intValue(), size.longValue(), call.getArgs(f.slot(3)));
        }

        List<ByteBuffer> binaryBuffers = null;
        if (binariesProgramCount >= 0) {
            binaryBuffers = prepareBinaries(f, args, (int) binariesProgramCount);
        }

        if (f.allocates() != null) {
            table.checkFree(call.getNewId());
        }
        DeviceMemory.Charge charge = DeviceMemory.Charge.NONE;
        if (reserved != null) {
            // the session's limits, answered as a driver would, before the driver sees the call
            charge = DeviceMemory.of(f, args, entries);
            long objects = newObjects(f, args);
            table.reserve(charge.bytes(), objects, ctx.limits());
            reserved[0] = charge.bytes();
            reserved[1] = objects;
        }
        cl_event transferEvent = null;
        boolean ownTransferEvent = false;
        if (nonBlockingTransfer) {
            int e = eventArg(f);
            if (args[e] == null) {
                args[e] = new org.jocl.cl_event(); // the server's own, to learn when the transfer is done
                ownTransferEvent = true;
            }
            transferEvent = (cl_event) args[e];
        }

        if (f.name().equals("clEnqueueMapImage")) {
            return ImageMaps.map(f, call, args, entries, (cl_event) args[10], ownTransferEvent, ctx, this);
        }
        if (mapId >= 0 && ImageMaps.isImageMap(table, mapId)) {
            return ImageMaps.unmap(f, call, args, mapId, ctx, this);
        }
        Bookkeeping.beforeLaunch(f, entries, ctx);
        HandleEntry released = f.deallocates() != null ? entries[f.deallocates().index()] : null;
        HandleTable.Release release = released != null ? table.claimRelease(released) : null;
        if (release == HandleTable.Release.REFUSED) {
            // a reference only the driver or another object holds (an id from an info answer): releasing it would free
            // an object still in use
            HandleEntry e = entries[f.deallocates().index()];
            throw new ClError(e.type().invalidCode(), "the session holds no reference to " + e.type() + " " + e.id());
        }
        Object result;
        long createdSize = f.allocates() == HandleType.cl_mem ? Bookkeeping.memSize(f, args, keepAlive) : 0;
        boolean build = KernelArgInfoOption.builds(f) && (args[3] == null || args[3] instanceof String);
        String clientOptions = build ? KernelArgInfoOption.addFlag(args) : null;
        try {
            if (release == HandleTable.Release.DEFERRED) {
                // a call on another thread still uses the object: the driver's release follows when it is done
                result = CL_SUCCESS;
            } else if (f.name().equals("clEnqueueWaitForEvents")) {
                // PoCL does not implement it and aborts the process; a barrier with the same wait list
                // is what OpenCL 1.2 replaced it with, and means the same
                result = natives.invoke(barrierWithWaitList, new Object[]{args[0], args[1], args[2], null});
            } else {
                result = natives.invoke(f.index(), args);
            }
            if (build) {
                NativePointerObject program = f.name().equals("clLinkProgram") ? (NativePointerObject) result : (NativePointerObject) args[0];
                if (program != null && program.getNativePointer() != 0) {
                    argInfo.built(program.getNativePointer(), clientOptions);
                }
            }
            boolean usesHostMemory = f.name().equals("clCreateBuffer") && ((Long) args[1] & CL_MEM_USE_HOST_PTR) != 0;
            if (nonBlockingTransfer && f.returns() == FunctionSpec.Returns.status && (Integer) result == CL_SUCCESS) {
                trackTransfer(f, call, args, outBuffers, keepAlive, transferEvent, ownTransferEvent, ctx);
                keepAlive = null;
            } else if (nonBlockingTransfer && f.returns() == FunctionSpec.Returns.status
                    && ownTransferEvent && transferEvent.getNativePointer() != 0) {
                CL.clReleaseEvent(transferEvent);
            }
            if (!usesHostMemory && keepAlive instanceof ByteBuffer) {
                // the driver has copied the bytes (transfers run blocking here): the buffer can be reused
                DirectBuffers.SHARED.release((ByteBuffer) keepAlive);
                keepAlive = null;
            }
        } catch (RuntimeException e) {
            // JOCL's own argument checks (null array elements and the like): the client throws the same
            Reply r = Reply.newBuilder().setCallId(call.getCallId()).setResult(CL_INVALID_VALUE)
                    .setExceptionClass(e.getClass().getName()).setExceptionMessage(String.valueOf(e.getMessage())).build();
            return new Outcome(r, List.of(), true);
        }

        Bookkeeping.notePrintf(f, call, args, entries, ctx);
        if (call.getAsync() && f.returns() == FunctionSpec.Returns.status && (Integer) result == CL_SUCCESS) {
            // the agent predicted this success and waits for nothing: bookkeeping only, no reply
            Bookkeeping.succeeded(f, entries, table, ctx.recordLog());
            Bookkeeping.record(f, call, args, new long[0], ctx);
            bindOutputEvent(f, call, args, ownTransferEvent, table);
            return ASYNC_SUCCESS;
        }
        Reply.Builder reply = Reply.newBuilder().setCallId(call.getCallId());
        List<BulkOut> bulkOut = new ArrayList<>();
        int code;
        if (f.returns() == FunctionSpec.Returns.handle) {
            int err = errcode(f, args);
            NativePointerObject created = (NativePointerObject) result;
            reply.setNullObject(created == null);
            if (created != null && created.getNativePointer() != 0 && err == CL_SUCCESS) {
                // An object that comes with an error (PoCL's clCreateContextFromType without a matching
                // device) is not bound: releasing it trips an assertion in PoCL that kills the server.
                // The client gets a non-null object with id 0, which every later call refuses.
                HandleEntry bound = table.bind(call.getNewId(), f.allocates(), created, createdSize, keepAlive,
                        charge.bytes(), charge.parentId());
                if (f.allocates() == HandleType.cl_mem && createdSize == 0) {
                    table.deviceBytes(bound, memObjectSize((org.jocl.cl_mem) created)); // images, pipes: for the metrics
                }
                reply.setResult(call.getNewId());
                if (f.allocates() == HandleType.cl_kernel) {
                    reply.addKernels(kernelProbe.probe((org.jocl.cl_kernel) created, (cl_program) args[0], call));
                }
            } else {
                reply.setResult(0);
            }
            code = err;
            reply.setErrcode(code);
        } else if (f.returns() == FunctionSpec.Returns.mapped) {
            code = errcode(f, args);
            ByteBuffer memory = (ByteBuffer) result;
            reply.setErrcode(code).setNullObject(memory == null);
            if (memory != null && code == CL_SUCCESS) {
                table.mapped(call.getCallId(), memory, new HandleTable.MapOrigin(entries[0].id(), entries[1].id(),
                        scalars.scalar(3), scalars.scalar(4), scalars.scalar(5)));
                boolean invalidate = (call.getScalars(f.slot(3)) & CL_MAP_WRITE_INVALIDATE_REGION) != 0;
                if (nonBlockingTransfer) {
                    // the bytes are valid once the map's event completes
                    ctx.transfers().track(call.getCallId(), n, memory, !invalidate, transferEvent, ownTransferEvent, false);
                } else if (!invalidate) {
                    ReplyOutputs.put(reply, n, outValue(f, null, memory, args, n, table, bulkOut));
                }
            } else if (nonBlockingTransfer && ownTransferEvent && transferEvent.getNativePointer() != 0) {
                CL.clReleaseEvent(transferEvent);
            }
        } else if (f.returns() == FunctionSpec.Returns.svm) {
            Pointer svm = (Pointer) result;
            reply.setNullObject(svm == null);
            if (svm != null) {
                table.svmAllocated(call.getNewId(), new HandleTable.SvmAllocation(svm, (Long) args[2], (org.jocl.cl_context) args[0]));
                reply.setResult(call.getNewId());
            }
            code = CL_SUCCESS;
        } else if (f.returns() == FunctionSpec.Returns.status) {
            code = (Integer) result;
            reply.setResult(code);
            if (code == CL_SUCCESS && mapId >= 0) {
                table.unmapped(mapId);
            }
            if (code == CL_SUCCESS && f.name().equals("clEnqueueSVMFree")) {
                svmIds.forEach(table::svmFreed); // the driver frees them: never again at session end
            }
            if (svmMapArg >= 0) {
                boolean invalidate = (call.getScalars(f.slot(2)) & CL_MAP_WRITE_INVALIDATE_REGION) != 0;
                if (code != CL_SUCCESS) {
                    if (nonBlockingTransfer && ownTransferEvent && transferEvent.getNativePointer() != 0) {
                        CL.clReleaseEvent(transferEvent);
                    }
                } else if (nonBlockingTransfer) {
                    ctx.transfers().track(call.getCallId(), svmMapArg, svmView, !invalidate, transferEvent, ownTransferEvent, false);
                } else if (!invalidate) {
                    ReplyOutputs.put(reply, svmMapArg, outValue(f, null, svmView, args, svmMapArg, table, bulkOut));
                }
            }
        } else {
            if (f.name().equals("clSVMFree")) {
                table.svmFreed(svmId);
            }
            code = CL_SUCCESS;
        }

        if (code == CL_SUCCESS) {
            Bookkeeping.succeeded(f, entries, table, ctx.recordLog());
        }
        bindOutputEvent(f, call, args, ownTransferEvent, table);
        if (code == CL_SUCCESS && f.infoSelector() != null && entries[0] != null && table.holdsOwnReference(entries[0])
                && REFERENCE_COUNTS.contains((int) scalars.scalar(f.infoSelector().index()))) {
            // the session's own reference (HandleTable.holdForName) is not one the program made: not counted
            ByteBuffer v = outBuffers[f.infoSelector().index() + 2];
            if (v != null && v.capacity() >= 4) {
                ByteBuffer o = v.duplicate().order(ByteOrder.nativeOrder());
                o.putInt(0, o.getInt(0) - 1);
            }
        }

        for (int i = 0; i < n; i++) {
            ArgSpec a = f.arg(i);
            Object arg = args[i];
            switch (a.role()) {
                case out_handles:
                    if (arg != null && code == CL_SUCCESS) {
                        HandleRefs.Builder refs = HandleRefs.newBuilder();
                        int len = Array.getLength(arg);
                        for (int k = 0; k < len; k++) {
                            NativePointerObject o = (NativePointerObject) Array.get(arg, k);
                            // kernels and sub-devices are the client's to release (a sub-device is freed then)
                            boolean owned = a.handleType() == HandleType.cl_kernel || a.handleType() == HandleType.cl_device_id
                                    && f.name().equals("clCreateSubDevices");
                            long id = o.getNativePointer() == 0 ? 0 : table.idFor(o, a.handleType(), owned);
                            refs.addIds(id).addTypes(a.handleType().ordinal());
                            if (owned && id != 0 && a.handleType() == HandleType.cl_kernel && table.usesPrintf(entries[0] == null ? 0 : entries[0].id())) {
                                table.markPrintf(id);
                            }
                            if (owned && id != 0 && a.handleType() == HandleType.cl_kernel) {
                                reply.addKernels(kernelProbe.probe((org.jocl.cl_kernel) o, (cl_program) args[0], call));
                            }
                        }
                        ReplyOutputs.put(reply, i, Value.newBuilder().setRefs(refs).build());
                    }
                    break;
                case out:
                    if (binaryBuffers != null && i == f.infoValue().index()) {
                        if (code == CL_SUCCESS) {
                            io.ava.proto.BlobList.Builder blobs = io.ava.proto.BlobList.newBuilder();
                            for (ByteBuffer b : binaryBuffers) {
                                blobs.addValues(ByteString.copyFrom(b.duplicate().clear()));
                            }
                            ReplyOutputs.put(reply, i, Value.newBuilder().setBlobs(blobs).build());
                        }
                    } else if (outBuffers[i] != null && code == CL_SUCCESS && !nonBlockingTransfer) {
                        ReplyOutputs.put(reply, i, outValue(f, info, outBuffers[i], args, i, table, bulkOut));
                    }
                    break;
                case out_scalar:
                    if (arg != null) {
                        long value = arg instanceof int[] ? ((int[]) arg)[0] : ((long[]) arg)[0];
                        ReplyOutputs.put(reply, i, Value.newBuilder().setScalar(value).build());
                    }
                    break;
                case size_ret:
                    if (arg != null) {
                        ReplyOutputs.put(reply, i, Value.newBuilder().setScalar(((long[]) arg)[0]).build());
                    }
                    break;
                case out_ints:
                    if (arg != null) {
                        LongList.Builder l = LongList.newBuilder();
                        for (int x : (int[]) arg) {
                            l.addValues(x);
                        }
                        ReplyOutputs.put(reply, i, Value.newBuilder().setLongs(l).build());
                    }
                    break;
                case out_image_formats:
                    if (arg != null && code == CL_SUCCESS) {
                        LongList.Builder l = LongList.newBuilder();
                        for (cl_image_format fmt : (cl_image_format[]) arg) {
                            l.addValues(fmt.image_channel_order).addValues(fmt.image_channel_data_type);
                        }
                        ReplyOutputs.put(reply, i, Value.newBuilder().setLongs(l).build());
                    }
                    break;
                case inout:
                    if (outBuffers[i] != null && code == CL_SUCCESS && !nonBlockingTransfer) {
                        ReplyOutputs.put(reply, i, outValue(f, null, outBuffers[i], args, i, table, bulkOut));
                    }
                    break;
                default:
                    break;
            }
        }
        if (code == CL_SUCCESS && ctx.recordLog() != null && f.record()) {
            Bookkeeping.record(f, call, args, Bookkeeping.createdIds(f, reply), ctx);
        }
        if (code == CL_SUCCESS && f.name().equals("clWaitForEvents")) {
            WaitedEventTimes.attach(f, call, args, reply);
        }
        return new Outcome(reply.build(), bulkOut, code != CL_SUCCESS);
    }

    private static final Outcome ASYNC_SUCCESS = new Outcome(Reply.getDefaultInstance(), List.of(), false);

    private Outcome refuse(Call call, int code, String message) {
        return new Outcome(Reply.newBuilder().setCallId(call.getCallId()).setResult(code).setErrcode(code)
                .setMessage(message).build(), List.of(), true);
    }

    /** A refused call that would have created an object returns no object (null), as the driver's failure does. */
    private Outcome refuse(Call call, FunctionSpec f, int code, String message) {
        if (f.returns() == FunctionSpec.Returns.handle || f.returns() == FunctionSpec.Returns.svm) {
            return new Outcome(Reply.newBuilder().setCallId(call.getCallId()).setResult(0).setNullObject(true)
                    .setErrcode(code).setMessage(message).build(), List.of(), true);
        }
        return refuse(call, code, message);
    }

    private static final int CL_INVALID_MEM_OBJECT = -38;

    private static long memObjectSize(org.jocl.cl_mem mem) {
        long[] size = new long[1];
        int err = CL.clGetMemObjectInfo(mem, CL.CL_MEM_SIZE, org.jocl.Sizeof.size_t, Pointer.to(size), null);
        return err == CL_SUCCESS ? size[0] : 0;
    }

    /** The name of a function number, for logs. */
    public String functionName(int index) {
        FunctionSpec f = spec.function(index);
        return f == null ? "function " + index : f.name();
    }

    /** The bytes an info query will write, asked of the driver first so no bogus size is allocated. */
    private long infoSize(FunctionSpec f, Object[] args, int valueIndex, Class<?>[] types) {
        Object[] probe = args.clone();
        probe[valueIndex] = null;
        long[] sizeRet = new long[1];
        probe[f.args().size() - 1] = sizeRet;
        probe[valueIndex - 1] = 0L;
        Object r = natives.invoke(f.index(), probe);
        if (r instanceof Integer && (Integer) r != CL_SUCCESS) {
            return 1; // the real call reports the error; it writes nothing
        }
        return sizeRet[0];
    }

    /** Non-blocking reads and writes: the driver uses the host memory after the call returns. */
    private static boolean isNonBlockingTransfer(FunctionSpec f, Call call) {
        switch (f.name()) {
            case "clEnqueueReadBuffer":
            case "clEnqueueWriteBuffer":
            case "clEnqueueReadBufferRect":
            case "clEnqueueWriteBufferRect":
            case "clEnqueueReadImage":
            case "clEnqueueWriteImage":
            case "clEnqueueMapBuffer":
            case "clEnqueueMapImage":
                return call.getScalars(f.slot(2)) == 0;
            case "clEnqueueSVMMap":
                return call.getScalars(f.slot(1)) == 0;
            default:
                return false;
        }
    }

    private static int eventArg(FunctionSpec f) {
        for (int i = f.args().size() - 1; i >= 0; i--) {
            if (f.arg(i).role() == Role.out_event) {
                return i;
            }
        }
        throw new IllegalStateException(f.name() + " has no event argument");
    }

    /** Holds the host memory of a non-blocking transfer until its event completes; a read's bytes then go to the client. */
    private static void trackTransfer(FunctionSpec f, Call call, Object[] args, ByteBuffer[] outBuffers, Object input,
                                      cl_event event, boolean ownEvent, SessionContext ctx) {
        for (int i = 0; i < args.length; i++) {
            if (outBuffers[i] != null) {
                ByteBuffer out = outBuffers[i];
                ctx.transfers().track(call.getCallId(), i, out, true, event, ownEvent, true);
                return;
            }
        }
        ByteBuffer in = input instanceof ByteBuffer ? (ByteBuffer) input : null;
        ctx.transfers().track(call.getCallId(), -1, in, false, event, ownEvent, in != null);
    }

    private static int errcode(FunctionSpec f, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.errcode_ret) {
                return ((int[]) args[i])[0];
            }
        }
        return CL_SUCCESS;
    }

    private List<ByteBuffer> prepareBinaries(FunctionSpec f, Object[] args, int count) throws ClError {
        cl_program program = (cl_program) args[0];
        int[] numDevices = new int[1];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_NUM_DEVICES, 4, Pointer.to(numDevices), null);
        if (count < numDevices[0]) {
            throw new ClError(CL_INVALID_VALUE, "CL_PROGRAM_BINARIES needs room for " + numDevices[0] + " binaries");
        }
        long[] sizes = new long[numDevices[0]];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_BINARY_SIZES, 8L * sizes.length, Pointer.to(sizes), null);
        List<ByteBuffer> buffers = new ArrayList<>();
        Pointer[] pointers = new Pointer[numDevices[0]];
        for (int k = 0; k < sizes.length; k++) {
            ByteBuffer b = ByteBuffer.allocateDirect((int) Math.max(1, sizes[k]));
            b.limit((int) sizes[k]);
            buffers.add(b);
            pointers[k] = Pointer.to(b);
        }
        args[f.infoValue().index()] = Pointer.to(pointers);
        args[f.infoValue().index() - 1] = 8L * pointers.length;
        return buffers;
    }

    static Value outValue(FunctionSpec f, InfoValue info, ByteBuffer buf, Object[] args, int i,
                                  HandleTable table, List<BulkOut> bulkOut) {
        buf.clear();
        if (info != null) {
            long[] sizeRet = null;
            int written = buf.capacity();
            if (info.kind() == InfoValue.Kind.handles) {
                HandleRefs.Builder refs = HandleRefs.newBuilder();
                for (int k = 0; k + 8 <= written; k += 8) {
                    long ptr = buf.getLong(k);
                    HandleType t = info.handleType();
                    refs.addIds(table.idForNative(ptr, t, p -> wrap(t, p))).addTypes(t.ordinal());
                }
                return Value.newBuilder().setRefs(refs).build();
            }
            if (info.kind() == InfoValue.Kind.context_properties) {
                LongList.Builder l = LongList.newBuilder();
                for (int k = 0; k + 8 <= written; k += 8) {
                    long v = buf.getLong(k);
                    if (k % 16 == 8 && buf.getLong(k - 8) == CL_CONTEXT_PLATFORM) {
                        v = table.idForNative(v, HandleType.cl_platform_id, p -> wrap(HandleType.cl_platform_id, p));
                    }
                    l.addValues(v);
                }
                return Value.newBuilder().setLongs(l).build();
            }
        }
        if (buf.capacity() > INLINE_LIMIT) {
            bulkOut.add(new BulkOut(i, buf));
            return Value.newBuilder().setBulkSize(buf.capacity()).build();
        }
        return Value.newBuilder().setData(UnsafeByteOperations.unsafeWrap(buf)).build();
    }

    /** A JOCL object for a native pointer the driver reported, for objects the session never created. */
    static NativePointerObject wrap(HandleType t, long ptr) {
        return NativePointers.wrap(t, ptr);
    }
}

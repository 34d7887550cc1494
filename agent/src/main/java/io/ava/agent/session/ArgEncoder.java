package io.ava.agent.session;

import com.google.protobuf.ByteString;
import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import io.ava.proto.BlobList;
import io.ava.proto.HandleRefs;
import io.ava.proto.LongList;
import io.ava.proto.TextList;
import io.ava.proto.Value;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.HostExtent;
import io.ava.spec.Role;
import io.ava.spec.SizeExpr;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;

import java.nio.Buffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Encodes one argument of an intercepted call for the wire, by its role in the spec: handles as
 * ids, host memory as bytes (or as bulk input, or only its capacity for outputs), SVM pointers as
 * allocation and offset. Calls the driver would reject for unreadable memory fail here.
 */
final class ArgEncoder {
    static final int CL_INVALID_VALUE = -30;
    /** Input bytes up to this size travel inside the call; larger ones as bulk input ahead of it. */
    static final int INLINE_LIMIT = 256 * 1024;

    private final AtomicLong nextObjectId;
    private final SharedVirtualMemory svm;
    private final Map<Long, Long> imageElementSizes;

    ArgEncoder(AtomicLong nextObjectId, SharedVirtualMemory svm, Map<Long, Long> imageElementSizes) {
        this.nextObjectId = nextObjectId;
        this.svm = svm;
        this.imageElementSizes = imageElementSizes;
    }

    Value encode(FunctionSpec f, ArgSpec a, Object arg, SizeExpr.Args scalars, HostMemory.Region[] outRegions,
                         List<RemoteSession.BulkIn> bulk, long[] eventIds, int i, Object[] args) throws LocalError {
        Value.Builder v = Value.newBuilder();
        if (arg == null && a.role() != Role.errcode_ret) {
            return v.setIsNull(true).build();
        }
        switch (a.role()) {
            case scalar:
                return v.setScalar(RemoteCalls.scalar(arg)).build();
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

    static HostMemory.Region region(Pointer p) throws LocalError {
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

    /** The argument values a rectangle's or image's host extent is computed from. */
    HostExtent.Args extentArgs(Object[] args) {
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

    static int[] formatOf(Object o) {
        org.jocl.cl_image_format fmt = o instanceof org.jocl.cl_image_format[] && ((Object[]) o).length > 0
                ? ((org.jocl.cl_image_format[]) o)[0] : o instanceof org.jocl.cl_image_format ? (org.jocl.cl_image_format) o : null;
        return fmt == null ? null : new int[]{fmt.image_channel_order, fmt.image_channel_data_type};
    }
}

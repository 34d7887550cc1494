package io.ava.server.dispatch;

import com.google.protobuf.ByteString;
import io.ava.proto.HandleRefs;
import io.ava.proto.Value;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.ArgSpec;
import io.ava.spec.HandleType;
import io.ava.spec.HostExtent;
import io.ava.spec.SizeExpr;
import org.jocl.CL;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.cl_context_properties;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static io.ava.server.dispatch.Dispatcher.CL_INVALID_EVENT_WAIT_LIST;
import static io.ava.server.dispatch.Dispatcher.CL_INVALID_OPERATION;
import static io.ava.server.dispatch.Dispatcher.CL_INVALID_VALUE;
import static io.ava.server.dispatch.Dispatcher.CL_SUCCESS;

/** Turns wire values into the Java arguments JOCL's natives take, checking counts and ids on the way. */
final class ArgDecoding {
    private static final int CL_INVALID_MEM_OBJECT = -38;
    private static final int CL_CONTEXT_PLATFORM = 0x1084;
    /** The most elements a long[] argument may claim: OpenCL reads at most 3 (work sizes, regions). */
    private static final int MAX_LONGS = 64;

    private ArgDecoding() {
    }

    /** The length of an array the call fills: what the client's array holds, at least the count asked for. */
    static int outArrayLength(ArgSpec a, Value v, SizeExpr.Args scalars) throws ClError {
        long count = a.size().eval(scalars);
        long len = v.getOutSize();
        if (count < 0 || len > 1 << 16 || count > len) {
            throw new ClError(CL_INVALID_VALUE, a.name() + ": " + count + " entries asked, the array holds " + len);
        }
        return (int) len;
    }

    /** SVM pointers sent as (allocation id, offset) pairs; the ids are collected for bookkeeping. */
    static Pointer[] svmPointers(ArgSpec a, List<Long> pairs, HandleTable table, List<Long> ids) throws ClError {
        Pointer[] ptrs = new Pointer[pairs.size() / 2];
        for (int k = 0; k < ptrs.length; k++) {
            HandleTable.SvmAllocation alloc = table.svm(pairs.get(2 * k));
            if (alloc == null) {
                throw new ClError(CL_INVALID_VALUE, a.name() + "[" + k + "]: not shared virtual memory of this session");
            }
            long off = pairs.get(2 * k + 1);
            // JOCL's own pointer where there is no offset: some of JOCL's SVM natives ignore offset pointers
            ptrs[k] = off == 0 ? alloc.pointer() : alloc.pointer().withByteOffset(off);
            ids.add(pairs.get(2 * k));
        }
        return ptrs;
    }

    /** The argument values an extent (rectangle or image size) is computed from, as decoded so far. */
    static HostExtent.Args extentArgs(Object[] args, SizeExpr.Args scalars, Class<?>[] types) {
        return new HostExtent.Args() {
            public long scalar(int index) {
                return scalars.scalar(index);
            }

            public long[] longs(int index) {
                return (long[]) args[index];
            }

            public long imageElementSize(int index) {
                long[] size = new long[1];
                if (!(args[index] instanceof org.jocl.cl_mem) || CL.clGetImageInfo((org.jocl.cl_mem) args[index],
                        CL.CL_IMAGE_ELEMENT_SIZE, 8, Pointer.to(size), null) != CL_SUCCESS) {
                    return -1;
                }
                return size[0];
            }

            public int[] format(int index) {
                Object o = args[index];
                cl_image_format fmt = o instanceof cl_image_format[] && ((cl_image_format[]) o).length > 0
                        ? ((cl_image_format[]) o)[0] : o instanceof cl_image_format ? (cl_image_format) o : null;
                return fmt == null ? null : new int[]{fmt.image_channel_order, fmt.image_channel_data_type};
            }

            public long[] desc(int index) {
                cl_image_desc d = (cl_image_desc) args[index];
                return d == null ? null : new long[]{d.image_type, d.image_width, d.image_height, d.image_depth,
                        d.image_array_size, d.image_row_pitch, d.image_slice_pitch};
            }
        };
    }

    static Object scalar(long x, Class<?> t) {
        if (t == int.class) {
            return (int) x;
        }
        if (t == boolean.class) {
            return x != 0;
        }
        return x;
    }

    static Object handleArray(ArgSpec a, Value v, Class<?> t, SizeExpr.Args scalars, HandleTable table) throws ClError, NullElement {
        List<Long> ids = v.getLongs().getValuesList();
        long count = a.size() == null ? ids.size() : a.size().eval(scalars);
        if (count < 0 || count > ids.size()) {
            int code = a.handleType() == HandleType.cl_event ? CL_INVALID_EVENT_WAIT_LIST : CL_INVALID_VALUE;
            throw new ClError(code, a.name() + ": " + count + " entries expected, " + ids.size() + " given");
        }
        Object arr = Array.newInstance(t.getComponentType(), ids.size());
        for (int k = 0; k < ids.size(); k++) {
            long id = ids.get(k);
            if (id == -1) {
                if (k < count) {
                    // a null element the native would read: JOCL throws on the client, but here its native
                    // goes on with a list it never filled (a crash in the driver), so it is answered as JOCL would
                    throw new NullElement(a.name() + " contains 'null' elements");
                }
                continue; // past the count: never read
            }
            if (id == 0) {
                if (k < count && a.handleType() != HandleType.cl_event) {
                    // an object never filled, in the part the driver reads: PoCL follows such a NULL (a device in
                    // clBuildProgram's list: SIGSEGV); the spec's answer is the list's invalid-object error. PoCL
                    // checks event lists itself, and answers clWaitForEvents with CL_INVALID_EVENT: left to it.
                    throw new ClError(a.handleType().invalidCode(), a.name() + "[" + k + "] is a NULL " + a.handleType());
                }
                Array.set(arr, k, NativePointers.wrap(a.handleType(), 0));
                continue;
            }
            HandleEntry e = table.find(id);
            if (e == null || e.type() != a.handleType()) {
                int code = a.handleType() == HandleType.cl_event ? CL_INVALID_EVENT_WAIT_LIST : a.handleType().invalidCode();
                throw new ClError(code, a.name() + "[" + k + "]: no " + a.handleType() + " with id " + id);
            }
            Array.set(arr, k, e.object());
        }
        return arr;
    }

    /** A null element in a handle list: answered with the NullPointerException JOCL throws on the client. */
    static final class NullElement extends Exception {
        NullElement(String message) {
            super(message, null, false, false);
        }
    }

    static NativePointerObject[] refs(HandleRefs r, HandleTable table) throws ClError {
        NativePointerObject[] out = new NativePointerObject[r.getIdsCount()];
        HandleType[] types = HandleType.values();
        for (int k = 0; k < out.length; k++) {
            int typeIndex = r.getTypes(k);
            if (typeIndex < 0 || typeIndex >= types.length) {
                throw new ClError(CL_INVALID_VALUE, "unknown handle type " + typeIndex);
            }
            HandleType t = types[typeIndex];
            long id = r.getIds(k);
            if (id == 0) {
                out[k] = NativePointers.wrap(t, 0); // an object never filled: NULL, which the driver judges
                continue;
            }
            HandleEntry e = table.find(id);
            if (e == null || e.type() != t) {
                throw new ClError(t == HandleType.cl_mem ? CL_INVALID_MEM_OBJECT : t.invalidCode(),
                        "no " + t + " with id " + id);
            }
            out[k] = e.object();
        }
        return out;
    }

    static long[] longs(ArgSpec a, Value v, SizeExpr.Args scalars) throws ClError {
        List<Long> values = v.getLongs().getValuesList();
        int len = values.size();
        if (a.size() != null) {
            long count = a.size().eval(scalars);
            if (count < 0) {
                // a negative count is a huge unsigned one to the native (JOCL would allocate that many)
                throw new ClError(CL_INVALID_VALUE, a.name() + ": " + count + " elements");
            }
            // The native reads `count` elements: pad a short array with zeros so it never reads past it.
            if (count > len && count <= MAX_LONGS) {
                len = (int) count;
            } else if (count > MAX_LONGS) {
                throw new ClError(CL_INVALID_VALUE, a.name() + ": " + count + " elements is more than OpenCL reads");
            }
        }
        long[] out = new long[len];
        for (int k = 0; k < values.size(); k++) {
            out[k] = values.get(k);
        }
        return out;
    }

    /**
     * A property list exactly as the client's (partition lists are not pairs), always ending in
     * 0 so the driver stops inside it, with CL_CONTEXT_PLATFORM values turned into real platforms.
     */
    static Object properties(Value v, Class<?> t, HandleTable table) throws ClError {
        List<Long> raw = v.getLongs().getValuesList();
        long[] values = new long[raw.size() + 1];
        for (int k = 0; k < raw.size(); k++) {
            values[k] = raw.get(k);
        }
        if (t == cl_context_properties.class) {
            for (int k = 0; k + 1 < raw.size() && values[k] != 0; k += 2) {
                if (values[k] == CL_CONTEXT_PLATFORM) {
                    HandleEntry e = table.find(values[k + 1]);
                    if (e == null || e.type() != HandleType.cl_platform_id) {
                        throw new ClError(HandleType.cl_platform_id.invalidCode(),
                                "CL_CONTEXT_PLATFORM: no platform with id " + values[k + 1]);
                    }
                    values[k + 1] = e.object().getNativePointer();
                }
            }
        }
        return NativePointers.properties(t, values);
    }

    static ByteBuffer direct(ByteString data) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.size()).order(ByteOrder.nativeOrder());
        data.copyTo(b);
        return b.clear();
    }

    static NativePointerObject newObject(Class<?> type) throws ClError {
        try {
            return (NativePointerObject) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ClError(CL_INVALID_OPERATION, "cannot make a " + type.getSimpleName());
        }
    }
}

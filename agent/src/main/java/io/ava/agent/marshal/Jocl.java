package io.ava.agent.marshal;

import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.Buffer;

/**
 * Access to JOCL's private pointer fields, the way JOCL's own native code reads them. JOCL lives
 * in the unnamed module, so a private lookup works without --add-opens.
 */
public final class Jocl {
    private static final VarHandle NATIVE_POINTER;
    private static final VarHandle BYTE_OFFSET;
    private static final VarHandle BUFFER;
    private static final VarHandle POINTERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup());
            NATIVE_POINTER = l.findVarHandle(NativePointerObject.class, "nativePointer", long.class);
            BYTE_OFFSET = l.findVarHandle(NativePointerObject.class, "byteOffset", long.class);
            BUFFER = l.findVarHandle(NativePointerObject.class, "buffer", Buffer.class);
            POINTERS = l.findVarHandle(NativePointerObject.class, "pointers", NativePointerObject[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Jocl() {
    }

    public static long id(NativePointerObject o) {
        return (long) NATIVE_POINTER.get(o);
    }

    public static void setId(NativePointerObject o, long id) {
        NATIVE_POINTER.set(o, id);
    }

    public static long byteOffset(NativePointerObject o) {
        return (long) BYTE_OFFSET.get(o);
    }

    public static Buffer buffer(NativePointerObject o) {
        return (Buffer) BUFFER.get(o);
    }

    public static NativePointerObject[] pointers(NativePointerObject o) {
        return (NativePointerObject[]) POINTERS.get(o);
    }

    /** A fresh JOCL object of a handle type carrying an id. */
    public static NativePointerObject newHandle(HandleType type, long id) {
        NativePointerObject o;
        switch (type) {
            case cl_platform_id: o = new org.jocl.cl_platform_id(); break;
            case cl_device_id: o = new org.jocl.cl_device_id(); break;
            case cl_context: o = new org.jocl.cl_context(); break;
            case cl_command_queue: o = new org.jocl.cl_command_queue(); break;
            case cl_mem: o = new org.jocl.cl_mem(); break;
            case cl_program: o = new org.jocl.cl_program(); break;
            case cl_kernel: o = new org.jocl.cl_kernel(); break;
            case cl_event: o = new org.jocl.cl_event(); break;
            case cl_sampler: o = new org.jocl.cl_sampler(); break;
            default: throw new IllegalArgumentException(type.name());
        }
        setId(o, id);
        return o;
    }

    /** Whether a Pointer points at JOCL objects (Pointer.to(cl_mem)), as opposed to memory. */
    public static boolean pointsToObjects(Pointer p) {
        return p != null && id(p) == 0 && pointers(p) != null;
    }
}

package io.ava.agent.marshal;

import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;

import java.lang.reflect.Field;
import java.nio.Buffer;

/**
 * Access to JOCL's private pointer fields, the way JOCL's own native code reads them. Through
 * Unsafe rather than VarHandles: every remoted call reads them, most of them in the first
 * moments of a program while its code is still interpreted, where a VarHandle access runs
 * through a dozen frames of java.lang.invoke and Unsafe is one call.
 */
public final class Jocl {
    private static final sun.misc.Unsafe UNSAFE;
    private static final long NATIVE_POINTER;
    private static final long BYTE_OFFSET;
    private static final long BUFFER;
    private static final long POINTERS;

    static {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = (sun.misc.Unsafe) f.get(null);
            NATIVE_POINTER = offset("nativePointer", long.class);
            BYTE_OFFSET = offset("byteOffset", long.class);
            BUFFER = offset("buffer", Buffer.class);
            POINTERS = offset("pointers", NativePointerObject[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long offset(String name, Class<?> type) throws NoSuchFieldException {
        Field f = NativePointerObject.class.getDeclaredField(name);
        if (f.getType() != type) {
            throw new NoSuchFieldException(name + " of JOCL's NativePointerObject is a " + f.getType() + ", not a " + type);
        }
        return UNSAFE.objectFieldOffset(f);
    }

    private Jocl() {
    }

    public static long id(NativePointerObject o) {
        return UNSAFE.getLong(java.util.Objects.requireNonNull(o), NATIVE_POINTER);
    }

    public static void setId(NativePointerObject o, long id) {
        UNSAFE.putLong(java.util.Objects.requireNonNull(o), NATIVE_POINTER, id);
    }

    public static long byteOffset(NativePointerObject o) {
        return UNSAFE.getLong(java.util.Objects.requireNonNull(o), BYTE_OFFSET);
    }

    public static Buffer buffer(NativePointerObject o) {
        return (Buffer) UNSAFE.getObject(java.util.Objects.requireNonNull(o), BUFFER);
    }

    public static NativePointerObject[] pointers(NativePointerObject o) {
        return (NativePointerObject[]) UNSAFE.getObject(java.util.Objects.requireNonNull(o), POINTERS);
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

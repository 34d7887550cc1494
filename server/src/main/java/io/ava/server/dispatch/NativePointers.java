package io.ava.server.dispatch;

import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Makes JOCL objects for native pointers the driver reported (JOCL has no public way to). */
public final class NativePointers {
    private static final VarHandle NATIVE_POINTER;
    private static final VarHandle BUFFER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup());
            NATIVE_POINTER = l.findVarHandle(NativePointerObject.class, "nativePointer", long.class);
            BUFFER = l.findVarHandle(NativePointerObject.class, "buffer", java.nio.Buffer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativePointers() {
    }

    /** A JOCL property list object (context, queue, sampler, partition, pipe) holding exactly these values. */
    static NativePointerObject properties(Class<?> type, long[] values) {
        NativePointerObject o;
        try {
            o = (NativePointerObject) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        BUFFER.set(o, java.nio.LongBuffer.wrap(values));
        return o;
    }

    public static NativePointerObject wrap(HandleType type, long pointer) {
        NativePointerObject o;
        try {
            o = (NativePointerObject) Class.forName(type.joclClassName()).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        NATIVE_POINTER.set(o, pointer);
        return o;
    }
}

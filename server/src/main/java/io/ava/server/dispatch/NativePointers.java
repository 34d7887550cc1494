package io.ava.server.dispatch;

import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Makes JOCL objects for native pointers the driver reported (JOCL has no public way to). */
final class NativePointers {
    private static final VarHandle NATIVE_POINTER;

    static {
        try {
            NATIVE_POINTER = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup())
                    .findVarHandle(NativePointerObject.class, "nativePointer", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativePointers() {
    }

    static NativePointerObject wrap(HandleType type, long pointer) {
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

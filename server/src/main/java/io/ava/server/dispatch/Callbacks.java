package io.ava.server.dispatch;

import io.ava.proto.CallbackPush;
import io.ava.proto.Push;
import io.ava.spec.HandleType;
import org.jocl.BuildProgramFunction;
import org.jocl.CreateContextFunction;
import org.jocl.EventCallbackFunction;
import org.jocl.MemObjectDestructorCallbackFunction;
import org.jocl.NativePointerObject;
import org.jocl.SVMFreeFunction;

/**
 * The driver-side stand-ins for the application's callbacks: they send the callback's id and
 * arguments to the client, which runs the real one with the application's own user data.
 */
final class Callbacks {
    private Callbacks() {
    }

    /**
     * A callback object of the JOCL type the native expects, or null where the client runs it itself. Each runs on
     * a driver thread and must never throw: JOCL turns a pending exception into a crash of the whole server
     * (finishCallback detaches the thread, then throws on it).
     */
    static Object forDriver(Class<?> type, long callbackId, SessionContext ctx) {
        if (type == EventCallbackFunction.class) {
            return (EventCallbackFunction) (event, status, ignored) -> guarded(() -> {
                long eventId = id(ctx, event, HandleType.cl_event);
                // on the session's transfer thread (never block the driver's): the bytes of reads that
                // completed with this event go first, then the callback, in the order the driver called
                ctx.transfers().later(() -> {
                    ctx.transfers().flushCompleted();
                    push(ctx, callbackId, eventId, status);
                });
            });
        }
        if (type == MemObjectDestructorCallbackFunction.class) {
            return (MemObjectDestructorCallbackFunction) (mem, ignored) -> guarded(() -> push(ctx, callbackId));
        }
        if (type == CreateContextFunction.class) {
            return (CreateContextFunction) (errinfo, privateInfo, cb, ignored) -> guarded(() -> push(ctx, callbackId));
        }
        if (type == SVMFreeFunction.class) {
            return (SVMFreeFunction) (queue, numPointers, pointers, ignored) -> guarded(() -> push(ctx, callbackId, numPointers));
        }
        if (type == org.jocl.PrintfCallbackFunction.class) {
            return (org.jocl.PrintfCallbackFunction) (context, length, text, ignored) -> guarded(() -> ctx.push(Push.newBuilder()
                    .setCallback(CallbackPush.newBuilder().setCallbackId(callbackId).setText(text == null ? "" : text)).build()));
        }
        if (type == BuildProgramFunction.class) {
            return null; // builds run to completion on the server; the agent calls the application's callback
        }
        return null;
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Callbacks.class);

    /** Runs a callback's body; whatever it throws is logged and swallowed (see {@link #forDriver}). */
    static void guarded(Runnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            try {
                io.ava.server.logging.Events.warn(log, "callback-failed").addKeyValue("reason", String.valueOf(t)).log();
            } catch (Throwable ignored) {
                // not even logging: nothing may leave a driver thread
            }
        }
    }

    private static long id(SessionContext ctx, NativePointerObject o, HandleType type) {
        return o == null ? 0 : ctx.table().idForNative(o.getNativePointer(), type, p -> NativePointers.wrap(type, p));
    }

    private static void push(SessionContext ctx, long callbackId, long... values) {
        CallbackPush.Builder c = CallbackPush.newBuilder().setCallbackId(callbackId);
        for (long v : values) {
            c.addValues(v);
        }
        ctx.push(Push.newBuilder().setCallback(c).build());
    }
}

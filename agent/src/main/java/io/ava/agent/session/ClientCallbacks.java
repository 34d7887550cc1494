package io.ava.agent.session;

import io.ava.agent.marshal.Jocl;
import io.ava.proto.CallbackPush;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.Role;
import org.jocl.CreateContextFunction;
import org.jocl.EventCallbackFunction;
import org.jocl.MemObjectDestructorCallbackFunction;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.SVMFreeFunction;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's callbacks and their user data, which never leave this JVM. The server
 * sends only an id and the callback's arguments; the callback runs here, on a thread of the
 * agent's (natively, drivers call them on threads of their own), with fresh handle objects.
 */
final class ClientCallbacks {
    /** One registration: the callback object, its user data, and the call that registered it. */
    private record Registration(Object function, Object userData, Object[] args) {
    }

    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ava-callbacks");
        t.setDaemon(true);
        return t;
    });

    long register(FunctionSpec f, Object function, Object[] args) {
        Object userData = null;
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.user_data) {
                userData = args[i];
            }
        }
        long id = nextId.incrementAndGet();
        registrations.put(id, new Registration(function, userData, args.clone()));
        return id;
    }

    /** Runs a pushed callback once the data it covers has landed. */
    void dispatch(CallbackPush push, RemoteSession session) {
        Registration r = registrations.get(push.getCallbackId());
        if (r == null) {
            return;
        }
        executor.execute(() -> {
            try {
                session.settleTransfers();
            } catch (SessionException e) {
                System.err.println("ava: " + e.getMessage());
            }
            run(push, r);
        });
    }

    private void run(CallbackPush push, Registration r) {
        Object fn = r.function();
        try {
            if (fn instanceof EventCallbackFunction) {
                registrations.remove(push.getCallbackId());
                cl_event event = (cl_event) Jocl.newHandle(HandleType.cl_event, push.getValues(0));
                ((EventCallbackFunction) fn).function(event, (int) push.getValues(1), r.userData());
            } else if (fn instanceof MemObjectDestructorCallbackFunction) {
                registrations.remove(push.getCallbackId());
                cl_mem mem = (cl_mem) Jocl.newHandle(HandleType.cl_mem, Jocl.id((NativePointerObject) r.args()[0]));
                ((MemObjectDestructorCallbackFunction) fn).function(mem, r.userData());
            } else if (fn instanceof SVMFreeFunction) {
                registrations.remove(push.getCallbackId());
                cl_command_queue q = (cl_command_queue) Jocl.newHandle(HandleType.cl_command_queue,
                        Jocl.id((NativePointerObject) r.args()[0]));
                ((SVMFreeFunction) fn).function(q, (Integer) r.args()[1], (Pointer[]) r.args()[2], r.userData());
            } else if (fn instanceof org.jocl.PrintfCallbackFunction) {
                org.jocl.cl_context ctx = (org.jocl.cl_context) Jocl.newHandle(HandleType.cl_context,
                        Jocl.id((NativePointerObject) r.args()[0]));
                ((org.jocl.PrintfCallbackFunction) fn).function(ctx, push.getText().length(), push.getText(), r.userData());
            } else if (fn instanceof CreateContextFunction) {
                ((CreateContextFunction) fn).function("context notification from the OpenCL driver", null, 0, r.userData());
            }
        } catch (RuntimeException e) {
            System.err.println("ava: an application callback threw " + e);
        }
    }
}

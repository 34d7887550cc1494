package io.ava.server.dispatch;

import com.google.protobuf.UnsafeByteOperations;
import io.ava.proto.Push;
import io.ava.proto.TransferDone;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_event;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Non-blocking transfers the driver finishes after the call returned. The server never turns
 * them into blocking ones (a read gated on a user event that the same thread sets later would
 * deadlock); instead it holds the host memory until the event completes, then sends a read's
 * bytes to the client. Every synchronous reply first sends the transfers whose events have
 * completed, so the client has the bytes before it can observe the completion.
 */
public final class Transfers {
    /** One transfer in flight. */
    public final class Pending {
        final long callId;
        final int arg;
        final ByteBuffer data;
        final boolean sendsData;
        final cl_event event;
        final boolean ownEvent;
        /** {@code data} is a {@link DirectBuffers#SHARED} buffer: it goes back to the pool once done with */
        final boolean pooled;
        final AtomicBoolean done = new AtomicBoolean();
        /** the transfer's own reference on the event is given back (guarded by this Pending) */
        private boolean released;
        /** counted down once the bytes are sent: a reply may not overtake them */
        final java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);

        Pending(long callId, int arg, ByteBuffer data, boolean sendsData, cl_event event, boolean ownEvent, boolean pooled) {
            this.callId = callId;
            this.arg = arg;
            this.data = data;
            this.sendsData = sendsData;
            this.event = event;
            this.ownEvent = ownEvent;
            this.pooled = pooled;
        }
    }

    private final SessionContext session;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

    public Transfers(SessionContext session) {
        this.session = session;
    }

    /**
     * Tracks a transfer whose event the driver completes later.
     *
     * @param sendsData whether {@code data} goes to the client then (reads, maps) or is only held (writes)
     * @param pooled whether {@code data} came from {@link DirectBuffers#SHARED}: it goes back once
     *               done with (a read's buffer is handed to the session with its bytes, not copied)
     */
    public void track(long callId, int arg, ByteBuffer data, boolean sendsData, cl_event event, boolean ownEvent,
                      boolean pooled) {
        if (!ownEvent) {
            // a reference of the transfer's own: the client may release its event while the transfer is in flight
            CL.clRetainEvent(event);
        }
        Pending p = new Pending(callId, arg, data, sendsData, event, ownEvent, pooled);
        pending.put(callId, p);
        int rc = CL.clSetEventCallback(event, CL.CL_COMPLETE, (ev, status, ignored) -> later(() -> complete(p, status)), null);
        if (rc != CL.CL_SUCCESS) {
            complete(p, status(p));
        }
    }

    private static final ThreadLocal<Boolean> SESSION_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** Marks the calling thread as one that runs a session's calls (not one of the driver's). */
    public static void onSessionThread() {
        SESSION_THREAD.set(Boolean.TRUE);
    }

    /** Runs {@code calls} with the calling thread marked as a session's thread, and unmarks it after. */
    public static void asSessionThread(Runnable calls) {
        boolean was = SESSION_THREAD.get();
        SESSION_THREAD.set(Boolean.TRUE);
        try {
            calls.run();
        } finally {
            SESSION_THREAD.set(was);
        }
    }

    private final Object senderLock = new Object();
    private java.util.concurrent.ExecutorService sender;

    /**
     * Runs {@code job} on this session's transfer thread. The driver calls back on its own worker
     * threads, the device's threads on a CPU device: sending megabytes to the client there would
     * hold the device up for as long as the socket takes, so completions are sent from here.
     * Anything a synchronous reply needs first it still sends itself ({@link #flushCompleted}).
     */
    public void later(Runnable job) {
        if (SESSION_THREAD.get()) {
            Callbacks.guarded(job); // called back inside a call of the session (clSetUserEventStatus, say): as natively, before it returns
            return;
        }
        java.util.concurrent.ExecutorService s;
        synchronized (senderLock) {
            if (sender == null) {
                sender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "ava-transfers");
                    t.setDaemon(true);
                    return t;
                });
            }
            s = sender;
        }
        try {
            s.execute(() -> Callbacks.guarded(job));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the session has closed: abandonAll released everything
        }
    }

    /** Before a synchronous reply: whatever has completed goes out first. */
    public void flushCompleted() {
        if (pending.isEmpty()) {
            return;
        }
        for (Pending p : List.copyOf(pending.values())) {
            int s = status(p);
            if (s <= CL.CL_COMPLETE) {
                complete(p, s);
                try {
                    // another thread (the driver's callback) may be sending it right now
                    p.sent.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /**
     * The event's status. Another thread (the driver's callback, another session thread's flush) may
     * complete the transfer and release the event at any moment: the query and the release hold the
     * Pending, so the event is never read after its release (that crashed the server in JOCL).
     */
    private static int status(Pending p) {
        synchronized (p) {
            if (p.released) {
                return CL.CL_COMPLETE; // completed and sent by another thread
            }
            int[] s = new int[1];
            if (CL.clGetEventInfo(p.event, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, 4, Pointer.to(s), null) != CL.CL_SUCCESS) {
                return -1;
            }
            return s[0];
        }
    }

    private static void release(Pending p) {
        synchronized (p) {
            if (!p.released) {
                p.released = true;
                CL.clReleaseEvent(p.event);
            }
        }
    }

    private void complete(Pending p, int status) {
        if (!p.done.compareAndSet(false, true)) {
            return;
        }
        try {
            send(p, status);
        } finally {
            pending.remove(p.callId);
            p.sent.countDown();
        }
    }

    private void send(Pending p, int status) {
        boolean handedOver = false;
        if (p.sendsData) {
            TransferDone.Builder t = TransferDone.newBuilder().setCallId(p.callId).setArg(p.arg).setStatus(Math.min(status, 0));
            if (status == CL.CL_COMPLETE) {
                ByteBuffer d = p.data.duplicate();
                d.clear();
                if (d.capacity() > Dispatcher.INLINE_LIMIT) {
                    if (p.pooled) {
                        session.sendPooledBulk(p.callId, p.arg, p.data);
                        handedOver = true;
                    } else {
                        session.sendBulk(p.callId, p.arg, d);
                    }
                    t.setBulkSize(d.capacity());
                } else {
                    t.setData(UnsafeByteOperations.unsafeWrap(copy(d)));
                }
            }
            session.push(Push.newBuilder().setTransfer(t).build());
        }
        if (p.pooled && !handedOver) {
            DirectBuffers.SHARED.release(p.data);
        }
        release(p); // its own event, or the reference taken in track
    }

    private static byte[] copy(ByteBuffer d) {
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }

    /** The session is closing: the driver has finished its queues, so everything is complete. */
    public void abandonAll() {
        synchronized (senderLock) {
            if (sender != null) {
                sender.shutdown();
            }
        }
        for (Pending p : new ArrayList<>(pending.values())) {
            if (p.done.compareAndSet(false, true)) {
                release(p);
            }
        }
        pending.clear();
    }
}

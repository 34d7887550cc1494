package io.ava.agent.session;

import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CL_MEM_USE_HOST_PTR buffers. Natively the device works on the application's own memory, so
 * the application sees kernel results in its array after a synchronisation point. Remotely the
 * buffer lives on the server: after each synchronisation point the agent reads every buffer
 * that an enqueue may have changed back into the application's memory.
 */
final class HostPtrMirror {
    /** One buffer: the application's memory, and the queue of the last enqueue that may have changed it. */
    private static final class Mirrored {
        final long memId;
        final long context;
        final long size;
        final Pointer host;
        volatile long dirtyQueue;

        Mirrored(long memId, long context, long size, Pointer host) {
            this.memId = memId;
            this.context = context;
            this.size = size;
            this.host = host;
        }
    }

    /** Reads a buffer into host memory through the session (a blocking clEnqueueReadBuffer). */
    interface Reader {
        void read(cl_command_queue queue, cl_mem mem, long size, Pointer host);
    }

    private final Map<Long, Mirrored> buffers = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> refreshing = ThreadLocal.withInitial(() -> false);
    /** One refresh at a time: a thread at a synchronisation point waits for another's refresh to land. */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

    /** Whether this thread is inside a refresh (its own reads change nothing the application could miss). */
    boolean refreshing() {
        return refreshing.get();
    }

    boolean isEmpty() {
        return buffers.isEmpty();
    }

    void register(long memId, long context, long size, Pointer host) {
        buffers.put(memId, new Mirrored(memId, context, size, host));
    }

    void released(long memId) {
        buffers.remove(memId);
    }

    /** An enqueue on this queue may have changed any buffer of its context. */
    void enqueued(long queueId, long context) {
        for (Mirrored m : buffers.values()) {
            if (m.context == context) {
                m.dirtyQueue = queueId;
            }
        }
    }

    /** A synchronisation point: bring the application's memory up to date. */
    void sync(Reader reader) {
        if (refreshing.get()) {
            return;
        }
        lock.lock();
        refreshing.set(true);
        try {
            for (Mirrored m : List.copyOf(buffers.values())) {
                long q = m.dirtyQueue;
                if (q != 0) {
                    m.dirtyQueue = 0;
                    reader.read((cl_command_queue) io.ava.agent.marshal.Jocl.newHandle(io.ava.spec.HandleType.cl_command_queue, q),
                            (cl_mem) io.ava.agent.marshal.Jocl.newHandle(io.ava.spec.HandleType.cl_mem, m.memId), m.size, m.host);
                }
            }
        } finally {
            refreshing.set(false);
            lock.unlock();
        }
    }
}

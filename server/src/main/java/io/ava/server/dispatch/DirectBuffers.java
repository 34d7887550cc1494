package io.ava.server.dispatch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reused direct buffers for bulk transfers. A fresh 64 MiB direct buffer per transfer costs
 * page faults and zeroing each time, and freed ones wait for a GC; reuse keeps transfers near
 * memory speed. Buffers come in power-of-two classes; callers see an exact-size slice.
 */
public final class DirectBuffers {
    public static final DirectBuffers SHARED = new DirectBuffers(512L << 20);
    private static final int MIN_CLASS = 18; // 256 KiB

    private final long maxCached;
    private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
    private final Map<ByteBuffer, ByteBuffer> parents = new IdentityHashMap<>();
    private long cached;

    DirectBuffers(long maxCached) {
        this.maxCached = maxCached;
    }

    /** A native-order direct buffer of exactly {@code size} bytes. */
    public synchronized ByteBuffer acquire(int size) {
        int cls = Math.max(MIN_CLASS, 32 - Integer.numberOfLeadingZeros(Math.max(size, 1) - 1));
        ArrayDeque<ByteBuffer> q = free.get(cls);
        ByteBuffer parent = q == null ? null : q.poll();
        if (parent != null) {
            cached -= parent.capacity();
        } else {
            parent = ByteBuffer.allocateDirect(cls >= 31 ? size : 1 << cls);
        }
        ByteBuffer slice = parent.duplicate().clear().limit(size).slice().order(ByteOrder.nativeOrder());
        parents.put(slice, parent);
        return slice;
    }

    /** Gives a buffer from {@link #acquire} back; others are ignored. */
    public synchronized void release(ByteBuffer slice) {
        ByteBuffer parent = parents.remove(slice);
        if (parent == null || cached + parent.capacity() > maxCached || Integer.bitCount(parent.capacity()) != 1) {
            return;
        }
        int cls = Integer.numberOfTrailingZeros(parent.capacity());
        free.computeIfAbsent(cls, c -> new ArrayDeque<>()).push(parent);
        cached += parent.capacity();
    }
}

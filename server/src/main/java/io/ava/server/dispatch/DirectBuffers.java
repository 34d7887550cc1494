package io.ava.server.dispatch;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reused direct buffers for bulk transfers. A fresh 64 MiB direct buffer per transfer costs
 * page faults and zeroing each time; reuse keeps transfers near memory speed. Buffers come in
 * size classes (powers of two up to 64 MiB, multiples of 16 MiB above); callers see an
 * exact-size slice. When a released buffer does not fit in the cache, the buffers released
 * longest ago make room for it: a long-lived server serves programs of many sizes, and one whose
 * cache is full of sizes the current program never asks for would otherwise allocate (and zero)
 * its large buffers afresh on every transfer (nw's two 272 MiB transfers: 0.8 s more per run).
 * A buffer the cache cannot keep is freed at once: left to the GC, whose heap here stays
 * small, freed buffers pile up until the JVM's direct-memory limit, where each new one waits
 * for System.gc() and its back-off sleeps (seconds, on multi-hundred-MiB uploads). Only
 * released buffers are ever freed, so evicting one is no riskier than freeing it at release.
 */
public final class DirectBuffers {
    public static final DirectBuffers SHARED = new DirectBuffers(512L << 20);
    private static final int MIN_CLASS = 18; // 256 KiB
    private static final int MAX_POWER_CLASS = 26; // 64 MiB
    private static final int LARGE_STEP = 16 << 20;
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private final long maxCached;
    private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
    private final Map<ByteBuffer, ByteBuffer> parents = new IdentityHashMap<>();
    /** when each cached buffer was released, for eviction (identity: ByteBuffer.equals compares contents) */
    private final Map<ByteBuffer, Long> releasedAt = new IdentityHashMap<>();
    private long releases;
    private long cached;
    private long evictions;

    DirectBuffers(long maxCached) {
        this.maxCached = maxCached;
    }

    /** The capacity of the buffer that serves {@code size} bytes. */
    static int capacityFor(int size) {
        int cls = Math.max(MIN_CLASS, 32 - Integer.numberOfLeadingZeros(Math.max(size, 1) - 1));
        if (cls <= MAX_POWER_CLASS) {
            return 1 << cls;
        }
        long rounded = ((long) size + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
        return (int) Math.min(rounded, Integer.MAX_VALUE - 8);
    }

    /** A native-order direct buffer of exactly {@code size} bytes. */
    public synchronized ByteBuffer acquire(int size) {
        int capacity = Math.max(capacityFor(size), size);
        ArrayDeque<ByteBuffer> q = free.get(capacity);
        ByteBuffer parent = q == null ? null : q.poll();
        if (parent != null) {
            cached -= parent.capacity();
            releasedAt.remove(parent);
        } else {
            parent = ByteBuffer.allocateDirect(capacity);
        }
        ByteBuffer slice = parent.duplicate().clear().limit(size).slice().order(ByteOrder.nativeOrder());
        parents.put(slice, parent);
        return slice;
    }

    /** Gives a buffer from {@link #acquire} back; others are ignored. */
    public synchronized void release(ByteBuffer slice) {
        ByteBuffer parent = parents.remove(slice);
        if (parent == null) {
            return;
        }
        if (parent.capacity() > maxCached) {
            freeNow(parent);
            return;
        }
        while (cached + parent.capacity() > maxCached) {
            evictOldest();
        }
        free.computeIfAbsent(parent.capacity(), c -> new ArrayDeque<>()).push(parent);
        releasedAt.put(parent, ++releases);
        cached += parent.capacity();
    }

    /** Frees the cached buffer released longest ago: the last of some size class's stack. */
    private void evictOldest() {
        ArrayDeque<ByteBuffer> oldestClass = null;
        long oldest = Long.MAX_VALUE;
        for (ArrayDeque<ByteBuffer> q : free.values()) {
            ByteBuffer last = q.peekLast();
            long at = last == null ? Long.MAX_VALUE : releasedAt.get(last);
            if (at < oldest) {
                oldest = at;
                oldestClass = q;
            }
        }
        ByteBuffer victim = oldestClass.pollLast();
        releasedAt.remove(victim);
        cached -= victim.capacity();
        evictions++;
        freeNow(victim);
    }

    /** Cached buffers freed to make room for others. */
    synchronized long evictions() {
        return evictions;
    }

    /** Bytes held for reuse. */
    synchronized long cachedBytes() {
        return cached;
    }

    private static void freeNow(ByteBuffer parent) {
        if (UNSAFE != null) {
            UNSAFE.invokeCleaner(parent);
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // then freed buffers wait for the GC, as before
        }
    }
}

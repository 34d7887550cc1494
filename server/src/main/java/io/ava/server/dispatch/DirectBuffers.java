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
 * exact-size slice. A buffer the cache cannot keep is freed at once: left to the GC, whose heap
 * here stays small, freed buffers pile up until the JVM's direct-memory limit, where each new
 * one waits for System.gc() and its back-off sleeps (seconds, on multi-hundred-MiB uploads).
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
    private long cached;

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
        if (cached + parent.capacity() > maxCached) {
            freeNow(parent);
            return;
        }
        free.computeIfAbsent(parent.capacity(), c -> new ArrayDeque<>()).push(parent);
        cached += parent.capacity();
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

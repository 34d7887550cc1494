package io.ava.server.handles;

import io.ava.server.dispatch.ClError;
import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's objects: client ids to real JOCL objects, and back. Ids chosen by the client have
 * the top bits clear; ids the server hands out (platforms, devices, kernels from
 * clCreateKernelsInProgram, objects first seen in an info answer) have bit 62 set.
 */
public final class HandleTable {
    private static final long SERVER_ID_BIT = 1L << 62;

    private final Map<Long, HandleEntry> byId = new HashMap<>();
    private final Map<Long, Long> byNative = new HashMap<>();
    /**
     * Native pointers of objects the client released, with their ids: the driver may keep such an
     * object alive (a kernel keeps its program), and an info answer that names it again must give
     * the same id, as the same pointer would natively. Bounded: the oldest are forgotten.
     */
    private final Map<Long, Long> retired = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > 4096;
        }
    };
    private final Map<Long, java.nio.ByteBuffer> mappings = new HashMap<>();
    private long sequence;
    private long nextServerId = 1;

    // ---------------------------------------------------------------- limits
    /** objects the client holds references to (platforms and devices excluded) */
    private long owned;
    /** device memory held: buffers, images, pipes and SVM allocations not yet really gone */
    private long memoryHeld;
    /** what calls running now were granted and have not bound yet */
    private long pendingObjects;
    private long pendingMemory;

    /**
     * Grants a call that creates objects their budget, before it reaches native code; the caller
     * gives it back with {@link #unreserve} once the call has bound (or failed to create) them.
     */
    public synchronized void reserve(long bytes, long objects, io.ava.server.dispatch.Limits limits) throws ClError {
        if (objects > 0 && owned + pendingObjects + objects > limits.maxObjects()) {
            throw new ClError(io.ava.server.dispatch.Limits.CL_OUT_OF_RESOURCES, "the session holds " + owned
                    + " objects, its limit is " + limits.maxObjects() + " (--max-session-objects)");
        }
        if (bytes > 0 && (bytes > limits.maxMemory() || memoryHeld + pendingMemory + bytes > limits.maxMemory())) {
            throw new ClError(io.ava.server.dispatch.Limits.CL_MEM_OBJECT_ALLOCATION_FAILURE, bytes
                    + " bytes more would exceed the session's device memory limit of "
                    + io.ava.server.dispatch.Limits.describe(limits.maxMemory()) + " (it holds " + memoryHeld
                    + " bytes; --max-session-memory)");
        }
        pendingObjects += Math.max(objects, 0);
        pendingMemory += Math.max(bytes, 0);
    }

    public synchronized void unreserve(long bytes, long objects) {
        pendingObjects -= Math.max(objects, 0);
        pendingMemory -= Math.max(bytes, 0);
    }

    /** Live objects the client owns (platforms and devices excluded: they are never created). */
    public synchronized long liveObjects() {
        return owned;
    }

    /** Device memory the session holds (what --max-session-memory limits). */
    public synchronized long bytesHeld() {
        return memoryHeld;
    }

    private void refsChanged(HandleEntry e, int before) {
        if (isRoot(e)) {
            return;
        }
        if (before == 0 && e.clientRefs > 0) {
            owned++;
            e.clientGone = false;
        } else if (before > 0 && e.clientRefs == 0) {
            owned--;
            e.clientGone = true;
            freeIfGone(e);
        }
    }

    /** The memory goes when the client holds no reference and no sub-buffer keeps the buffer alive. */
    private void freeIfGone(HandleEntry e) {
        while (e != null && e.clientGone && e.children == 0 && !e.freed && !e.serverRef) {
            e.freed = true;
            memoryHeld -= e.charge;
            HandleEntry p = e.parent;
            if (p != null) {
                p.children--;
            }
            e = p;
        }
    }

    /**
     * Ids of objects that calls already received will create, with the arrival number of the creating call.
     * A call on another application thread may name such an id before the creating call has run (an event
     * from a pipelined enqueue, waited for on JOCL's release thread): it waits for the creation instead of
     * failing. Only a call that arrived after the creating one waits: one that arrived before it could not
     * have learnt the id from it, and waiting would stall it behind a call that itself waits for it.
     */
    private final Map<Long, Reservation> reserved = new HashMap<>();
    private static final long RESERVATION_WAIT_SECONDS = 600;

    private record Reservation(long arrival, java.util.concurrent.CompletableFuture<Void> done) {
    }

    /** The arrival number of the call this thread runs (Long.MAX_VALUE: not a session's call, waits for any). */
    private static final ThreadLocal<long[]> RUNNING = ThreadLocal.withInitial(() -> new long[]{Long.MAX_VALUE});

    /** Called by a session's thread before it runs the call that arrived as number {@code arrival}. */
    public static void running(long arrival) {
        RUNNING.get()[0] = arrival;
        PINNED.get().active = true;
    }

    // ---------------------------------------------------------------- pins
    // A call on one application thread may release an object while a call on another thread, which
    // resolved the same id a moment before, still hands it to the driver (a retain, a launch): natively
    // a race in the application, here a freed pointer in the server. So the entries a running call
    // resolved are pinned, and the client's last release of a pinned object is held back until the
    // last call that uses it is done.

    private static final class Pinned {
        boolean active;
        final List<HandleEntry> entries = new ArrayList<>();
        /** releases this call claimed and has not settled: a call that failed gives them back when done */
        final List<HandleEntry> claims = new ArrayList<>();
        HandleTable table;
    }

    private static final ThreadLocal<Pinned> PINNED = ThreadLocal.withInitial(Pinned::new);

    private void pin(HandleEntry e) {
        Pinned p = PINNED.get();
        if (p.active && e != null && !isRoot(e)) {
            e.pins++;
            p.entries.add(e);
            p.table = this;
        }
    }

    /** The call this thread ran is done: its pins go, and releases held back for them are made now. */
    public static void callDone() {
        Pinned p = PINNED.get();
        p.active = false;
        if (p.entries.isEmpty() && p.claims.isEmpty()) {
            return;
        }
        List<HandleEntry> release = null;
        synchronized (p.table) {
            for (HandleEntry e : p.claims) {
                if (e.releasing > 0) {
                    e.releasing--; // the release failed (or never reached the driver): the reference stays the client's
                }
                e.dying = false;
            }
            p.claims.clear();
            for (HandleEntry e : p.entries) {
                e.pins--;
                if (e.pins == 0 && e.deferredReleases > 0) {
                    release = release == null ? new ArrayList<>() : release;
                    for (int k = 0; k < e.deferredReleases; k++) {
                        release.add(e);
                    }
                    e.deferredReleases = 0;
                }
            }
        }
        p.entries.clear();
        p.table = null;
        if (release != null) {
            release.forEach(NativeRefs::release);
        }
    }

    /** What a release of the client's reference may do, decided atomically by {@link #claimRelease}. */
    public enum Release {
        /** the client holds no reference left to release */
        REFUSED,
        /** the driver's release runs now */
        NATIVE,
        /** the client's last reference, while another running call uses the object: the driver's release waits for it */
        DEFERRED
    }

    /**
     * Claims one of the client's references for a release, atomically. Two calls on different threads that
     * release the same last reference must not both pass (natively one gets CL_INVALID_*; here a second native
     * release would free a freed object and kill the server). A last reference released now makes the object
     * unnamed at once: a call on another thread must not resolve it while the driver frees it. A claim is
     * settled by {@link #released}, or by {@link #callDone} if the release failed.
     */
    public synchronized Release claimRelease(HandleEntry e) {
        if (isRoot(e)) {
            return Release.NATIVE;
        }
        if (e.clientRefs - e.releasing <= 0) {
            return Release.REFUSED;
        }
        Pinned p = PINNED.get();
        if (!p.active) {
            return Release.NATIVE; // outside a session's call (a replay) nothing runs beside it
        }
        e.releasing++;
        p.claims.add(e);
        p.table = this;
        if (e.clientRefs - e.releasing > 0) {
            return Release.NATIVE; // not the last reference: the object lives on
        }
        if (e.pins > 1) {
            e.deferredReleases++;
            return Release.DEFERRED;
        }
        e.dying = true;
        return Release.NATIVE;
    }

    /** Called in arrival order, before any call runs; {@code arrival} numbers the creating call. */
    public synchronized void reserve(long id, long arrival) {
        if (!byId.containsKey(id)) {
            reserved.putIfAbsent(id, new Reservation(arrival, new java.util.concurrent.CompletableFuture<>()));
        }
    }

    /** As {@link #reserve(long, long)} for a creating call no other waits behind (tests, replays). */
    public void reserve(long id) {
        reserve(id, 0);
    }

    /** The creating call has run: whatever it bound is visible now. */
    public void settle(long id) {
        Reservation r;
        synchronized (this) {
            r = reserved.remove(id);
        }
        if (r != null) {
            r.done().complete(null);
        }
    }

    private void awaitReserved(long id) {
        Reservation r;
        synchronized (this) {
            if (byId.containsKey(id)) {
                return;
            }
            r = reserved.get(id);
        }
        if (r != null && r.arrival() < RUNNING.get()[0]) {
            try {
                r.done().get(RESERVATION_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // the id stays unknown: the caller reports the invalid-object error
            }
        }
    }

    /** The object for an id, checked against the type the call expects. */
    public HandleEntry lookup(long id, HandleType type) throws ClError {
        awaitReserved(id);
        return lookupNow(id, type);
    }

    private synchronized HandleEntry lookupNow(long id, HandleType type) throws ClError {
        HandleEntry e = named(id);
        if (e == null || e.type != type) {
            throw new ClError(type.invalidCode(), "no " + type + " with id " + id + " in this session");
        }
        pin(e);
        return e;
    }

    public HandleEntry find(long id) {
        awaitReserved(id);
        synchronized (this) {
            HandleEntry e = named(id);
            pin(e);
            return e;
        }
    }

    /**
     * The entry an id names, or null. A sub-device the client holds no reference to is not named: the driver
     * frees it when the last reference goes (a context that used it may have held it), so its pointer may dangle.
     */
    private HandleEntry named(long id) {
        HandleEntry e = byId.get(id);
        return e == null || e.dying || (e.subDevice && e.clientRefs == 0 && !e.serverRef) ? null : e;
    }

    /**
     * Which native device pointers are root devices (never freed); every other device pointer the driver
     * reports is a sub-device. Set once the driver is loaded; by default every device counts as a root.
     */
    private static volatile java.util.function.LongPredicate rootDevice = p -> true;

    public static void rootDevices(java.util.function.LongPredicate isRoot) {
        rootDevice = isRoot;
    }

    /** Whether an id the client proposes for a new object is free. */
    public synchronized void checkFree(long id) throws ClError {
        if (id <= 0 || (id & SERVER_ID_BIT) != 0 || byId.containsKey(id)) {
            throw new ClError(-30, "object id " + id + " is invalid or already in use in this session");
        }
    }

    /** Binds a new object the client created (one client reference). */
    public synchronized HandleEntry bind(long id, HandleType type, NativePointerObject object, long size, Object keepAlive) {
        return bind(id, type, object, size, keepAlive, 0, 0);
    }

    /**
     * Binds a new object that holds {@code charge} bytes of device memory; a sub-buffer names its
     * buffer ({@code parentId}), which then keeps its memory counted until the sub-buffer is gone too.
     */
    public synchronized HandleEntry bind(long id, HandleType type, NativePointerObject object, long size, Object keepAlive,
                                         long charge, long parentId) {
        HandleEntry e = new HandleEntry(id, type, object, ++sequence, 1, size, keepAlive);
        e.charge = Math.max(charge, 0);
        memoryHeld += e.charge;
        HandleEntry parent = parentId == 0 ? null : byId.get(parentId);
        if (parent != null && !parent.freed) {
            e.parent = parent;
            parent.children++;
        }
        refsChanged(e, 0);
        byId.put(id, e);
        byNative.put(object.getNativePointer(), id);
        retired.remove(object.getNativePointer());
        return e;
    }

    /**
     * The id for a native object the server reports to the client: the known one, or a new
     * server id. {@code owned} says whether the client now holds a reference it must release.
     */
    public synchronized long idFor(NativePointerObject object, HandleType type, boolean owned) {
        long ptr = object.getNativePointer();
        Long known = byNative.get(ptr);
        if (known != null) {
            HandleEntry e = byId.get(known);
            if (e != null && e.type == type) {
                if (owned) {
                    e.clientRefs++;
                    refsChanged(e, e.clientRefs - 1);
                }
                return known;
            }
        }
        long id = forcedIds.isEmpty() ? SERVER_ID_BIT | nextServerId++ : forcedIds.poll();
        HandleEntry created = new HandleEntry(id, type, object, ++sequence, owned ? 1 : 0, 0, null);
        created.subDevice = type == HandleType.cl_device_id && (owned || !rootDevice.test(ptr));
        if (!owned) {
            holdForName(created);
        }
        refsChanged(created, 0);
        byId.put(id, created);
        byNative.put(ptr, id);
        return id;
    }

    /** The id of a native pointer read from an info answer (0 stays 0). */
    public synchronized long idForNative(long ptr, HandleType type, java.util.function.LongFunction<NativePointerObject> make) {
        if (ptr == 0) {
            return 0;
        }
        Long known = byNative.get(ptr);
        if (known != null) {
            return known;
        }
        Long old = retired.remove(ptr);
        if (old != null) {
            // the driver still has it: the same id again, now without a client reference
            HandleEntry again = new HandleEntry(old, type, make.apply(ptr), ++sequence, 0, 0, null);
            again.subDevice = type == HandleType.cl_device_id; // a released device: a sub-device (roots are never retired)
            holdForName(again);
            byId.put(old, again);
            byNative.put(ptr, old);
            return old;
        }
        return idFor(make.apply(ptr), type, false);
    }

    /**
     * An object the driver named in an info answer that the client holds no reference to (a program its kernel
     * keeps, a buffer a sub-buffer keeps): the session takes a reference of its own, kept until it ends. Without
     * it the id would outlive the object once the one that kept it is released, and the next call naming it would
     * hand the driver a freed pointer. Its memory counts against the session's limit while held.
     */
    private void holdForName(HandleEntry e) {
        if (isRoot(e)) {
            return;
        }
        NativeRefs.retain(e);
        e.serverRef = true;
        if (e.type == HandleType.cl_mem) {
            long[] size = new long[1];
            if (org.jocl.CL.clGetMemObjectInfo((org.jocl.cl_mem) e.object, org.jocl.CL.CL_MEM_SIZE, 8,
                    org.jocl.Pointer.to(size), null) == org.jocl.CL.CL_SUCCESS) {
                e.charge = size[0];
                memoryHeld += size[0];
            }
        }
    }

    /** Whether the session holds a native reference of its own to the object (see holdForName). */
    public synchronized boolean holdsOwnReference(HandleEntry e) {
        return e.serverRef;
    }

    /** The native references the session holds to an object: the client's, and one of its own (see holdForName). */
    public synchronized int nativeReferences(HandleEntry e) {
        return e.clientRefs + (e.serverRef ? 1 : 0);
    }

    /** The references the client holds to an object (what the session must release when it ends). */
    public synchronized int clientReferences(HandleEntry e) {
        return e.clientRefs;
    }

    public synchronized void retained(HandleEntry e) {
        e.clientRefs++;
        refsChanged(e, e.clientRefs - 1);
    }

    /** A successful release: forget the object when the client holds no reference any more. */
    public synchronized void released(HandleEntry e) {
        if (PINNED.get().claims.remove(e) && e.releasing > 0) {
            e.releasing--; // the claim is settled
        }
        if (e.clientRefs > 0) {
            e.clientRefs--;
            refsChanged(e, e.clientRefs + 1);
        }
        if (e.clientRefs == 0 && !isRoot(e) && !e.serverRef) {
            byId.remove(e.id);
            if (byNative.remove(e.object.getNativePointer(), e.id)) {
                retired.put(e.object.getNativePointer(), e.id);
            }
        }
    }

    /** Platforms and root devices: never created or freed by the client, named for the whole session. */
    private static boolean isRoot(HandleEntry e) {
        return e.type == HandleType.cl_platform_id || (e.type == HandleType.cl_device_id && !e.subDevice);
    }

    /** Objects the client (or the session itself) holds references to, newest first: the order to release them in. */
    public synchronized List<HandleEntry> ownedNewestFirst() {
        List<HandleEntry> out = new ArrayList<>();
        for (HandleEntry e : byId.values()) {
            if ((e.clientRefs > 0 || e.serverRef) && !isRoot(e)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong((HandleEntry e) -> e.sequence).reversed());
        return out;
    }

    public synchronized List<HandleEntry> all(HandleType type) {
        List<HandleEntry> out = new ArrayList<>();
        for (HandleEntry e : byId.values()) {
            if (e.type == type) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * For the metrics: adds the live objects the client owns to {@code counts} by type, and returns
     * the bytes of its live memory objects.
     */
    public synchronized long census(Map<String, Long> counts) {
        long bytes = 0;
        for (HandleEntry e : byId.values()) {
            if (e.clientRefs > 0 && !isRoot(e)) {
                counts.merge(e.type.name(), 1L, Long::sum);
                if (e.type == HandleType.cl_mem) {
                    bytes += e.size > 0 ? e.size : e.deviceBytes;
                }
            }
        }
        return bytes;
    }

    /** The driver's size of a memory object the server did not size itself (an image, a pipe). */
    public synchronized void deviceBytes(HandleEntry e, long bytes) {
        e.deviceBytes = bytes;
    }

    /** Programs and kernels whose source calls printf: their launches produce output to forward. */
    private final java.util.Set<Long> printf = new java.util.HashSet<>();

    public synchronized void markPrintf(long id) {
        printf.add(id);
    }

    public synchronized boolean usesPrintf(long id) {
        return printf.contains(id);
    }

    /** One shared virtual memory allocation: the driver's pointer, its size and its context. */
    public record SvmAllocation(org.jocl.Pointer pointer, long size, org.jocl.cl_context context) {
    }

    private final Map<Long, SvmAllocation> svm = new HashMap<>();

    public synchronized void svmAllocated(long id, SvmAllocation a) {
        if (svm.put(id, a) == null) {
            memoryHeld += a.size();
        }
    }

    public synchronized SvmAllocation svm(long id) {
        return svm.get(id);
    }

    public synchronized SvmAllocation svmFreed(long id) {
        SvmAllocation a = svm.remove(id);
        if (a != null) {
            memoryHeld -= a.size();
        }
        return a;
    }

    public synchronized List<SvmAllocation> svmAll() {
        return new ArrayList<>(svm.values());
    }

    /** An image map made by reading the region (see ImageMaps): where to write it back. */
    public record ImageMapping(org.jocl.cl_mem image, long[] origin, long[] region, long rowPitch, long slicePitch) {
    }

    private final Map<Long, ImageMapping> imageMappings = new HashMap<>();

    public synchronized void imageMapped(long mapId, ImageMapping m) {
        imageMappings.put(mapId, m);
    }

    public synchronized ImageMapping imageMapping(long mapId) {
        return imageMappings.get(mapId);
    }

    public synchronized void imageUnmapped(long mapId) {
        imageMappings.remove(mapId);
        mappings.remove(mapId);
    }

    /** Host memory the driver mapped, by the id of the call that mapped it. */
    public synchronized void mapped(long mapId, java.nio.ByteBuffer memory) {
        mappings.put(mapId, memory);
    }

    public synchronized java.nio.ByteBuffer mapping(long mapId) {
        return mappings.get(mapId);
    }

    public synchronized void unmapped(long mapId) {
        mappings.remove(mapId);
        mapOrigins.remove(mapId);
    }

    // ---------------------------------------------------------------- migration

    /** Ids a replayed call must hand out instead of new ones: the ids the client already knows. */
    private final java.util.ArrayDeque<Long> forcedIds = new java.util.ArrayDeque<>();

    public synchronized void forceServerIds(long[] ids) {
        forcedIds.clear();
        for (long id : ids) {
            if ((id & SERVER_ID_BIT) != 0) {
                forcedIds.add(id);
            }
        }
    }

    public synchronized long nextServerId() {
        return nextServerId;
    }

    /** After a migration: go on from the source's counter, so no id is handed out twice. */
    public synchronized void continueServerIds(long next) {
        nextServerId = Math.max(nextServerId, next);
    }

    /** A platform or device under the id the client knows it by (a migrated session). */
    public synchronized void bindRoot(long id, HandleType type, NativePointerObject object) {
        byId.put(id, new HandleEntry(id, type, object, ++sequence, 0, 0, null));
        byNative.put(object.getNativePointer(), id);
    }

    /** The id of a native object this session knows, or 0. */
    public synchronized long idOfNative(long ptr) {
        Long id = byNative.get(ptr);
        return id == null ? 0 : id;
    }

    /** Every object the session can name, oldest first. */
    public synchronized List<HandleEntry> allOldestFirst() {
        List<HandleEntry> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparingLong((HandleEntry e) -> e.sequence));
        return out;
    }

    /** The client holds no reference, but may still name the object (as it could on the source). */
    public synchronized void releasedKeepingName(HandleEntry e) {
        int before = e.clientRefs;
        e.clientRefs = 0;
        refsChanged(e, before);
    }

    public synchronized java.util.Set<Long> printfIds() {
        return new java.util.HashSet<>(printf);
    }

    public synchronized java.util.Set<Long> svmIds() {
        return new java.util.HashSet<>(svm.keySet());
    }

    /** Where a buffer map came from: what a migrated session maps again on its new server. */
    public record MapOrigin(long queue, long mem, long flags, long offset, long size) {
    }

    private final Map<Long, MapOrigin> mapOrigins = new HashMap<>();

    public synchronized void mapped(long mapId, java.nio.ByteBuffer memory, MapOrigin origin) {
        mappings.put(mapId, memory);
        mapOrigins.put(mapId, origin);
    }

    public synchronized Map<Long, MapOrigin> mapOrigins() {
        Map<Long, MapOrigin> out = new HashMap<>();
        for (Map.Entry<Long, MapOrigin> e : mapOrigins.entrySet()) {
            if (mappings.containsKey(e.getKey()) && !imageMappings.containsKey(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public synchronized Map<Long, ImageMapping> imageMappings() {
        return new HashMap<>(imageMappings);
    }

    /**
     * Events that came with a migration: the target made them as completed user events, so the
     * facts their info queries answer (command type, queue, profiling) are kept here.
     */
    public record EventFacts(long queue, long context, int commandType, long[] profiling,
                             org.jocl.cl_command_queue heldQueue) {
    }

    private final Map<Long, EventFacts> migratedEvents = new HashMap<>();

    public synchronized void migratedEvent(long id, EventFacts facts) {
        migratedEvents.put(id, facts);
    }

    public synchronized EventFacts eventFacts(long id) {
        return migratedEvents.isEmpty() ? null : migratedEvents.get(id);
    }

    public void clear() {
        List<java.util.concurrent.CompletableFuture<Void>> waiting;
        synchronized (this) {
            waiting = new ArrayList<>();
            for (Reservation r : reserved.values()) {
                waiting.add(r.done());
            }
            reserved.clear();
            mappings.clear();
            imageMappings.clear();
            mapOrigins.clear();
            migratedEvents.clear();
            svm.clear();
            byId.clear();
            byNative.clear();
            retired.clear();
            owned = 0;
            memoryHeld = 0;
            pendingObjects = 0;
            pendingMemory = 0;
        }
        waiting.forEach(f -> f.complete(null));
    }
}

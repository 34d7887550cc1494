package io.ava.server.replay;

import io.ava.proto.Call;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.Role;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One session's record log: the calls that created and configured its live objects, in call
 * order, as the spec's {@code record}, {@code depends_on}, {@code allocates} and
 * {@code deallocates} words say (AvA's object annotations). It is what a peer server replays to
 * rebuild the session.
 *
 * <ul>
 * <li>An object's records go when its last client reference is gone and no live object depends
 * on it: a kernel keeps its program, a kernel argument keeps its buffer.</li>
 * <li>Superseded records are compacted: the latest clSetKernelArg per kernel and index (and the
 * latest exec info per kernel and name) is all that is kept, so a long loop does not grow the
 * log.</li>
 * </ul>
 */
public final class RecordLog {
    /** One recorded call, with the ids of the objects it created. */
    public record Record(long sequence, Call call, long[] created) {
    }

    /** A kernel's latest argument (or exec info) and the object it binds, which it keeps alive. */
    private record Setting(Record record, long holds) {
    }

    /** What the log knows of one object. */
    private static final class Tracked {
        final java.util.LinkedHashSet<Long> records = new java.util.LinkedHashSet<>();
        /**
         * a kernel's latest arguments (by index) and exec info (by name, bit 62 set): replayed after
         * every other record, when whatever they name exists; one put per clSetKernelArg
         */
        Map<Long, Setting> settings;
        final Set<Long> dependsOn = new HashSet<>();
        int references = 1;
        int dependents;
        boolean released;
    }

    /** in call order: sequences only grow, so insertion order is call order (and removal is O(1)) */
    private final java.util.LinkedHashMap<Long, Record> records = new java.util.LinkedHashMap<>();
    private final Map<Long, Tracked> objects = new HashMap<>();
    private static final long[] NO_IDS = new long[0];
    private long sequence;
    private int settingCount;
    private long bytes;

    /**
     * Adds a successful call the spec marks {@code record}.
     *
     * @param handleIds the id of each handle argument (0 where none)
     * @param created   ids of the objects the call created (its new object, kernels of a program)
     * @param argumentObject for kernel arguments: the object bound (a buffer, image or sampler), else 0
     */
    public synchronized void recorded(FunctionSpec f, Call call, long[] handleIds, long[] created, long argumentObject) {
        recorded(f, call, handleIds, created, argumentObject, NO_IDS);
    }

    /**
     * As above; {@code moreDependencies} are the other elements of handle arrays named in
     * depends_on (handleIds carries only the first of each array).
     */
    public synchronized void recorded(FunctionSpec f, Call call, long[] handleIds, long[] created, long argumentObject,
                                      long[] moreDependencies) {
        if (!f.record()) {
            return;
        }
        int size = call.getSerializedSize();
        if (created.length > 0) {
            long seq = ++sequence;
            records.put(seq, new Record(seq, call, created));
            bytes += size;
            for (long id : created) {
                Tracked t = objects.computeIfAbsent(id, k -> new Tracked());
                t.records.add(seq);
                for (ArgSpec d : f.dependsOn()) {
                    addDependency(t, id, handleIds[d.index()]);
                }
                for (long d : moreDependencies) {
                    addDependency(t, id, d);
                }
            }
            return;
        }
        long owner = ownerOf(f, handleIds);
        Tracked t = objects.get(owner);
        if (t == null) {
            return; // configures an object the log does not hold (a platform or device): nothing to replay
        }
        long key = settingKey(f, call);
        if (key >= 0) {
            // the hot path of a kernel-argument loop: no sequence, one map put
            if (t.settings == null) {
                t.settings = new HashMap<>();
            }
            Tracked bound = argumentObject != 0 && argumentObject != owner ? objects.get(argumentObject) : null;
            if (bound != null) {
                bound.dependents++;
            }
            Setting previous = t.settings.put(key, new Setting(new Record(0, call, NO_IDS), bound != null ? argumentObject : 0));
            bytes += size;
            if (previous != null) {
                bytes -= previous.record().call().getSerializedSize();
                if (previous.holds() != 0) {
                    release(previous.holds());
                }
            } else {
                settingCount++;
            }
            return;
        }
        long seq = ++sequence;
        records.put(seq, new Record(seq, call, created));
        bytes += size;
        t.records.add(seq);
        for (ArgSpec d : f.dependsOn()) {
            addDependency(t, owner, handleIds[d.index()]);
        }
        for (long d : moreDependencies) {
            addDependency(t, owner, d);
        }
    }

    /** A successful retain of a logged object. */
    public synchronized void retained(long id) {
        Tracked t = objects.get(id);
        if (t != null) {
            t.references++;
        }
    }

    /** A successful release: the object's records go once nothing needs them any more. */
    public synchronized void released(long id) {
        Tracked t = objects.get(id);
        if (t == null) {
            return;
        }
        t.references--;
        if (t.references <= 0) {
            t.released = true;
            collect(id);
        }
    }

    /** The records to replay: creations and configurations oldest first, then the kernels' latest settings. */
    public synchronized List<Record> snapshot() {
        List<Record> out = new java.util.ArrayList<>(records.values());
        for (Tracked t : objects.values()) {
            if (t.settings != null) {
                for (Setting s : t.settings.values()) {
                    out.add(s.record());
                }
            }
        }
        return out;
    }

    public synchronized int size() {
        return records.size() + settingCount;
    }

    /** Serialized bytes of the calls held. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Whether the log rebuilds this object (it created it, and it or a dependent lives). */
    public synchronized boolean holds(long id) {
        return objects.containsKey(id);
    }

    /** The objects the log rebuilds. */
    public synchronized Set<Long> heldIds() {
        return new HashSet<>(objects.keySet());
    }

    /** Objects whose records are held (live, or released but still needed by another). */
    public synchronized int objects() {
        return objects.size();
    }

    private void addDependency(Tracked t, long self, long on) {
        if (on != 0 && on != self && objects.containsKey(on) && t.dependsOn.add(on)) {
            objects.get(on).dependents++;
        }
    }

    /** Drops a released object nothing depends on, and then what only it kept alive. */
    private void collect(long id) {
        Tracked t = objects.get(id);
        if (t == null || !t.released || t.dependents > 0) {
            return;
        }
        objects.remove(id);
        for (long seq : t.records) {
            Record r = records.get(seq);
            if (r != null && stillCreating(r)) {
                continue; // it also made objects that are still alive (clCreateKernelsInProgram)
            }
            r = records.remove(seq);
            if (r != null) {
                bytes -= r.call().getSerializedSize();
            }
        }
        if (t.settings != null) {
            for (Setting s : t.settings.values()) {
                bytes -= s.record().call().getSerializedSize();
                settingCount--;
                if (s.holds() != 0) {
                    release(s.holds());
                }
            }
            t.settings = null;
        }
        for (long on : t.dependsOn) {
            release(on);
        }
    }

    private boolean stillCreating(Record r) {
        for (long id : r.created()) {
            if (objects.containsKey(id)) {
                return true;
            }
        }
        return false;
    }

    private void release(long dependency) {
        Tracked d = objects.get(dependency);
        if (d != null) {
            d.dependents--;
            collect(dependency);
        }
    }

    /** The object a configuring call belongs to: its first handle argument the log holds. */
    private long ownerOf(FunctionSpec f, long[] handleIds) {
        for (ArgSpec a : f.args()) {
            if (a.role() == Role.handle && handleIds[a.index()] != 0 && objects.containsKey(handleIds[a.index()])) {
                return handleIds[a.index()];
            }
        }
        return 0;
    }

    private static final long EXEC_INFO = 1L << 62;

    /** Calls that later calls supersede: kernel arguments by index, exec info by name; -1 for others. */
    private static long settingKey(FunctionSpec f, Call call) {
        switch (f.name()) {
            case "clSetKernelArg":
            case "clSetKernelArgSVMPointer":
                return call.getScalars(f.slot(1)) & 0xffffffffL;
            case "clSetKernelExecInfo":
                return EXEC_INFO | (call.getScalars(f.slot(1)) & 0xffffffffL);
            default:
                return -1;
        }
    }
}

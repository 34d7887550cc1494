package io.ava.agent.session;

import io.ava.proto.KernelArgMeta;
import io.ava.proto.KernelMeta;
import io.ava.spec.HandleType;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent knows of the objects it named: type, the references it holds, buffer sizes,
 * owning context, and kernel argument metadata. It is enough to predict the result of the
 * calls the spec lets run asynchronously; whatever it cannot predict becomes a round trip.
 */
public final class ClientObjects {
    /** One object as the agent sees it. */
    public static final class Info {
        final HandleType type;
        final long context;
        final long size;
        volatile int refs;
        KernelMeta kernel;
        final BitSet argsSet = new BitSet();

        Info(HandleType type, long context, long size) {
            this.type = type;
            this.context = context;
            this.size = size;
            this.refs = 1;
        }
    }

    private final ConcurrentHashMap<Long, Info> objects = new ConcurrentHashMap<>();

    public void created(long id, HandleType type, long context, long size) {
        objects.put(id, new Info(type, context, size));
    }

    /** Objects first reported by the server (platforms, devices, kernels from clCreateKernelsInProgram). */
    public void reported(long id, HandleType type, boolean owned) {
        Info existing = objects.get(id);
        if (existing == null) {
            Info i = new Info(type, 0, 0);
            i.refs = owned ? 1 : 0;
            objects.put(id, i);
        } else if (owned) {
            synchronized (existing) {
                existing.refs++;
            }
        }
    }

    public Info get(long id, HandleType type) {
        Info i = objects.get(id);
        return i != null && i.type == type ? i : null;
    }

    public void kernelMeta(long id, KernelMeta meta) {
        Info i = objects.get(id);
        if (i != null) {
            i.kernel = meta;
        }
    }

    /** A retain the agent may answer locally: the object is alive. */
    public boolean retain(long id, HandleType type) {
        Info i = get(id, type);
        if (i == null) {
            return false;
        }
        synchronized (i) {
            if (i.refs <= 0) {
                return false;
            }
            i.refs++;
            return true;
        }
    }

    /** A release the agent may answer locally: it holds a reference to drop. */
    public boolean release(long id, HandleType type) {
        Info i = get(id, type);
        if (i == null) {
            return false;
        }
        synchronized (i) {
            if (i.refs <= 0) {
                return false;
            }
            i.refs--;
            if (i.refs == 0 && type != HandleType.cl_platform_id && type != HandleType.cl_device_id) {
                objects.remove(id, i);
            }
            return true;
        }
    }

    /** After a round-trip retain or release that succeeded on the server. */
    public void applied(long id, HandleType type, boolean retain) {
        if (retain) {
            Info i = get(id, type);
            if (i != null) {
                synchronized (i) {
                    i.refs++;
                }
            }
        } else {
            release(id, type);
        }
    }

    /** Whether setting kernel argument {@code index} to these bytes is certain to succeed. */
    public boolean predictKernelArg(long kernel, int index, long size, boolean isNull, HandleType refType, long refId) {
        Info k = get(kernel, HandleType.cl_kernel);
        if (k == null || k.kernel == null || index < 0 || index >= k.kernel.getArgsCount()) {
            return false;
        }
        KernelArgMeta m = k.kernel.getArgs(index);
        boolean ok;
        switch (m.getKind()) {
            case 1: // memory object
                ok = size == 8 && (isNull || (refType == HandleType.cl_mem && get(refId, HandleType.cl_mem) != null));
                break;
            case 2: // local
                ok = isNull && size > 0;
                break;
            case 3: // by value
                ok = !isNull && refType == null && size == m.getSize();
                break;
            case 4: // sampler
                ok = size == 8 && refType == HandleType.cl_sampler && get(refId, HandleType.cl_sampler) != null;
                break;
            default:
                ok = false;
        }
        return ok;
    }

    public void argSet(long kernel, int index) {
        Info k = get(kernel, HandleType.cl_kernel);
        if (k != null) {
            synchronized (k.argsSet) {
                k.argsSet.set(index);
            }
        }
    }

    /** Whether a launch of this kernel with these sizes is certain to pass the driver's checks. */
    public boolean predictLaunch(long queue, long kernel, int workDim, long[] offset, long[] global, long[] local) {
        Info q = get(queue, HandleType.cl_command_queue);
        Info k = get(kernel, HandleType.cl_kernel);
        if (q == null || k == null || k.kernel == null || k.kernel.getWorkGroupSize() == 0) {
            return false;
        }
        KernelMeta meta = k.kernel;
        synchronized (k.argsSet) {
            if (k.argsSet.cardinality() != meta.getArgsCount()) {
                return false;
            }
        }
        if (q.context == 0 || q.context != k.context) {
            return false;
        }
        if (workDim < 1 || workDim > 3 || global == null || global.length < workDim
                || (offset != null && offset.length < workDim)) {
            return false;
        }
        long groupItems = 1;
        for (int d = 0; d < workDim; d++) {
            if (global[d] <= 0) {
                return false;
            }
            if (local != null) {
                if (local.length < workDim || local[d] <= 0 || global[d] % local[d] != 0
                        || local[d] > meta.getMaxWorkItemSizes(d)) {
                    return false;
                }
                groupItems *= local[d];
            }
        }
        return local == null || groupItems <= meta.getWorkGroupSize();
    }

    public boolean isEvent(long id) {
        return get(id, HandleType.cl_event) != null;
    }

    public long contextOf(long id, HandleType type) {
        Info i = get(id, type);
        return i == null ? 0 : i.context;
    }

    public long sizeOf(long id) {
        Info i = get(id, HandleType.cl_mem);
        return i == null ? -1 : i.size;
    }
}

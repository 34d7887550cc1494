package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.cl_event;

/**
 * Decides whether a call the spec marks async may really skip its round trip: only when the
 * agent can tell, from what it knows, that the driver will accept it. Native error behaviour
 * must not change, so anything uncertain is sent as a synchronous call.
 */
final class AsyncPredictor {
    private final ClientObjects objects;

    AsyncPredictor(ClientObjects objects) {
        this.objects = objects;
    }

    /** May change the agent's reference counts: call only when the call will then be sent async. */
    boolean predict(FunctionSpec f, Object[] a) {
        String name = f.name();
        if (f.deallocates() != null) {
            HandleType t = f.deallocates().handleType();
            return a[0] != null && objects.release(id(a[0]), t);
        }
        if (f.retains() != null) {
            HandleType t = f.retains().handleType();
            return a[0] != null && objects.retain(id(a[0]), t);
        }
        switch (name) {
            case "clFlush":
            case "clEnqueueBarrier":
                return queue(a[0]) != 0;
            case "clSetKernelArg":
                return kernelArg(a);
            case "clEnqueueNDRangeKernel": {
                long q = queue(a[0]);
                return q != 0 && a[1] != null
                        && objects.predictLaunch(q, id(a[1]), (Integer) a[2], (long[]) a[3], (long[]) a[4], (long[]) a[5])
                        && waitList(q, (Integer) a[6], (cl_event[]) a[7]);
            }
            case "clEnqueueTask": {
                long q = queue(a[0]);
                return q != 0 && a[1] != null && objects.predictLaunch(q, id(a[1]), 1, null, new long[]{1}, new long[]{1})
                        && waitList(q, (Integer) a[2], (cl_event[]) a[3]);
            }
            case "clEnqueueWriteBuffer": {
                long q = queue(a[0]);
                long offset = (Long) a[3];
                long cb = (Long) a[4];
                HostMemory.Region r = region((Pointer) a[5]);
                // a blocking write waits for its wait list (and reports an event of it that failed): only without one
                boolean blocking = (Boolean) a[2];
                return q != 0 && sameContextBuffer(q, a[1], offset, cb) && r != null && r.available() >= cb
                        && (!blocking || (Integer) a[6] == 0) && waitList(q, (Integer) a[6], (cl_event[]) a[7]);
            }
            case "clEnqueueReadBuffer": {
                // non-blocking only (the spec's condition): the bytes follow when the driver has them
                long q = queue(a[0]);
                long offset = (Long) a[3];
                long cb = (Long) a[4];
                HostMemory.Region r = region((Pointer) a[5]);
                return q != 0 && sameContextBuffer(q, a[1], offset, cb) && r != null && r.available() >= cb
                        && waitList(q, (Integer) a[6], (cl_event[]) a[7]);
            }
            case "clEnqueueCopyBuffer": {
                long q = queue(a[0]);
                long so = (Long) a[3];
                long d = (Long) a[4];
                long cb = (Long) a[5];
                if (q == 0 || !sameContextBuffer(q, a[1], so, cb) || !sameContextBuffer(q, a[2], d, cb)) {
                    return false;
                }
                if (id(a[1]) == id(a[2]) && so < d + cb && d < so + cb) {
                    return false; // CL_MEM_COPY_OVERLAP
                }
                return waitList(q, (Integer) a[6], (cl_event[]) a[7]);
            }
            case "clEnqueueFillBuffer": {
                long q = queue(a[0]);
                long ps = (Long) a[3];
                long offset = (Long) a[4];
                long size = (Long) a[5];
                HostMemory.Region r = region((Pointer) a[2]);
                boolean power = ps > 0 && ps <= 128 && Long.bitCount(ps) == 1;
                return q != 0 && power && r != null && r.available() >= ps && offset % ps == 0 && size % ps == 0
                        && sameContextBuffer(q, a[1], offset, size) && waitList(q, (Integer) a[6], (cl_event[]) a[7]);
            }
            case "clEnqueueMarkerWithWaitList":
            case "clEnqueueBarrierWithWaitList": {
                long q = queue(a[0]);
                return q != 0 && waitList(q, (Integer) a[1], (cl_event[]) a[2]);
            }
            case "clEnqueueMarker":
                return queue(a[0]) != 0 && a[1] != null;
            default:
                return false;
        }
    }

    private boolean kernelArg(Object[] a) {
        if (a[0] == null) {
            return false;
        }
        int index = (Integer) a[1];
        long size = (Long) a[2];
        Pointer value = (Pointer) a[3];
        if (value == null) {
            return objects.predictKernelArg(id(a[0]), index, size, true, null, 0);
        }
        if (Jocl.pointsToObjects(value)) {
            NativePointerObject[] refs = Jocl.pointers(value);
            if (refs.length != 1 || refs[0] == null) {
                return false;
            }
            return objects.predictKernelArg(id(a[0]), index, size, false, HandleType.forJoclClass(refs[0].getClass()), id(refs[0]));
        }
        HostMemory.Region r = region(value);
        return r != null && r.available() >= size && objects.predictKernelArg(id(a[0]), index, size, false, null, 0);
    }

    private boolean sameContextBuffer(long queue, Object mem, long offset, long cb) {
        if (mem == null) {
            return false;
        }
        long m = id((NativePointerObject) mem);
        long size = objects.sizeOf(m);
        return size >= 0 && offset >= 0 && cb > 0 && offset + cb <= size && offset + cb > 0
                && objects.contextOf(m, HandleType.cl_mem) == objects.contextOf(queue, HandleType.cl_command_queue);
    }

    private boolean waitList(long queue, int num, cl_event[] list) {
        if (num == 0) {
            return list == null;
        }
        if (num < 0 || list == null || list.length < num) {
            return false;
        }
        long ctx = objects.contextOf(queue, HandleType.cl_command_queue);
        for (int i = 0; i < num; i++) {
            if (list[i] == null || !objects.isEvent(id(list[i])) || objects.contextOf(id(list[i]), HandleType.cl_event) != ctx) {
                return false;
            }
        }
        return true;
    }

    private long queue(Object q) {
        if (q == null) {
            return 0;
        }
        long id = id((NativePointerObject) q);
        return objects.get(id, HandleType.cl_command_queue) != null ? id : 0;
    }

    private static HostMemory.Region region(Pointer p) {
        if (p == null || Jocl.pointsToObjects(p) || Jocl.id(p) != 0) {
            return null;
        }
        try {
            return HostMemory.resolve(p);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long id(Object o) {
        return Jocl.id((NativePointerObject) o);
    }
}
